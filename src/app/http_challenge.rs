//! An HTTP-01 file: its URL, its exact content, a download of the file itself, and where such a file goes
//! on common servers.

use certsmith::acme::authorization::Placement;
use certsmith::i18n;
use certsmith::{t, t_key};
use yew::prelude::*;

use super::copy_button::CopyButton;
use super::download_button::download_on_click;
use super::sentence_with;
use super::text_node;

#[derive(Properties, PartialEq)]
pub struct HttpChallengeProps {
    pub placement: Placement,
    /// The challenge was submitted: the file must stay in place.
    #[prop_or_default]
    pub answered: bool,
}

#[function_component(HttpChallenge)]
pub fn http_challenge(props: &HttpChallengeProps) -> Html {
    let problem = use_state(|| None::<String>);
    let Placement::Http01 {
        url,
        token,
        content,
        ..
    } = &props.placement
    else {
        return html! {};
    };
    // octet-stream: with text/plain Chromium appends ".txt", and the CA fetches the bare token name.
    let on_download = download_on_click(
        &problem,
        token.clone().into(),
        "application/octet-stream",
        content.clone(),
    );
    html! {
        <div class="http-file">
            <p>{ if props.answered {
                t!("Keep this file in place until the name is validated:")
            } else {
                t!("Upload a file so that this address shows exactly the content below:")
            } }</p>
            <dl class="record-fields">
                <dt>{ "URL" }</dt>
                <dd class="copyable"><code data-testid="http-url">{ url }</code><CopyButton text={url.clone()} /></dd>
                <dt>{ text_node(t!("File")) }</dt>
                <dd>
                    { sentence_with(
                        i18n::text(t_key!("{token} in the folder {folder} of the site, with no extension (not .txt)")),
                        &[
                            ("token", html! { <code>{ token }</code> }),
                            ("folder", html! { <code>{ ".well-known/acme-challenge" }</code> }),
                        ],
                    ) }
                </dd>
                <dt>{ text_node(t!("Content")) }</dt>
                <dd class="copyable"><code data-testid="http-content">{ content }</code><CopyButton text={content.clone()} /></dd>
            </dl>
            <div class="actions">
                <button type="button" onclick={on_download}>{ text_node(t!("Download challenge file")) }</button>
            </div>
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
        </div>
    }
}

/// Where the challenge files go on the usual servers (a plain function: it has no state of its own).
pub fn server_hints() -> Html {
    html! {
        <details class="server-hints">
            <summary>{ text_node(t!("Where the file goes: Apache, nginx, IIS, cPanel")) }</summary>
            <p>{ t!("The CA fetches the file over plain http (port 80), following redirects. The file name is the \
                     token, with no extension; its content is one line, exactly as shown.") }</p>
            <dl>
                <dt>{ text_node(t!("Apache and most shared hosting")) }</dt>
                <dd>{ sentence_with(
                    i18n::text(t_key!("In the site's document root (often {public_html} or {htdocs}), create the \
                                       folder {folder} and put the file in it. If a CMS rewrites every address to \
                                       index.php, exclude /.well-known/.")),
                    &[
                        ("public_html", html! { <code>{ "public_html" }</code> }),
                        ("htdocs", html! { <code>{ "htdocs" }</code> }),
                        ("folder", html! { <code>{ ".well-known/acme-challenge" }</code> }),
                    ],
                ) }</dd>
                <dt>{ "nginx" }</dt>
                <dd>{ sentence_with(
                    i18n::text(t_key!("The folder goes under the server block's {root}; or serve it from elsewhere \
                                       with {location_block}")),
                    &[
                        ("root", html! { <code>{ "root" }</code> }),
                        ("location_block", html! {
                            <code>{ "location ^~ /.well-known/acme-challenge/ { root /var/www/acme; default_type text/plain; }" }</code>
                        }),
                    ],
                ) }</dd>
                <dt>{ "IIS" }</dt>
                <dd>{ sentence_with(
                    i18n::text(t_key!("Put the folder in the site's physical path. IIS does not serve files without an \
                                       extension until told to: add a web.config in the acme-challenge folder with \
                                       {mime_map} inside {web_server_section}.")),
                    &[
                        ("mime_map", html! {
                            <code>{ "<staticContent><mimeMap fileExtension=\".\" mimeType=\"text/plain\" /></staticContent>" }</code>
                        }),
                        ("web_server_section", html! { <code>{ "<system.webServer>" }</code> }),
                    ],
                ) }</dd>
                <dt>{ "cPanel" }</dt>
                <dd>{ sentence_with(
                    i18n::text(t_key!("File Manager → public_html (turn on \u{201c}Show Hidden Files\u{201d}) \
                                       → create {well_known}, inside it {acme_challenge}, then upload the file \
                                       there. Keep the name exactly; do not let the browser add .txt.")),
                    &[
                        ("well_known", html! { <code>{ ".well-known" }</code> }),
                        ("acme_challenge", html! { <code>{ "acme-challenge" }</code> }),
                    ],
                ) }</dd>
            </dl>
        </details>
    }
}
