//! The account key's passphrase lock: sealing it (so that this browser's storage keeps it only encrypted),
//! opening it once per visit, and removing the lock. The sealing itself is the core's
//! [`certsmith::pki::sealed::SealedKey`], run in the page's worker (PBKDF2 would hold the page for most of a
//! second); this is the page around it.

use certsmith::acme::account::AccountCredentials;
use certsmith::i18n;
use certsmith::pki::job::{Job, Outcome};
use certsmith::pki::sealed::MIN_PASSPHRASE_CHARS;
use certsmith::web::worker;
use certsmith::wizard::{AccountLock, Action, Task};
use certsmith::{t, t_key};
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::dialog::ConfirmDialog;
use super::download_button::download_on_click;
use super::forms::input_value;
use super::sentence_with;
use super::text_node;

/// Runs `job` (PBKDF2: most of a second) in the page's worker, so the page stays responsive, then hands
/// its outcome on.
fn off_the_page(job: Job, then: impl FnOnce(Outcome) + 'static) {
    spawn_local(async move { then(worker::run(job).await) });
}

#[derive(Properties, PartialEq)]
pub struct LockControlsProps {
    /// The open account (its key in the clear, for this visit).
    pub account: AccountCredentials,
    /// The sealed copy, when the account is locked.
    pub lock: Option<AccountLock>,
    pub on_action: Callback<Action>,
}

/// In the account section: lock the key with a passphrase, or (once locked) download the sealed key or
/// remove the lock.
#[function_component(LockControls)]
pub fn lock_controls(props: &LockControlsProps) -> Html {
    let passphrase = use_state(String::new);
    let repeat = use_state(String::new);
    let working = use_state(|| false);
    let problem = use_state(|| None::<String>);

    if let Some(lock) = &props.lock {
        let pem = lock.key.to_pem();
        let on_download = download_on_click(
            &problem,
            "account-key-encrypted.pem".into(),
            "application/x-pem-file",
            pem,
        );
        return html! {
            <div class="stack" data-testid="account-locked">
                <p class="help">{ t!("Locked with a passphrase: this browser keeps the account key only encrypted \
                                   (PKCS#8, PBKDF2-SHA256 with 600,000 rounds, AES-256). It is open for this visit; \
                                   after a reload the page asks for the passphrase before it signs anything.") }</p>
                <div class="actions">
                    <button type="button" onclick={on_download}>{ text_node(t!("Download encrypted account key")) }</button>
                    <button type="button" onclick={props.on_action.reform(|_: MouseEvent| Action::AccountLockRemoved)}>
                        { text_node(t!("Remove the passphrase")) }
                    </button>
                </div>
                if let Some(problem) = &*problem {
                    <p class="error" role="alert">{ problem }</p>
                }
            </div>
        };
    }

    let mismatch = !repeat.is_empty() && *passphrase != *repeat;
    let too_short = passphrase.chars().count() < MIN_PASSPHRASE_CHARS;
    let can_lock = !too_short && *passphrase == *repeat && !*working;
    let on_lock = {
        let account = props.account.clone();
        let passphrase = passphrase.clone();
        let repeat = repeat.clone();
        let working = working.clone();
        let problem = problem.clone();
        let on_action = props.on_action.clone();
        Callback::from(move |_: MouseEvent| {
            working.set(true);
            let key = account.key.clone();
            let url = account.url.clone();
            let secret = (*passphrase).clone();
            let (passphrase, repeat, working, problem, on_action) = (
                passphrase.clone(),
                repeat.clone(),
                working.clone(),
                problem.clone(),
                on_action.clone(),
            );
            off_the_page(
                Job::Seal {
                    key,
                    passphrase: secret,
                },
                move |outcome| {
                    working.set(false);
                    match outcome.sealed() {
                        Ok(key) => {
                            passphrase.set(String::new());
                            repeat.set(String::new());
                            problem.set(None);
                            on_action.emit(Action::AccountLocked(AccountLock { url, key }));
                        }
                        Err(e) => problem.set(Some(t!("Could not lock the key: {why}", why = e))),
                    }
                },
            );
        })
    };
    html! {
        <details class="lock">
            <summary>{ text_node(t!("Lock the account key with a passphrase")) }</summary>
            <p class="help">{ t!("Then this browser keeps the key only encrypted, and the page asks for the passphrase \
                               once per visit. Nobody can recover a forgotten passphrase: download the key first.") }</p>
            <div class="field">
                <label for="lock-passphrase">{ text_node(t!("New passphrase")) }</label>
                <input id="lock-passphrase" type="password" autocomplete="new-password" value={(*passphrase).clone()}
                       oninput={{ let passphrase = passphrase.clone(); Callback::from(move |e: InputEvent| passphrase.set(input_value(&e))) }} />
                <p class="help">{ t!("At least {count} characters.", count = MIN_PASSPHRASE_CHARS) }</p>
            </div>
            <div class="field">
                <label for="lock-repeat">{ text_node(t!("Repeat the passphrase")) }</label>
                <input id="lock-repeat" type="password" autocomplete="new-password" value={(*repeat).clone()}
                       oninput={{ let repeat = repeat.clone(); Callback::from(move |e: InputEvent| repeat.set(input_value(&e))) }} />
            </div>
            if mismatch {
                <p class="error" role="alert">{ text_node(t!("The two passphrases differ.")) }</p>
            }
            <div class="actions">
                <button type="button" onclick={on_lock} disabled={!can_lock}>
                    { if *working { text_node(t!("Locking…")) } else { text_node(t!("Lock account key")) } }
                </button>
            </div>
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
        </details>
    }
}

