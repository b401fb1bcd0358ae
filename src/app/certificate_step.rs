//! Step 5: finalizing, then the certificate: its facts, the chain choice, and the files to download.

use certsmith::i18n;
use certsmith::pki::cert::CertError;
use certsmith::pki::job::{Der, Job};
use certsmith::pki::key::PrivateKey;

use certsmith::pki::pfx::PfxProfile;
use certsmith::web::download::download;
use certsmith::web::{clock, worker};
use certsmith::wizard::{chain_files, short_name, Action, ChainFiles, Section, Step, Task, Wizard};
use certsmith::{t, t_key};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::dialog::ConfirmDialog;
use super::download_button::download_on_click;
use super::forms::{checked, input_value, select_value};
use super::section::StepSection;
use super::sentence_with;
use super::state::WizardView;
use super::status;
use super::text_node;

const PEM: &str = "application/x-pem-file";

#[derive(Properties, PartialEq)]
pub struct CertificateStepProps {
    /// Read only: the step changes the wizard through `on_action` and `on_task`.
    pub wizard: WizardView,
    pub on_action: Callback<Action>,
    pub on_task: Callback<Task>,
}

#[function_component(CertificateStep)]
pub fn certificate_step(props: &CertificateStepProps) -> Html {
    let w = &*props.wizard;
    let dispatch = props.on_action.clone();
    // Each chain the CA sent is read by the jobs module: when it arrives, and after a reload.
    {
        let on_task = props.on_task.clone();
        use_effect_with(w.chains_unread(), move |unread| {
            if !unread.is_empty() {
                on_task.emit(Task::ReadChains);
            }
        });
    }
    let body = match w.step {
        Step::Finalizing => view_finalizing(w, &props.on_task),
        Step::Done => view_done(w, &dispatch, &props.on_task),
        _ => html! {
            <p class="muted">{ t!("Once every name is validated, the page asks the CA to issue the certificate \
                                   and shows it here.") }</p>
        },
    };
    html! {
        <StepSection
            section={Section::Certificate}
            at={w.section()}
            busy={w.busy.clone()}
            busy_until_ms={w.busy_until_ms}
            error={w.error.clone()}
            on_task={props.on_task.clone()}
            on_dismiss={dispatch.reform(|()| Action::DismissError)}
        >
            { body }
        </StepSection>
    }
}

fn view_finalizing(w: &Wizard, on_task: &Callback<Task>) -> Html {
    let status = w
        .order
        .as_ref()
        .and_then(|o| o.status())
        .map_or(t!("unknown"), status::order);
    html! {
        <>
            <p class="lead">{ t!("Every name is validated. The page sends the certificate request (finalize), \
                                  waits for the CA to issue, and downloads the certificate.") }</p>
            <p>{ text_node(t!("Order status: ")) }<span class="status" data-testid="order-status">{ status }</span></p>
            if !w.is_busy() && w.error.is_none() {
                <div class="actions">
                    <button type="button" class="primary" onclick={on_task.reform(|_: MouseEvent| Task::Drive)}>
                        { text_node(t!("Finalize")) }
                    </button>
                </div>
            }
        </>
    }
}

