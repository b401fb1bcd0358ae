//! Step 2: create an account (key made in the page) or use an existing one (key pasted or from a file).

use certsmith::pki::key::{KeyType, PrivateKey};
use certsmith::web::download::download;
use certsmith::wizard::{Action, Section, Step, Task, Wizard};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::account_lock::LockControls;
use super::external_link::ExternalLink;
use super::forms::{checked, input_value, textarea_value};
use super::section::StepSection;
use super::state::WizardView;

#[derive(Properties, PartialEq)]
pub struct AccountStepProps {
    /// Read only: the step changes the wizard through `on_action` and `on_task`.
    pub wizard: WizardView,
    pub on_action: Callback<Action>,
    pub on_task: Callback<Task>,
}

#[function_component(AccountStep)]
pub fn account_step(props: &AccountStepProps) -> Html {
    let w = &*props.wizard;
    let dispatch = props.on_action.clone();
    let body = match w.step {
        Step::Ca => html! { <p class="muted">{ "Connect to a CA first." }</p> },
        Step::Account => {
            html! {
                <AccountForms
                    busy={w.is_busy()}
                    terms={w.terms_to_agree().map(AttrValue::from)}
                    eab_missing={w.eab_missing()}
                    on_task={props.on_task.clone()}
                />
            }
        }
        _ => view_account(w, &dispatch),
    };
    html! {
        <StepSection
            section={Section::Account}
            at={w.section()}
            busy={w.busy.clone()}
            error={w.error.clone()}
            on_task={props.on_task.clone()}
            on_dismiss={dispatch.reform(|()| Action::DismissError)}
        >
            { body }
        </StepSection>
    }
}

fn view_account(w: &Wizard, on_action: &Callback<Action>) -> Html {
    let Some(account) = &w.account else {
        if let Some(lock) = &w.account_lock {
            return html! {
                <p class="help" data-testid="account-url-locked">{ "Account " }<code>{ &lock.url }</code>
                   { ": its key is locked. Unlock it at the top of the page." }</p>
            };
        }
        return html! {};
    };
    html! {
        <>
            <AccountSummary url={account.url.clone()} key_pem={account.key.to_pkcs8_pem()}
                key_description={account.key.describe()} thumbprint={account.key.thumbprint()} />
            <LockControls account={account.clone()} lock={w.account_lock.clone()} on_action={on_action.clone()} />
        </>
    }
}

#[derive(Properties, PartialEq)]
struct AccountSummaryProps {
    url: AttrValue,
    key_pem: AttrValue,
    key_description: AttrValue,
    thumbprint: AttrValue,
}

