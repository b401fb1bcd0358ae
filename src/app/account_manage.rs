//! The account as the CA keeps it (RFC 8555 §7.3): read it (POST-as-GET), change its contacts (§7.3.2),
//! roll it over to a new key (§7.3.5), deactivate it (§7.3.6). Each button sends one request through the
//! page's client, so it shows in the protocol log; a key change or a deactivation then changes the wizard
//! with its [`Action`]. Nothing is asked of the CA until a button is pressed.

use std::future::Future;
use std::rc::Rc;

use certsmith::acme::account::{parse_contacts, Account, AccountCredentials, AccountStatus};
use certsmith::i18n;
use certsmith::pki::key::PrivateKey;
use certsmith::web::download::download;
use certsmith::web::tabs;
use certsmith::wizard::{Action, ErrorInfo};
use certsmith::{t, t_key};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::dialog::Modal;
use super::effects::{generate_account_key, Ctx, PageClient};
use super::error_panel::view_problem;
use super::forms::input_value;
use super::progress::Busy;
use super::sentence_with;
use super::status;
use super::text_node;

/// The word the deactivation dialog asks for, in the page's language.
fn confirm_word() -> &'static str {
    t!("deactivate")
}

/// The parts of the panel, each showing its own progress and failure.
#[derive(Clone, Copy, PartialEq)]
enum Part {
    Show,
    Contacts,
    Key,
    Deactivate,
}

/// The panel's requests: one at a time, with what is under way and what went wrong, per part.
#[derive(Clone, PartialEq)]
struct Requests {
    ctx: Ctx,
    working: UseStateHandle<Option<(Part, String)>>,
    problem: UseStateHandle<Option<(Part, ErrorInfo)>>,
    /// The account object of the CA's latest answer.
    answer: UseStateHandle<Option<Account>>,
}

impl Requests {
    /// Sends `request` for the open account through the page's client; `then` takes the CA's answer,
    /// a failure shows in `part` as "`what`: <error>" with the core's hint.
    fn send<T, F>(
        &self,
        part: Part,
        label: &str,
        what: &'static str,
        request: impl FnOnce(Rc<PageClient>, AccountCredentials) -> F + 'static,
        then: impl FnOnce(T) + 'static,
    ) where
        T: 'static,
        F: Future<Output = Result<T, certsmith::Error>> + 'static,
    {
        // A newer tab works on the saved state now: this one sends nothing (as `effects::run`).
        if tabs::is_passive() {
            return;
        }
        let wizard = self.ctx.wizard();
        let (Some(account), Some(client)) = (wizard.account.clone(), self.ctx.client(&wizard))
        else {
            return;
        };
        self.working.set(Some((part, label.to_string())));
        self.problem.set(None);
        let this = self.clone();
        spawn_local(async move {
            let result = request(client, account).await;
            this.working.set(None);
            match result {
                Ok(value) => then(value),
                Err(e) => this
                    .problem
                    .set(Some((part, ErrorInfo::from_error(what, &e, None)))),
            }
        });
    }

    fn fail(&self, part: Part, message: String, hint: &str) {
        self.problem
            .set(Some((part, ErrorInfo::new(message, hint, None))));
    }