fn view_done(w: &Wizard, dispatch: &Callback<Action>, on_task: &Callback<Task>) -> Html {
    let Some(chain) = w.current_chain() else {
        return html! {};
    };
    let files = match w.chain_reading(&chain.pem) {
        None => return html! { <p class="muted">{ text_node(t!("Reading the certificate…")) }</p> },
        Some(Ok(read)) => chain_files(read).ok_or_else(|| CertError::NoCertificates.to_string()),
        Some(Err(e)) => Err(e.clone()),
    };
    let files = match files {
        Ok(files) => files,
        Err(e) => {
            return html! {
                <>
                    <p class="error" role="alert">{ t!("The CA's certificate chain cannot be read: {error}. The protocol \
                                                        log has the CA's answer.", error = e.trim_end_matches('.')) }</p>
                    <div class="actions">
                        <button type="button" onclick={dispatch.reform(|_: MouseEvent| Action::RereadChains)}>
                            { text_node(t!("Read it again")) }
                        </button>
                    </div>
                </>
            }
        }
    };
    let options = w.chain_options();
    let chosen = chain.url.clone();
    let on_chain = {
        let dispatch = dispatch.clone();
        let on_task = on_task.clone();
        let options = options.clone();
        Callback::from(move |e: Event| {
            let url = select_value(&e);
            match options.iter().find(|o| o.url == url) {
                Some(option) if option.loaded => dispatch.emit(Action::ChooseChain(Some(url))),
                Some(_) => on_task.emit(Task::DownloadChain { url }),
                None => {}
            }
        })
    };
    let leaf = &files.leaf;
    html! {
        <>
            <p class="lead ok">{ text_node(t!("Your certificate is ready.")) }</p>
            if options.len() > 1 {
                <div class="field">
                    <label for="chain">{ text_node(t!("Chain")) }</label>
                    <select id="chain" onchange={on_chain} disabled={w.is_busy()}>
                        { for options.iter().map(|o| html! {
                            <option value={o.url.clone()} selected={o.url == chosen}>{ &o.label }</option>
                        }) }
                    </select>
                    <p class="help">{ t!("The CA offers the same certificate with other intermediates, leading to \
                                          other roots. Keep the default unless old devices must trust it.") }</p>
                </div>
            }
            <dl class="facts">
                <dt>{ text_node(t!("Names")) }</dt>
                <dd data-testid="cert-names">{ leaf.names.join(", ") }</dd>
                <dt>{ text_node(t!("Issuer")) }</dt>
                <dd data-testid="cert-issuer">{ short_name(&leaf.issuer) }</dd>
                <dt>{ text_node(t!("Valid")) }</dt>
                <dd data-testid="cert-validity">{ validity((&leaf.not_before_rfc3339, leaf.not_before), (&leaf.not_after_rfc3339, leaf.not_after)) }</dd>
                <dt>{ text_node(t!("SHA-256 fingerprint")) }</dt>
                <dd><code data-testid="cert-fingerprint">{ &leaf.sha256_fingerprint }</code></dd>
            </dl>
            <Downloads files={files.clone()} cert_key={w.cert_key.clone()} key_deleted={w.cert_key_deleted()}
                       friendly_name={leaf.names.first().cloned().unwrap_or_default()}
                       busy={w.is_busy()} on_action={dispatch.clone()} />
            <details class="pem">
                <summary>{ text_node(t!("Show the PEM text")) }</summary>
                <pre>{ &files.fullchain }</pre>
            </details>
            <p class="help">{ t!("The certificate stays in the list of certificates below. Its private key stays \
                                  in this browser only with this order: until you delete it, start a new order or \
                                  choose \u{201c}Forget this order\u{201d}.") }</p>
        </>
    }
}

/// "from … to …", each moment a `<time>` element (shown to the minute in the language's form, exact in
/// its `datetime`).
fn validity(start: (&str, i64), end: (&str, i64)) -> Html {
    let moment = |(rfc3339, secs): (&str, i64)| {
        let shown = i18n::date_time(secs).unwrap_or_else(|| rfc3339.to_string());
        html! { <time datetime={rfc3339.to_string()}>{ shown }</time> }
    };
    sentence_with(
        i18n::text(t_key!("from {start} to {end}")),
        &[("start", moment(start)), ("end", moment(end))],
    )
}

#[derive(Properties, PartialEq)]
struct DownloadsProps {
    files: ChainFiles,
    /// The certificate key, absent when the person brought a CSR or deleted it.
    cert_key: Option<PrivateKey>,
    /// The key was made here and deleted since.
    key_deleted: bool,
    friendly_name: String,
    /// The page is busy (with the PFX or anything else): no second PFX meanwhile.
    busy: bool,
    /// Shows the busy state while the PFX is made (`Action::Busy`, then `Action::Idle`).
    on_action: Callback<Action>,
}

fn profile_name(profile: PfxProfile) -> &'static str {
    match profile {
        PfxProfile::Modern => t!("Modern"),
        PfxProfile::Compatible => t!("Compatible"),
    }
}