#[function_component(AccountSummary)]
fn account_summary(props: &AccountSummaryProps) -> Html {
    let problem = use_state(|| None::<String>);
    let on_download = {
        let pem = props.key_pem.clone();
        let problem = problem.clone();
        Callback::from(move |_: MouseEvent| {
            problem.set(
                download("account-key.pem", "application/x-pem-file", pem.as_bytes())
                    .err()
                    .map(|e| format!("Could not download the key: {e}")),
            )
        })
    };
    html! {
        <>
            <dl class="facts">
                <dt>{ "Account URL" }</dt>
                <dd><code data-testid="account-url">{ &props.url }</code></dd>
                <dt>{ "Account key" }</dt>
                <dd>{ &props.key_description }{ ", JWK thumbprint " }<code>{ &props.thumbprint }</code></dd>
            </dl>
            <p class="help">{ "The account key is saved in this browser only. Download it to use this account \
                               from another browser or client, and keep it private." }</p>
            <div class="actions">
                <button type="button" onclick={on_download}>{ "Download account key" }</button>
            </div>
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct AccountFormsProps {
    busy: bool,
    /// The CA's terms of service, `None` when it publishes none.
    terms: Option<AttrValue>,
    /// The CA requires External Account Binding values that are not entered yet.
    eab_missing: bool,
    on_task: Callback<Task>,
}

#[function_component(AccountForms)]
fn account_forms(props: &AccountFormsProps) -> Html {
    let agreed = use_state(|| false);
    let email = use_state(String::new);
    let key_text = use_state(String::new);
    let create_problem = use_state(|| None::<String>);
    let import_problem = use_state(|| None::<String>);
    let busy = props.busy;
    let terms = props.terms.clone();
    let eab_missing = props.eab_missing;
    // A CA without terms of service (RFC 8555 §7.1.1 makes them optional) has nothing to agree to.
    let must_agree = Wizard::must_agree(terms.as_deref(), *agreed);
    let can_create = !must_agree && !eab_missing && !busy;

    let on_create = {
        let on_task = props.on_task.clone();
        let email = email.clone();
        let create_problem = create_problem.clone();
        Callback::from(
            move |_: MouseEvent| match PrivateKey::generate(KeyType::P256) {
                Ok(key) => {
                    create_problem.set(None);
                    on_task.emit(Task::CreateAccount {
                        key,
                        email: (*email).clone(),
                    });
                }
                Err(e) => {
                    create_problem.set(Some(format!("Could not generate the account key: {e}")))
                }
            },
        )
    };
    let on_import = {
        let on_task = props.on_task.clone();
        let key_text = key_text.clone();
        let import_problem = import_problem.clone();
        Callback::from(
            move |_: MouseEvent| match PrivateKey::parse(key_text.as_bytes()) {
                Ok(key) => {
                    import_problem.set(None);
                    on_task.emit(Task::ImportAccount { key });
                }
                Err(e) => {
                    import_problem.set(Some(format!("This is not a usable account key: {e}")))
                }
            },
        )
    };
    let on_file = {
        let key_text = key_text.clone();
        let import_problem = import_problem.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let key_text = key_text.clone();
            let import_problem = import_problem.clone();
            spawn_local(async move {
                match JsFuture::from(file.text())
                    .await
                    .ok()
                    .and_then(|v| v.as_string())
                {
                    Some(text) => {
                        import_problem.set(None);
                        key_text.set(text);
                    }
                    None => import_problem.set(Some(
                        "Could not read that file as text. Paste the key instead.".into(),
                    )),
                }
            });
        })
    };

    html! {
        <div class="two-ways">
            <div class="stack">
                <h3>{ "New account" }</h3>
                <p class="help">{ "The page makes an ECDSA P-256 account key and keeps it in this browser." }</p>
                if let Some(terms) = terms {
                    <div class="field checkbox">
                        <input id="terms" type="checkbox" checked={*agreed}
                               onchange={{ let agreed = agreed.clone(); Callback::from(move |e: Event| agreed.set(checked(&e))) }} />
                        <label for="terms">{ "I agree to the CA's terms of service" }</label>
                    </div>
                    <p class="help"><ExternalLink url={terms.clone()} label="Read the terms of service" /></p>
                } else {
                    <p class="help" data-testid="no-terms">{ "This CA publishes no terms of service to agree to." }</p>
                }
                <div class="field">
                    <label for="email">{ "Email (optional)" }</label>
                    <input id="email" type="email" autocomplete="email" value={(*email).clone()}
                           oninput={{ let email = email.clone(); Callback::from(move |e: InputEvent| email.set(input_value(&e))) }} />
                    <p class="help">{ "Where the CA may send notices about your certificates and its policies." }</p>
                </div>
                <div class="actions">
                    <button type="button" class="primary" onclick={on_create} disabled={!can_create}>{ "Create account" }</button>
                </div>
                if must_agree {
                    <p class="help">{ "Tick the box to agree to the terms first." }</p>
                }
                if eab_missing {
                    <p class="help">{ "Enter the EAB key ID and HMAC key above first." }</p>
                }
                if let Some(problem) = &*create_problem {
                    <p class="error" role="alert">{ problem }</p>
                }
            </div>
            <div class="stack">
                <h3>{ "Existing account" }</h3>
                <p class="help">{ "Use an account key from another ACME client (certbot, acme.sh, lego…) or one you \
                                   downloaded here earlier. It stays in this browser." }</p>
                <div class="field">
                    <label for="import-key">{ "Existing account key (PEM or JWK)" }</label>
                    <textarea id="import-key" rows="5" spellcheck="false" autocomplete="off"
                              value={(*key_text).clone()}
                              oninput={{ let key_text = key_text.clone(); Callback::from(move |e: InputEvent| key_text.set(textarea_value(&e))) }} />
                </div>
                <div class="field">
                    <label for="import-file">{ "Account key file" }</label>
                    <input id="import-file" type="file" accept=".pem,.key,.json,.jwk,.der,text/plain,application/json"
                           onchange={on_file} />
                </div>
                <div class="actions">
                    <button type="button" onclick={on_import} disabled={busy || key_text.trim().is_empty()}>
                        { "Use existing account" }
                    </button>
                </div>
                if let Some(problem) = &*import_problem {
                    <p class="error" role="alert">{ problem }</p>
                }
            </div>
        </div>
    }
}