    /// The progress and the failure of `part`, where that part is.
    fn view_status(&self, part: Part) -> Html {
        let working = self.working.as_ref().filter(|(p, _)| *p == part);
        let problem = self.problem.as_ref().filter(|(p, _)| *p == part);
        html! {
            <>
                if let Some((_, label)) = working {
                    <Busy label={label.clone()} />
                }
                if let Some((_, error)) = problem {
                    <div class="error" role="alert">
                        <p class="error-message">{ &error.message }</p>
                        if let Some(problem) = &error.problem {
                            { view_problem(problem) }
                        }
                        <p class="hint"><strong>{ text_node(t!("What to do: ")) }</strong>{ &error.hint }</p>
                    </div>
                }
            </>
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct AccountManageProps {
    /// The account key is locked with a passphrase (a key change removes the lock).
    pub locked: bool,
    /// The page is talking to the CA about the order: the panel waits.
    pub busy: bool,
}

/// "Account at the CA", below the account's key: what the CA has, and the changes RFC 8555 allows.
#[function_component(AccountManage)]
pub fn account_manage(props: &AccountManageProps) -> Html {
    let ctx = use_context::<Ctx>();
    let working = use_state(|| None);
    let problem = use_state(|| None);
    let answer = use_state(|| None);
    // The deactivation's confirmation is open (see `deactivate`).
    let deactivating = use_state(|| false);
    let Some(ctx) = ctx else {
        return html! {};
    };
    let requests = Requests {
        ctx,
        working,
        problem,
        answer,
    };
    let disabled = props.busy || requests.working.is_some();
    html! {
        <details class="account-manage" data-testid="account-manage">
            <summary>{ text_node(t!("Account at the CA")) }</summary>
            <p class="help">{ t!("What the CA keeps about this account, and the changes it allows. Each button sends \
                               one request to the CA, listed in the protocol log.") }</p>
            if props.busy {
                <p class="help">{ text_node(t!("The page is talking to the CA about the order; the buttons wait until it is done.")) }</p>
            }
            { show_account(&requests, disabled) }
            <Contacts requests={requests.clone()} {disabled} />
            <KeyRollover requests={requests.clone()} {disabled} locked={props.locked} />
            { deactivate(&requests, disabled, &deactivating) }
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct PartProps {
    requests: Requests,
    disabled: bool,
}

/// The account object as the CA has it now (POST-as-GET to the account URL, RFC 8555 §7.3). A plain
/// function: its state is the panel's `requests`.
fn show_account(requests: &Requests, disabled: bool) -> Html {
    let on_show = {
        let requests = requests.clone();
        Callback::from(move |_: MouseEvent| {
            let answer = requests.answer.clone();
            requests.send(
                Part::Show,
                t!("Asking the CA for the account…"),
                t!("Could not read the account"),
                |client, account| async move { client.fetch_account(&account).await },
                move |account| answer.set(Some(account)),
            );
        })
    };
    html! {
        <div class="stack">
            <h3>{ text_node(t!("The account at the CA")) }</h3>
            <div class="actions">
                <button type="button" onclick={on_show} disabled={disabled}>{ text_node(t!("Show the account at the CA")) }</button>
            </div>
            if let Some(account) = &*requests.answer {
                { view_account(account) }
            }
            { requests.view_status(Part::Show) }
        </div>
    }
}

fn view_account(account: &Account) -> Html {
    html! {
        <dl class="facts" data-testid="ca-account">
            <dt>{ text_node(t!("Status")) }</dt>
            <dd><span class={classes!("status", status_class(account.status))} data-testid="ca-account-status">
                { status::account(account.status) }
            </span></dd>
            <dt>{ text_node(t!("Contacts")) }</dt>
            <dd data-testid="ca-account-contacts">{ view_contacts(&account.contact) }</dd>
            if let Some(orders) = &account.orders {
                <dt>{ text_node(t!("Orders list")) }</dt>
                <dd><code data-testid="ca-account-orders">{ orders }</code></dd>
            }
            if let Some(agreed) = account.terms_of_service_agreed {
                <dt>{ text_node(t!("Terms agreed")) }</dt>
                <dd>{ if agreed { text_node(t!("yes")) } else { text_node(t!("no")) } }</dd>
            }
        </dl>
    }
}

fn view_contacts(contacts: &[String]) -> Html {
    if contacts.is_empty() {
        return html! { { text_node(t!("none")) } };
    }
    html! {
        { for contacts.iter().enumerate().map(|(i, contact)| html! {
            <>{ if i > 0 { ", " } else { "" } }<code>{ contact }</code></>
        }) }
    }
}

/// The account's status as RFC 8555 names it (§7.1.6), for the CSS class.
fn status_class(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Valid => "valid",
        AccountStatus::Deactivated => "deactivated",
        AccountStatus::Revoked => "revoked",
        AccountStatus::Unknown => "unknown",
    }
}

/// The contact emails (RFC 8555 §7.3.2): replaced all at once by what is typed.
#[function_component(Contacts)]
fn contacts(props: &PartProps) -> Html {
    let requests = &props.requests;
    let text = use_state(String::new);
    let edited = use_state(|| false);
    let saved = use_state(|| None::<Vec<String>>);
    // Until the person types, the field shows what the CA has.
    {
        let (text, edited) = (text.clone(), edited.clone());
        use_effect_with((*requests.answer).clone(), move |answer| {
            if let (false, Some(account)) = (*edited, answer) {
                let emails: Vec<&str> = account
                    .contact
                    .iter()
                    .map(|c| c.strip_prefix("mailto:").unwrap_or(c))
                    .collect();
                text.set(emails.join(", "));
            }
        });
    }
    let parsed = parse_contacts(&text).map_err(|e| {
        t!(
            "{typo}. Write each as name@example.org, separated by commas or spaces.",
            typo = e
        )
    });
    let on_update = {
        let requests = requests.clone();
        let saved = saved.clone();
        let contacts = parsed.clone().unwrap_or_default();
        Callback::from(move |_: MouseEvent| {
            let (answer, saved) = (requests.answer.clone(), saved.clone());
            let contacts = contacts.clone();
            saved.set(None);
            requests.send(
                Part::Contacts,
                t!("Sending the contacts to the CA…"),
                t!("Could not change the contacts"),
                |client, account| async move { client.update_contacts(&account, &contacts).await },
                move |account| {
                    saved.set(Some(account.contact.clone()));
                    answer.set(Some(account));
                },
            );
        })
    };
    let on_input = {
        let (text, edited) = (text.clone(), edited.clone());
        Callback::from(move |e: InputEvent| {
            edited.set(true);
            text.set(input_value(&e));
        })
    };
    html! {
        <div class="stack">
            <h3>{ text_node(t!("Contacts")) }</h3>
            <div class="field">
                <label for="contact-emails">{ text_node(t!("Contact emails")) }</label>
                <input id="contact-emails" type="text" inputmode="email" autocomplete="email" spellcheck="false"
                       placeholder="name@example.org" value={(*text).clone()} oninput={on_input} />
                <p class="help">{ t!("Where the CA may write about this account. Several are separated by commas or \
                                   spaces; the CA may limit how many it keeps. Empty: the account has no contact.") }</p>
            </div>
            if let Err(problem) = &parsed {
                <p class="error" role="alert">{ problem }</p>
            }
            <div class="actions">
                <button type="button" onclick={on_update} disabled={props.disabled || parsed.is_err()}>
                    { text_node(t!("Update contacts")) }
                </button>
            </div>
            if let Some(contacts) = &*saved {
                <p role="status" data-testid="contacts-answer">{ sentence_with(
                    i18n::text(t_key!("The CA now has: {contacts}")),
                    &[("contacts", view_contacts(contacts))],
                ) }</p>
            }
            { requests.view_status(Part::Contacts) }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct KeyRolloverProps {
    requests: Requests,
    disabled: bool,
    locked: bool,
}

/// A new key for the same account (keyChange, RFC 8555 §7.3.5), offered for download before the switch.
#[function_component(KeyRollover)]
fn key_rollover(props: &KeyRolloverProps) -> Html {
    let requests = &props.requests;
    let new_key = use_state(|| None::<PrivateKey>);
    let downloaded = use_state(|| false);
    let switched = use_state(|| None::<String>);
    let local_problem = use_state(|| None::<String>);
    // One click, one key: the button waits for the key it asked for.
    let generating = use_state(|| false);

    let on_generate = {
        let (new_key, downloaded, switched, local_problem, generating) = (
            new_key.clone(),
            downloaded.clone(),
            switched.clone(),
            local_problem.clone(),
            generating.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let (new_key, downloaded, switched, local_problem) = (
                new_key.clone(),
                downloaded.clone(),
                switched.clone(),
                local_problem.clone(),
            );
            let then = move |generated: Result<PrivateKey, String>| match generated {
                Ok(key) => {
                    downloaded.set(false);
                    switched.set(None);
                    local_problem.set(None);
                    new_key.set(Some(key));
                }
                Err(e) => {
                    local_problem.set(Some(t!("Could not generate a new key: {why}", why = e)))
                }
            };
            generate_account_key(&generating, Box::new(then));
        })
    };
    let on_download = {
        let (new_key, downloaded, local_problem) =
            (new_key.clone(), downloaded.clone(), local_problem.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(key) = &*new_key else { return };
            let pem = key.to_pkcs8_pem();
            match download(
                "account-key-new.pem",
                "application/x-pem-file",
                pem.as_bytes(),
            ) {
                Ok(()) => {
                    local_problem.set(None);
                    downloaded.set(true);
                }
                Err(e) => {
                    local_problem.set(Some(t!("Could not download the new key: {why}", why = e)))
                }
            }
        })
    };
    let on_switch = {
        let requests = requests.clone();
        let (new_key, downloaded, switched) =
            (new_key.clone(), downloaded.clone(), switched.clone());
        Callback::from(move |_: MouseEvent| {
            let Some(key) = (*new_key).clone().filter(|_| *downloaded) else {
                return;
            };
            let ctx = requests.ctx.clone();
            let (new_key, downloaded, switched) =
                (new_key.clone(), downloaded.clone(), switched.clone());
            requests.send(
                Part::Key,
                t!("Switching the account to the new key…"),
                t!("Could not switch to the new key"),
                move |client, account| async move { client.key_change(&account, &key).await },
                move |account| {
                    switched.set(Some(account.key.thumbprint()));
                    new_key.set(None);
                    downloaded.set(false);
                    ctx.dispatch(Action::AccountKeyChanged(account));
                },
            );
        })
    };

    html! {
        <div class="stack">
            <h3>{ text_node(t!("Change the account key")) }</h3>
            <p class="help">{ t!("A new key for the same account: its URL, orders and certificates stay, and from the \
                               switch on the CA accepts only the new key. Worth doing when the old key may have \
                               been seen by someone else.") }</p>
            if let Some(thumbprint) = &*switched {
                <p role="status" data-testid="key-switched">{ sentence_with(
                    i18n::text(t_key!("The CA now knows this account by the new key (JWK thumbprint {thumbprint}); \
                        the old key no longer works there. \"Download account key\" above gives the new one.")),
                    &[("thumbprint", html! { <code>{ thumbprint }</code> })],
                ) }</p>
            }
            if let Some(key) = &*new_key {
                <p>{ sentence_with(
                    i18n::text(t_key!(
                        "New key: {key}, JWK thumbprint {thumbprint}. It exists only in this page until the switch."
                    )),
                    &[
                        ("key", html! { { key.describe() } }),
                        ("thumbprint", html! { <code data-testid="new-key-thumbprint">{ key.thumbprint() }</code> }),
                    ],
                ) }</p>
                <p class="help">{ t!("Download it first: if the CA's answer to the switch were lost on the way, that \
                                   file would be the only key to the account.") }</p>
                if props.locked {
                    <p class="help" data-testid="switch-removes-lock">{ t!("The passphrase lock is removed by the \
                        switch, since it holds the old key. Lock the new key again afterwards, above.") }</p>
                }
                <div class="actions">
                    <button type="button" onclick={on_download}>{ text_node(t!("Download the new key")) }</button>
                    <button type="button" class="primary" onclick={on_switch}
                            disabled={props.disabled || !*downloaded}>
                        { text_node(t!("Switch to the new key")) }
                    </button>
                </div>
                if !*downloaded {
                    <p class="help">{ text_node(t!("\"Switch to the new key\" waits until the new key is downloaded.")) }</p>
                }
            } else {
                <div class="actions">
                    <button type="button" onclick={on_generate} disabled={props.disabled || *generating}>{ text_node(t!("Generate a new key")) }</button>
                </div>
            }
            if let Some(problem) = &*local_problem {
                <p class="error" role="alert">{ problem }</p>
            }
            { requests.view_status(Part::Key) }
        </div>
    }
}

/// Deactivation (RFC 8555 §7.3.6), after the person types the confirmation word. A plain function: its
/// one flag, `asking`, is the panel's state (a component of its own costs the page's wasm about a
/// kilobyte of Yew's code).
fn deactivate(requests: &Requests, disabled: bool, asking: &UseStateHandle<bool>) -> Html {
    let on_confirm = {
        let requests = requests.clone();
        let asking = asking.clone();
        Callback::from(move |()| {
            asking.set(false);
            let this = requests.clone();
            requests.send(
                Part::Deactivate,
                t!("Deactivating the account…"),
                t!("Could not deactivate the account"),
                |client, account| async move { client.deactivate_account(&account).await },
                move |account| {
                    if account.status == AccountStatus::Deactivated {
                        this.ctx.dispatch(Action::AccountDeactivated);
                    } else {
                        this.fail(
                            Part::Deactivate,
                            t!(
                                "The CA answered, but the account is still {status}.",
                                status = status::account(account.status)
                            ),
                            t!("Show the account to see what the CA has; the protocol log has its answer."),
                        );
                    }
                },
            );
        })
    };
    html! {
        <div class="stack">
            <h3>{ text_node(t!("Deactivate the account")) }</h3>
            <p class="help">{ text_node(t!("Ends this account at the CA for good. The dialog says what that means.")) }</p>
            <div class="actions">
                <button type="button" class="danger" disabled={disabled}
                        onclick={{ let asking = asking.clone(); Callback::from(move |_: MouseEvent| asking.set(true)) }}>
                    { text_node(t!("Deactivate account")) }
                </button>
            </div>
            { requests.view_status(Part::Deactivate) }
            if **asking {
                <DeactivateDialog on_confirm={on_confirm}
                                  on_cancel={{ let asking = asking.clone(); Callback::from(move |()| asking.set(false)) }} />
            }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct DeactivateDialogProps {
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
}

/// A [`Modal`] with a typed confirmation: focus goes to the field, and the button (or Enter) works once
/// the word is typed.
#[function_component(DeactivateDialog)]
fn deactivate_dialog(props: &DeactivateDialogProps) -> Html {
    let typed = use_state(String::new);
    let input_ref = use_node_ref();
    let confirmed = typed.trim() == confirm_word();
    let on_enter = {
        let on_confirm = props.on_confirm.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" && confirmed {
                e.prevent_default();
                on_confirm.emit(());
            }
        })
    };
    html! {
        <Modal id="deactivate-dialog" title={t!("Deactivate this account for good?")}
               on_cancel={props.on_cancel.clone()} focus={input_ref.clone()}>
            <ul>
                <li>{ t!("The CA then refuses every request signed with this account's key: no new orders or \
                       renewals, no changes to the account. There is no way back: ACME cannot reactivate an \
                       account.") }</li>
                <li>{ t!("The key cannot make a new account at this CA either, since the CA refuses it. To use \
                       this CA again, create a new account, which makes a new key.") }</li>
                <li>{ t!("Certificates already issued stay valid until they expire: the CA must not revoke them \
                       because of this. To revoke one later, sign with the certificate's own key.") }</li>
                <li>{ t!("The CA may cancel orders still pending. This page forgets the account and any order \
                       under way, and goes back to the Account step.") }</li>
            </ul>
            <div class="field">
                <label for="deactivate-confirm">{ t!("Type {word} to confirm", word = confirm_word()) }</label>
                <input id="deactivate-confirm" type="text" autocomplete="off" spellcheck="false" ref={input_ref}
                       value={(*typed).clone()} onkeydown={on_enter}
                       oninput={{ let typed = typed.clone(); Callback::from(move |e: InputEvent| typed.set(input_value(&e))) }} />
            </div>
            <div class="actions">
                <button type="button" class="danger" disabled={!confirmed}
                        onclick={props.on_confirm.reform(|_: MouseEvent| ())}>
                    { text_node(t!("Deactivate for good")) }
                </button>
                <button type="button" onclick={props.on_cancel.reform(|_: MouseEvent| ())}>{ text_node(t!("Cancel")) }</button>
            </div>
        </Modal>
    }
}