#[function_component(Downloads)]
fn downloads(props: &DownloadsProps) -> Html {
    let password = use_state(String::new);
    let no_password = use_state(|| false);
    let profile = use_state(PfxProfile::default);
    let problem = use_state(|| None::<String>);
    // "Delete the private key" asks first (see `key_at_rest`).
    let deleting_key = use_state(|| false);
    // The PEM files: the download's own refusal names the file.
    let save = |file: &'static str, pem: String| download_on_click(&problem, file.into(), PEM, pem);
    let files = &props.files;
    let key_pem = props.cert_key.as_ref().map(PrivateKey::to_pkcs8_pem);
    let on_pfx = {
        let problem = problem.clone();
        let password = password.clone();
        let no_password = no_password.clone();
        let profile = profile.clone();
        let key = props.cert_key.clone();
        let ders = files.ders.clone();
        let friendly = props.friendly_name.clone();
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            let Some(key) = key.clone() else { return };
            let (password, no_password, profile) = ((*password).clone(), *no_password, *profile);
            let (problem, ders, friendly, on_action) = (
                problem.clone(),
                ders.clone(),
                friendly.clone(),
                on_action.clone(),
            );
            on_action.emit(Action::Busy(t!(
                "Making the PFX file ({profile})…",
                profile = profile_name(profile)
            )));
            problem.set(None);
            spawn_local(async move {
                // Its key derivations (PBKDF2) take a second or more: the page's worker runs them.
                let started = clock::monotonic_ms();
                let job = Job::Pfx {
                    key,
                    chain: ders.into_iter().map(Der).collect(),
                    password: (!no_password).then_some(password),
                    profile,
                    friendly_name: friendly,
                };
                let built = worker::run(job).await.bytes();
                web_sys::console::info_1(
                    &format!(
                        "PFX ({profile:?}) built in {} ms",
                        (clock::monotonic_ms() - started) as u64
                    )
                    .into(),
                );
                let result = built
                    .map_err(|e| t!("Could not make the PFX file: {error}", error = e))
                    .and_then(|bytes| {
                        download("certificate.pfx", "application/x-pkcs12", &bytes).map_err(|e| {
                            t!(
                                "Could not download {file}: {error}",
                                file = "certificate.pfx",
                                error = e
                            )
                        })
                    });
                on_action.emit(Action::Idle);
                problem.set(result.err());
            });
        })
    };
    let missing_password = password.is_empty() && !*no_password;
    let on_profile = {
        let profile = profile.clone();
        Callback::from(move |e: Event| {
            profile.set(if select_value(&e) == "compatible" {
                PfxProfile::Compatible
            } else {
                PfxProfile::Modern
            })
        })
    };
    html! {
        <div class="downloads stack">
            <h3>{ text_node(t!("Files")) }</h3>
            <ul class="file-list">
                <li>
                    <button type="button" class="primary" onclick={save("fullchain.pem", files.fullchain.clone())}>
                        { t!("Download {file}", file = "fullchain.pem") }
                    </button>
                    <span class="help-inline">{ t!(" The certificate followed by the intermediates: what nginx, Apache \
                                                    2.4.8+, cPanel and most panels want.") }</span>
                </li>
                <li>
                    <button type="button" onclick={save("cert.pem", files.cert.clone())}>{ t!("Download {file}", file = "cert.pem") }</button>
                    <span class="help-inline">{ text_node(t!(" The certificate alone.")) }</span>
                </li>
                <li>
                    <button type="button" onclick={save("chain.pem", files.chain.clone())}>{ t!("Download {file}", file = "chain.pem") }</button>
                    <span class="help-inline">{ text_node(t!(" The intermediates alone (\u{201c}CA bundle\u{201d}).")) }</span>
                </li>
                if let Some(key_pem) = &key_pem {
                    <li>
                        <button type="button" onclick={save("privkey.pem", key_pem.clone())}>{ t!("Download {file}", file = "privkey.pem") }</button>
                        <span class="help-inline">{ text_node(t!(" The private key (PKCS#8). Keep it secret; never send it to anyone.")) }</span>
                    </li>
                }
            </ul>
            if props.cert_key.is_some() {
                <div class="pfx stack">
                    <h4>{ text_node(t!("PFX / PKCS#12 (IIS, Windows, some panels)")) }</h4>
                    <div class="field">
                        <label for="pfx-password">{ text_node(t!("PFX password")) }</label>
                        <input id="pfx-password" type="password" autocomplete="new-password" value={(*password).clone()}
                               disabled={*no_password}
                               oninput={{ let password = password.clone(); Callback::from(move |e: InputEvent| password.set(input_value(&e))) }} />
                    </div>
                    <div class="field">
                        <label>
                            <input type="checkbox" checked={*no_password}
                                   onchange={{ let no_password = no_password.clone(); Callback::from(move |e: Event| no_password.set(checked(&e))) }} />
                            { text_node(t!(" No password (anyone with the file gets the key)")) }
                        </label>
                    </div>
                    <div class="field">
                        <label for="pfx-format">{ text_node(t!("PFX format")) }</label>
                        <select id="pfx-format" onchange={on_profile}>
                            <option value="modern" selected={*profile == PfxProfile::Modern}>
                                { text_node(t!("Modern (AES-256, Windows 10 1709+ / Server 2019+)")) }
                            </option>
                            <option value="compatible" selected={*profile == PfxProfile::Compatible}>
                                { text_node(t!("Compatible (3DES, older Windows, macOS keychain)")) }
                            </option>
                        </select>
                        if *profile == PfxProfile::Compatible {
                            <p class="help">{ t!("3DES with 2048 iterations: a short password is guessed quickly from \
                                                  this file. Use a long one.") }</p>
                        }
                    </div>
                    if *no_password {
                        <p class="notice">{ t!("Without a password, anyone who gets the file gets the private key. Use \
                                                this only if the tool that imports it cannot take one.") }</p>
                    }
                    <div class="actions">
                        <button type="button" onclick={on_pfx} disabled={missing_password || props.busy}
                                aria-describedby={missing_password.then_some("pfx-why")}>{ text_node(t!("Download PFX")) }</button>
                        if missing_password {
                            <span id="pfx-why" class="help-inline" data-testid="pfx-disabled-reason">
                                { text_node(t!(" Type a password first (or tick \u{201c}No password\u{201d}).")) }
                            </span>
                        }
                    </div>
                </div>
            } else if props.key_deleted {
                <p class="help" data-testid="key-deleted">{ t!("The private key was deleted from this browser: only \
                                                                the copies you downloaded remain.") }</p>
            } else {
                <p class="help">{ t!("You brought your own CSR, so the private key is wherever you made it: no \
                                      privkey.pem or PFX here.") }</p>
            }
            if props.cert_key.is_some() {
                { key_at_rest(&deleting_key, &props.on_action) }
            }
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
        </div>
    }
}

