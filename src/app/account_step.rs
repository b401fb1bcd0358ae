//! Step 2: create an account (key made in the page) or use an existing one (key pasted or from a file).

use certsmith::acme::account::files::{AccountBundle, ImportedAccount};
use certsmith::acme::account::parse_contacts;
use certsmith::acme::problem::ProblemKind;
use certsmith::acme::transport::origin;
use certsmith::i18n;
use certsmith::pki::job::{Der, Job};
use certsmith::pki::key::PrivateKey;
use certsmith::web::worker;
use certsmith::wizard::{Action, Section, Step, Task, Wizard};
use certsmith::{t, t_key};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{File, HtmlInputElement};
use yew::prelude::*;

use super::account_lock::LockControls;
use super::account_manage::AccountManage;
use super::download_button::download_on_click;
use super::effects::{generate_account_key, read_key};
use super::external_link::external_link;
use super::forms::{checked, input_value, textarea_value};
use super::section::StepSection;
use super::sentence_with;
use super::state::WizardView;
use super::text_node;

/// What [`account_step`] shows. A plain function, not a component: the step has no state of its own (the
/// forms inside it have), and a component costs the page's wasm about a kilobyte of Yew's code.
pub struct AccountStepProps {
    /// Read only: the step changes the wizard through `on_action` and `on_task`.
    pub wizard: WizardView,
    pub on_action: Callback<Action>,
    pub on_task: Callback<Task>,
}

/// What is wrong with the contact email typed, said before anything is sent (RFC 8555 §7.3: a CA refuses
/// a bad one with invalidContact, and the account would not be created).
fn email_typo(email: &str) -> Option<String> {
    parse_contacts(email).err().map(|typo| {
        t!(
            "{typo}. Write it as name@example.org, or leave it empty.",
            typo = typo
        )
    })
}

pub fn account_step(props: &AccountStepProps) -> Html {
    let w = &*props.wizard;
    let dispatch = props.on_action.clone();
    let body = match w.step {
        Step::Ca => html! { <p class="muted">{ text_node(t!("Connect to a CA first.")) }</p> },
        Step::Account => {
            html! {
                <AccountForms
                    ca_url={AttrValue::from(w.connected_url.clone().unwrap_or_default())}
                    busy={w.is_busy()}
                    terms={w.terms_to_agree().map(AttrValue::from)}
                    eab_missing={w.eab_missing()}
                    no_account={no_account(w)}
                    pending_key={w.pending_account_key.clone()}
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
                <p class="help" data-testid="account-url-locked">{ sentence_with(
                    i18n::text(t_key!("Account {url}: its key is locked. Unlock it at the top of the page.")),
                    &[("url", html! { <code>{ &lock.url }</code> })],
                ) }</p>
            };
        }
        return html! {};
    };
    html! {
        <>
            <AccountSummary url={account.url.clone()} key_pem={account.key.to_pkcs8_pem()}
                key_description={account.key.describe()} thumbprint={account.key.thumbprint()}
                bundle={AccountBundle::new(w.connected_url.as_deref().unwrap_or_default(), &account.url, &account.key).to_json()} />
            <LockControls account={account.clone()} lock={w.account_lock.clone()} on_action={on_action.clone()} />
            <AccountManage locked={w.account_lock.is_some()} busy={w.is_busy()} />
        </>
    }
}

/// The CA said the key last looked up has no account (accountDoesNotExist, RFC 8555 §7.3.1).
fn no_account(w: &Wizard) -> bool {
    w.error
        .as_ref()
        .and_then(|e| e.problem.as_ref())
        .is_some_and(|p| p.kind() == ProblemKind::AccountDoesNotExist)
}

#[derive(Properties, PartialEq)]
struct AccountSummaryProps {
    url: AttrValue,
    key_pem: AttrValue,
    /// Certsmith's account bundle (key, account URL, CA) as JSON.
    bundle: AttrValue,
    key_description: AttrValue,
    thumbprint: AttrValue,
}