#[derive(Properties, PartialEq)]
pub struct UnlockPanelProps {
    pub lock: AccountLock,
    /// An order is under way that the page goes on with once the key is open.
    pub resume_order: bool,
    pub on_action: Callback<Action>,
    pub on_task: Callback<Task>,
}

/// At the top of the page while the account key is locked: the passphrase opens it for this visit.
#[function_component(UnlockPanel)]
pub fn unlock_panel(props: &UnlockPanelProps) -> Html {
    let passphrase = use_state(String::new);
    let working = use_state(|| false);
    let problem = use_state(|| None::<String>);
    let forgetting = use_state(|| false);
    let input_ref = use_node_ref();
    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
            }
            // The passphrase opens the key there: its wasm loads while the person types.
            worker::warm_up();
        });
    }
    let unlock = {
        let lock = props.lock.clone();
        let passphrase = passphrase.clone();
        let working = working.clone();
        let problem = problem.clone();
        let on_action = props.on_action.clone();
        let on_task = props.on_task.clone();
        let resume_order = props.resume_order;
        Callback::from(move |()| {
            if *working {
                return;
            }
            working.set(true);
            let sealed = lock.key.clone();
            let url = lock.url.clone();
            let secret = (*passphrase).clone();
            let (working, problem, on_action, on_task) = (
                working.clone(),
                problem.clone(),
                on_action.clone(),
                on_task.clone(),
            );
            off_the_page(
                Job::Open {
                    sealed,
                    passphrase: secret,
                },
                move |outcome| {
                    working.set(false);
                    match outcome.key() {
                        Ok(key) => {
                            problem.set(None);
                            on_action
                                .emit(Action::AccountUnlocked(AccountCredentials { url, key }));
                            if resume_order {
                                on_task.emit(Task::Drive);
                            }
                        }
                        Err(e) => problem.set(Some(t!(
                            "Could not unlock the account key: {why}.",
                            why = e
                        ))),
                    }
                },
            );
        })
    };
    let on_keydown = {
        let unlock = unlock.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" {
                e.prevent_default();
                unlock.emit(());
            }
        })
    };
    html! {
        <section class="unlock" aria-labelledby="unlock-title">
            <h2 id="unlock-title">{ text_node(t!("Unlock your account key")) }</h2>
            <p>{ t!("The account key is saved in this browser encrypted with your passphrase. Enter it to go on; \
                  it stays open until you close or reload the page.") }</p>
            <p class="help">{ sentence_with(
                i18n::text(t_key!("Account {url}")),
                &[("url", html! { <code>{ &props.lock.url }</code> })],
            ) }</p>
            <div class="field">
                <label for="unlock-passphrase">{ text_node(t!("Passphrase")) }</label>
                <input id="unlock-passphrase" type="password" autocomplete="current-password" ref={input_ref}
                       value={(*passphrase).clone()} onkeydown={on_keydown}
                       oninput={{ let passphrase = passphrase.clone(); Callback::from(move |e: InputEvent| passphrase.set(input_value(&e))) }} />
            </div>
            <div class="actions">
                <button type="button" class="primary" disabled={*working || passphrase.is_empty()}
                        onclick={unlock.reform(|_: MouseEvent| ())}>
                    { if *working { text_node(t!("Unlocking…")) } else { text_node(t!("Unlock")) } }
                </button>
                <button type="button" class="danger"
                        onclick={{ let forgetting = forgetting.clone(); Callback::from(move |_: MouseEvent| forgetting.set(true)) }}>
                    { text_node(t!("I forgot the passphrase")) }
                </button>
            </div>
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
            if *forgetting {
                <ConfirmDialog
                    id="forget-account-dialog"
                    title={t!("Start again without this account?")}
                    confirm_label={t!("Forget this account")}
                    on_confirm={props.on_action.reform(|()| Action::ChangeCa)}
                    on_cancel={{ let forgetting = forgetting.clone(); Callback::from(move |()| forgetting.set(false)) }}
                >
                    <p>{ t!("Without the passphrase nobody can open the saved key, not even this page. This forgets the \
                          encrypted key and the order under way, and takes you back to choosing a CA. A key file you \
                          downloaded earlier still works with \"Use existing account\".") }</p>
                </ConfirmDialog>
            }
        </section>
    }
}