/// Where the certificate's private key lives until the person deletes it, and the button that does, after
/// asking (`confirming`, the downloads' state: a component of its own would cost the page's wasm about a
/// kilobyte of Yew's code for one flag).
fn key_at_rest(confirming: &UseStateHandle<bool>, on_action: &Callback<Action>) -> Html {
    html! {
        <div class="key-at-rest stack">
            <p class="help">{ t!("The private key is kept in this browser's storage (localStorage, readable by anyone \
                                  who uses this browser profile) until you delete it. Once you have privkey.pem or the \
                                  PFX saved where your server needs it, delete it here.") }</p>
            <div class="actions">
                <button type="button" class="danger"
                        onclick={{ let confirming = confirming.clone(); Callback::from(move |_: MouseEvent| confirming.set(true)) }}>
                    { text_node(t!("Delete the private key from this browser")) }
                </button>
            </div>
            if **confirming {
                <ConfirmDialog
                    id="delete-key-dialog"
                    title={t!("Delete the private key from this browser?")}
                    confirm_label={t!("Delete the key")}
                    on_confirm={{
                        let confirming = confirming.clone();
                        let on_action = on_action.clone();
                        Callback::from(move |()| {
                            confirming.set(false);
                            on_action.emit(Action::ForgetCertKey);
                        })
                    }}
                    on_cancel={{ let confirming = confirming.clone(); Callback::from(move |()| confirming.set(false)) }}
                >
                    <p>{ t!("The page cannot make this key again: without a downloaded copy, the certificate is of no use \
                             and you would need a new one. The certificate itself stays.") }</p>
                </ConfirmDialog>
            }
        </div>
    }
}