#[function_component(AccountSummary)]
fn account_summary(props: &AccountSummaryProps) -> Html {
    let problem = use_state(|| None::<String>);
    let on_download = download_on_click(
        &problem,
        "account-key.pem".into(),
        "application/x-pem-file",
        props.key_pem.to_string(),
    );
    let on_bundle = download_on_click(
        &problem,
        "account.certsmith.json".into(),
        "application/json",
        props.bundle.to_string(),
    );
    html! {
        <>
            <dl class="facts">
                <dt>{ text_node(t!("Account URL")) }</dt>
                <dd><code data-testid="account-url">{ &props.url }</code></dd>
                <dt>{ text_node(t!("Account key")) }</dt>
                <dd>{ sentence_with(
                    i18n::text(t_key!("{key}, JWK thumbprint {thumbprint}")),
                    &[
                        ("key", html! { { &props.key_description } }),
                        ("thumbprint", html! { <code>{ &props.thumbprint }</code> }),
                    ],
                ) }</dd>
            </dl>
            <p class="help">{ t!("The account key is saved in this browser only. Download it to use this account \
                               from another browser or client, and keep it private. The account file holds the key, \
                               the account URL and the CA, and imports back here in one step.") }</p>
            <div class="actions">
                <button type="button" onclick={on_download}>{ text_node(t!("Download account key")) }</button>
                <button type="button" onclick={on_bundle}>{ text_node(t!("Download account file")) }</button>
            </div>
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
        </>
    }
}

#[derive(Properties, PartialEq)]
struct AccountFormsProps {
    /// The directory URL of the CA connected to.
    ca_url: AttrValue,
    busy: bool,
    /// The CA's terms of service, `None` when it publishes none.
    terms: Option<AttrValue>,
    /// The CA requires External Account Binding values that are not entered yet.
    eab_missing: bool,
    /// The CA found no account for the key last sent with "Use existing account".
    no_account: bool,
    /// The key of a newAccount that got no answer: "Create account" sends it again.
    pending_key: Option<PrivateKey>,
    on_task: Callback<Task>,
}

