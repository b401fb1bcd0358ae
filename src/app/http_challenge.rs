//! An HTTP-01 file: its URL, its exact content, a download of the file itself, and where such a file goes
//! on common servers.

use certsmith::acme::authorization::Placement;
use certsmith::web::download::download;
use yew::prelude::*;

use super::copy_button::CopyButton;

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
    let on_download = {
        let token = token.clone();
        let content = content.clone();
        let problem = problem.clone();
        Callback::from(move |_: MouseEvent| {
            problem.set(
                // octet-stream: with text/plain Chromium appends ".txt", and the CA fetches the bare token name.
                download(&token, "application/octet-stream", content.as_bytes())
                    .err()
                    .map(|e| format!("Could not download the file: {e}")),
            )
        })
    };
    html! {
        <div class="http-file">
            <p>{ if props.answered {
                "Keep this file in place until the name is validated:"
            } else {
                "Upload a file so that this address shows exactly the content below:"
            } }</p>
            <dl class="record-fields">
                <dt>{ "URL" }</dt>
                <dd class="copyable"><code data-testid="http-url">{ url }</code><CopyButton text={url.clone()} /></dd>
                <dt>{ "File" }</dt>
                <dd>
                    <code>{ token }</code>{ " in the folder " }<code>{ ".well-known/acme-challenge" }</code>
                    { " of the site, with no extension (not .txt)" }
                </dd>
                <dt>{ "Content" }</dt>
                <dd class="copyable"><code data-testid="http-content">{ content }</code><CopyButton text={content.clone()} /></dd>
            </dl>
            <div class="actions">
                <button type="button" onclick={on_download}>{ "Download challenge file" }</button>
            </div>
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
        </div>
    }
}

/// Where the challenge files go on the usual servers.
#[function_component(ServerHints)]
pub fn server_hints() -> Html {
    html! {
        <details class="server-hints">
            <summary>{ "Where the file goes: Apache, nginx, IIS, cPanel" }</summary>
            <p>{ "The CA fetches the file over plain http (port 80), following redirects. The file name is the token, \
                  with no extension; its content is one line, exactly as shown." }</p>
            <dl>
                <dt>{ "Apache and most shared hosting" }</dt>
                <dd>{ "In the site's document root (often " }<code>{ "public_html" }</code>{ " or " }<code>{ "htdocs" }</code>
                    { "), create the folder " }<code>{ ".well-known/acme-challenge" }</code>
                    { " and put the file in it. If a CMS rewrites every address to index.php, exclude /.well-known/." }</dd>
                <dt>{ "nginx" }</dt>
                <dd>{ "The folder goes under the server block's " }<code>{ "root" }</code>{ "; or serve it from elsewhere with " }
                    <code>{ "location ^~ /.well-known/acme-challenge/ { root /var/www/acme; default_type text/plain; }" }</code></dd>
                <dt>{ "IIS" }</dt>
                <dd>{ "Put the folder in the site's physical path. IIS does not serve files without an extension until \
                       told to: add a web.config in the acme-challenge folder with " }
                    <code>{ "<staticContent><mimeMap fileExtension=\".\" mimeType=\"text/plain\" /></staticContent>" }</code>
                    { " inside " }<code>{ "<system.webServer>" }</code>{ "." }</dd>
                <dt>{ "cPanel" }</dt>
                <dd>{ "File Manager → public_html (turn on \u{201c}Show Hidden Files\u{201d}) → create " }
                    <code>{ ".well-known" }</code>{ ", inside it " }<code>{ "acme-challenge" }</code>
                    { ", then upload the file there. Keep the name exactly; do not let the browser add .txt." }</dd>
            </dl>
        </details>
    }
}