#[function_component(AccountForms)]
fn account_forms(props: &AccountFormsProps) -> Html {
    let agreed = use_state(|| false);
    let email = use_state(String::new);
    let key_text = use_state(String::new);
    let create_problem = use_state(|| None::<String>);
    let import_problem = use_state(|| None::<String>);
    // An account read from other clients' files (or a Certsmith account file); typing a key replaces it.
    let found = use_state(|| None::<ImportedAccount>);
    // The key last looked up, offered for a new account when the CA has none for it.
    let looked_up = use_state(|| None::<PrivateKey>);
    // The account key is being made (WebCrypto: milliseconds; the jobs module: a moment more): one
    // click makes one key and one account.
    let generating = use_state(|| false);
    let busy = props.busy || *generating;
    let terms = props.terms.clone();
    let eab_missing = props.eab_missing;
    // A CA without terms of service (RFC 8555 §7.1.1 makes them optional) has nothing to agree to.
    let must_agree = Wizard::must_agree(terms.as_deref(), *agreed);
    let can_create = !must_agree && !eab_missing && !busy;

    let on_create = {
        let on_task = props.on_task.clone();
        let email = email.clone();
        let create_problem = create_problem.clone();
        let generating = generating.clone();
        let pending_key = props.pending_key.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(typo) = email_typo(&email) {
                return create_problem.set(Some(typo));
            }
            let (on_task, email, create_problem) =
                (on_task.clone(), (*email).clone(), create_problem.clone());
            if let Some(key) = pending_key.clone() {
                create_problem.set(None);
                return on_task.emit(Task::CreateAccount { key, email });
            }
            let then = move |generated: Result<PrivateKey, String>| match generated {
                Ok(key) => {
                    create_problem.set(None);
                    on_task.emit(Task::CreateAccount { key, email });
                }
                Err(e) => create_problem.set(Some(t!(
                    "Could not generate the account key: {why}",
                    why = e
                ))),
            };
            generate_account_key(&generating, Box::new(then));
        })
    };
    let on_create_with_key = {
        let on_task = props.on_task.clone();
        let email = email.clone();
        let looked_up = looked_up.clone();
        let create_problem = create_problem.clone();
        Callback::from(move |_: MouseEvent| {
            // The offer stays: a typo in the email is said under the email, and nothing is sent.
            if let Some(typo) = email_typo(&email) {
                return create_problem.set(Some(typo));
            }
            create_problem.set(None);
            if let Some(key) = (*looked_up).clone() {
                on_task.emit(Task::CreateAccount {
                    key,
                    email: (*email).clone(),
                });
            }
        })
    };
    let on_import = {
        let on_task = props.on_task.clone();
        let key_text = key_text.clone();
        let import_problem = import_problem.clone();
        let found = found.clone();
        let looked_up = looked_up.clone();
        Callback::from(move |_: MouseEvent| {
            let found = (*found).as_ref().map(|account| account.key.clone());
            let (text, on_task, import_problem, looked_up) = (
                (*key_text).clone(),
                on_task.clone(),
                import_problem.clone(),
                looked_up.clone(),
            );
            spawn_local(async move {
                let key = match found {
                    Some(key) => Ok(key),
                    None => read_key(&text).await,
                };
                match key {
                    Ok(key) => {
                        import_problem.set(None);
                        looked_up.set(Some(key.clone()));
                        on_task.emit(Task::ImportAccount { key });
                    }
                    Err(e) => import_problem
                        .set(Some(t!("This is not a usable account key: {why}", why = e))),
                }
            });
        })
    };
    let on_files = {
        let found = found.clone();
        let key_text = key_text.clone();
        let import_problem = import_problem.clone();
        let looked_up = looked_up.clone();
        Callback::from(move |e: Event| {
            looked_up.set(None);
            let input: HtmlInputElement = e.target_unchecked_into();
            let files: Vec<File> = input
                .files()
                .map(|list| (0..list.length()).filter_map(|i| list.get(i)).collect())
                .unwrap_or_default();
            let (found, key_text, import_problem) =
                (found.clone(), key_text.clone(), import_problem.clone());
            spawn_local(async move {
                match read_files(files).await {
                    Ok(account) => {
                        import_problem.set(None);
                        key_text.set(String::new());
                        found.set(Some(account));
                    }
                    Err(problem) => {
                        found.set(None);
                        import_problem.set(Some(problem));
                    }
                }
            });
        })
    };

    html! {
        <div class="two-ways">
            <div class="stack">
                <h3>{ text_node(t!("New account")) }</h3>
                <p class="help">{ text_node(t!("The page makes an ECDSA P-256 account key and keeps it in this browser.")) }</p>
                if let Some(terms) = terms {
                    <div class="field checkbox">
                        <input id="terms" type="checkbox" checked={*agreed}
                               onchange={{ let agreed = agreed.clone(); Callback::from(move |e: Event| agreed.set(checked(&e))) }} />
                        <label for="terms">{ text_node(t!("I agree to the CA's terms of service")) }</label>
                    </div>
                    <p class="help">{ external_link(terms.clone(), Some(t!("Read the terms of service").into()), None) }</p>
                } else {
                    <p class="help" data-testid="no-terms">{ text_node(t!("This CA publishes no terms of service to agree to.")) }</p>
                }
                <div class="field">
                    <label for="email">{ text_node(t!("Email (optional)")) }</label>
                    <input id="email" type="email" autocomplete="email" value={(*email).clone()}
                           oninput={{ let email = email.clone(); Callback::from(move |e: InputEvent| email.set(input_value(&e))) }} />
                    <p class="help">{ text_node(t!("Where the CA may send notices about your certificates and its policies.")) }</p>
                </div>
                <div class="actions">
                    <button type="button" class="primary" onclick={on_create} disabled={!can_create}>{ text_node(t!("Create account")) }</button>
                </div>
                if must_agree {
                    <p class="help">{ text_node(t!("Tick the box to agree to the terms first.")) }</p>
                }
                if eab_missing {
                    <p class="help">{ text_node(t!("Enter the EAB key ID and HMAC key above first.")) }</p>
                }
                if let Some(problem) = &*create_problem {
                    <p class="error" role="alert">{ problem }</p>
                }
            </div>
            <div class="stack">
                <h3>{ text_node(t!("Existing account")) }</h3>
                <p class="help">{ t!("Use an account key from another ACME client (certbot, acme.sh, lego…) or one you \
                                   downloaded here earlier. It stays in this browser.") }</p>
                <div class="field">
                    <label for="import-key">{ text_node(t!("Existing account key (PEM or JWK)")) }</label>
                    <textarea id="import-key" rows="5" spellcheck="false" autocomplete="off"
                              value={(*key_text).clone()}
                              oninput={{ let key_text = key_text.clone(); let found = found.clone(); let looked_up = looked_up.clone(); Callback::from(move |e: InputEvent| { found.set(None); looked_up.set(None); key_text.set(textarea_value(&e)) }) }} />
                </div>
                <div class="field">
                    <label for="import-file">{ text_node(t!("Account key file")) }</label>
                    <input id="import-file" type="file" multiple=true
                           accept=".pem,.key,.json,.jwk,.der,.conf,text/plain,application/json"
                           onchange={on_files.clone()} />
                    <p class="help">{ t!("A key file, a Certsmith account file, or the account files of another client: \
                                       certbot's private_key.json and regr.json, lego's account.json and \
                                       keys/<email>.key, acme.sh's account.key and ca.conf (pick several).") }</p>
                </div>
                <div class="field">
                    <label for="import-folder">{ text_node(t!("Account folder")) }</label>
                    <input id="import-folder" type="file" webkitdirectory=true onchange={on_files} />
                    <p class="help">{ t!("Or the whole account folder, e.g. certbot's accounts/<server>/directory/<id>, \
                                       lego's accounts/<server>/<email>, acme.sh's ca/<server>/directory.") }</p>
                </div>
                if let Some(account) = &*found {
                    { view_found(account, &props.ca_url) }
                }
                <div class="actions">
                    <button type="button" onclick={on_import} disabled={busy || (found.is_none() && key_text.trim().is_empty())}>
                        { text_node(t!("Use existing account")) }
                    </button>
                </div>
                if let Some(problem) = &*import_problem {
                    <p class="error" role="alert">{ problem }</p>
                }
                if let Some(key) = looked_up.as_ref().filter(|_| props.no_account) {
                    <div class="stack no-account" data-testid="no-account-offer">
                        <p>{ sentence_with(
                            i18n::text(t_key!("The CA has no account for this key ({key}, JWK thumbprint \
                                {thumbprint}). You can create a new account with it, with the email entered \
                                under New account, if any.")),
                            &[
                                ("key", html! { { key.describe() } }),
                                ("thumbprint", html! { <code>{ key.thumbprint() }</code> }),
                            ],
                        ) }</p>
                        <div class="actions">
                            <button type="button" class="primary" onclick={on_create_with_key} disabled={!can_create}>
                                { text_node(t!("Create an account with this key")) }
                            </button>
                        </div>
                        if must_agree {
                            <p class="help">{ text_node(t!("Tick \"I agree to the CA's terms of service\" under New account first.")) }</p>
                        }
                        if eab_missing {
                            <p class="help">{ text_node(t!("Enter the EAB key ID and HMAC key above first.")) }</p>
                        }
                    </div>
                }
            </div>
        </div>
    }
}

/// Reads every picked file as bytes (a DER key is not text) and finds the account in them.
async fn read_files(files: Vec<File>) -> Result<ImportedAccount, String> {
    let mut read = Vec::with_capacity(files.len());
    for file in &files {
        let buffer = JsFuture::from(file.array_buffer())
            .await
            .map_err(|_| t!("Could not read {file}.", file = file.name()))?;
        // `webkitRelativePath` (the path inside a picked folder) is not in web-sys's stable API.
        let relative = js_sys::Reflect::get(file, &"webkitRelativePath".into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|p| !p.is_empty());
        let path = relative.unwrap_or_else(|| file.name());
        read.push((path, Der(js_sys::Uint8Array::new(&buffer).to_vec())));
    }
    // Read by the jobs module: the page's wasm reads only the PKCS#8 keys it writes itself.
    worker::run(Job::ReadAccountFiles { files: read })
        .await
        .account()
        .map_err(|e| t!("These files do not make an account: {why}.", why = e))
}

/// What was found in the files, and a warning when they name another CA.
fn view_found(account: &ImportedAccount, ca_url: &str) -> Html {
    let ca_origin = origin(ca_url);
    // An account URL or directory that does not even parse as a URL is "another CA" too.
    let other_ca = account
        .directory
        .as_deref()
        .or(account.url.as_deref())
        .filter(|files| origin(files) != ca_origin)
        .map(|files| origin(files).unwrap_or_else(|| files.to_string()));
    let (source, key) = (account.source.label(), account.key.describe());
    let found = match &account.url {
        Some(url) => sentence_with(
            i18n::text(t_key!(
                "Found {source} account: key {key}, account URL {url}. The CA will confirm it by the key."
            )),
            &[
                ("source", html! { { source } }),
                ("key", html! { { key } }),
                ("url", html! { <code data-testid="import-found-url">{ url }</code> }),
            ],
        ),
        None => html! { { t!(
            "Found {source} account: key {key}. The CA will confirm it by the key.",
            source = source,
            key = key
        ) } },
    };
    html! {
        <div class="stack" data-testid="import-found">
            <p>{ found }</p>
            if let Some(files) = other_ca {
                <p class="notice" role="status">{ t!("These files are for the CA at {files}, and this page is \
                    connected to {ca}. Connect to that CA first, or the account will not be found.",
                    files = files, ca = ca_origin.as_deref().unwrap_or(ca_url)) }</p>
            }
        </div>
    }
}
