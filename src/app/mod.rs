//! The Certsmith wizard: five steps on one page, from choosing a CA to downloading the certificate.
//!
//! The state is the library's pure [`certsmith::wizard::Wizard`] in a Yew reducer ([`state`]), saved to
//! localStorage on every change and resumed on load; requests run in [`effects`]; each step is a
//! component of its own.

mod account_lock;
mod account_manage;
mod account_step;
mod ca_step;
mod certificate_step;
mod certificates;
mod challenges_step;
mod copy_button;
mod delete_data;
mod dialog;
mod dns_record;
mod doh_check;
mod download_button;
mod effects;
mod error_panel;
mod external_link;
mod focus;
mod forms;
mod http_challenge;
mod inspector_exchange;
mod inspector_keyauth;
mod language_switch;
mod names_step;
mod order_bar;
mod persist_record;
mod progress;
mod protocol_log;
mod section;
mod state;
mod status;

use certsmith::i18n::{self, Piece};
use certsmith::t;
use certsmith::web::tabs;
use certsmith::wizard::certs::ShelfAction;
use certsmith::wizard::{Action, Step, Task};
use yew::prelude::*;

use account_lock::UnlockPanel;
use account_step::{account_step, AccountStepProps};
use ca_step::CaStep;
use certificate_step::CertificateStep;
use certificates::{certificates_list, CertificatesListProps};
use challenges_step::ChallengesStep;
use delete_data::DeleteData;
use effects::Ctx;
use language_switch::LanguageSwitch;
use names_step::NamesStep;
use order_bar::OrderBar;
use protocol_log::ProtocolLog;
use state::{AppState, LogState, ShelfState};

/// The CA the app uses unless told otherwise: set at compile time by `CERTSMITH_DEFAULT_DIRECTORY`
/// (the local build points it at Pebble), Let's Encrypt's production directory otherwise.
pub const DEFAULT_DIRECTORY: &str = match option_env!("CERTSMITH_DEFAULT_DIRECTORY") {
    Some(url) => url,
    None => "https://acme-v02.api.letsencrypt.org/directory",
};

/// In the local build only, this URL fragment makes the app panic (for the panic hook's e2e test).
const PANIC_TEST_HASH: &str = "#certsmith-test-panic";

/// True in the local build (`CERTSMITH_LOCAL_CA=1`), whose CA is a throwaway Pebble.
pub fn local_ca() -> bool {
    matches!(option_env!("CERTSMITH_LOCAL_CA"), Some(v) if !v.is_empty() && v != "0")
}

/// A translated text as a node, kept as the `&'static str` it is: a `{ t!("…") }` child would first copy
/// it into a new `String`, at each of some 200 places (2 KB of the page's wasm, gzip).
pub fn text_node(text: &'static str) -> Html {
    Html::VText(yew::virtual_dom::VText::new(AttrValue::Static(text)))
}

/// A sentence that holds markup (a `<code>`, a link): `text` (from the catalogue, marked with `t_key!` and
/// passed through [`i18n::text`](certsmith::i18n::text)) with each `{placeholder}` named in `parts`
/// replaced by its markup, so the words keep the language's order around it. A brace `parts` does not name
/// stays as it is.
pub fn sentence_with(text: &str, parts: &[(&str, Html)]) -> Html {
    i18n::pieces(text)
        .into_iter()
        .map(|piece| match piece {
            Piece::Text(words) => html! { { words.to_owned() } },
            Piece::Slot(name) => match parts.iter().find(|(n, _)| *n == name) {
                Some((_, part)) => part.clone(),
                None => html! { { format!("{{{name}}}") } },
            },
        })
        .collect()
}

#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::load);
    let log = use_reducer(LogState::load);
    let shelf = use_reducer(ShelfState::load);
    let storage_problem = use_state(|| None::<String>);
    // Another tab of this page took over: this one shows so, and saves and sends nothing.
    let passive = use_state(|| false);
    {
        let passive = passive.clone();
        use_effect_with((), move |_| {
            let _ = tabs::take_over(move || passive.set(true));
        });
    }

    // Save on every change; the log apart, so a long log never costs the wizard's state.
    {
        let state = state.clone();
        let storage_problem = storage_problem.clone();
        use_effect_with(state.revision, move |_| {
            if tabs::is_passive() {
                return;
            }
            let problem = state
                .save()
                .err()
                .map(|problem| t!("Progress is not being saved: {problem}", problem = problem));
            if *storage_problem != problem {
                storage_problem.set(problem);
            }
        });
    }
    {
        let log = log.clone();
        use_effect_with(log.revision, move |_| {
            if !tabs::is_passive() {
                log.save()
            }
        });
    }
    {
        let shelf = shelf.clone();
        let storage_problem = storage_problem.clone();
        use_effect_with(shelf.revision, move |_| {
            if tabs::is_passive() {
                return;
            }
            if let Err(problem) = shelf.save() {
                storage_problem.set(Some(t!(
                    "Progress is not being saved: the certificates list: {problem}",
                    problem = problem
                )));
            }
        });
    }
    // A certificate issued here joins the list once its chain is read; a renewal marks the certificate
    // it replaces. Keyed by the chain's URL and whether it is read, so the entry is made once.
    {
        let shelf = shelf.clone();
        let wizard = state.wizard.clone();
        let issued = wizard.chains.first().and_then(|chain| {
            let read = wizard.chain_reading(&chain.pem)?.is_ok();
            read.then(|| chain.url.clone())
        });
        use_effect_with(issued, move |issued| {
            let entry = issued
                .as_ref()
                .and_then(|_| certificates::issued_entry(&wizard));
            if let Some(entry) = entry {
                let new = entry.id.clone();
                shelf.dispatch(ShelfAction::Added(Box::new(entry)));
                if let Some(renewing) = &wizard.renewing {
                    shelf.dispatch(ShelfAction::Replaced {
                        old: renewing.old_id.clone(),
                        new,
                    });
                }
            }
        });
    }
    let ctx = Ctx {
        state: state.clone(),
        log: log.dispatcher(),
    };
    // After a reload in the middle of validation or issuance, ask the CA again and go on.
    {
        let ctx = ctx.clone();
        use_effect_with((), move |_| effects::resume(ctx));
    }
    // The CA's renewal windows of the listed certificates, once connected (RFC 9773).
    {
        let ctx = ctx.clone();
        let shelf = shelf.clone();
        use_effect_with(
            (
                state.wizard.connected_url.clone(),
                shelf.shelf.entries.len(),
            ),
            move |_| certificates::refresh_renewal_info(&ctx, &shelf),
        );
    }
    // The local test build can be made to panic on purpose, so the e2e suite sees the panic hook's message.
    use_effect_with((), |_| {
        let wanted = local_ca()
            && web_sys::window()
                .and_then(|w| w.location().hash().ok())
                .is_some_and(|hash| hash == PANIC_TEST_HASH);
        if wanted {
            panic!("a panic the test suite asked for ({PANIC_TEST_HASH})");
        }
    });
    let on_task = {
        let ctx = ctx.clone();
        Callback::from(move |task: Task| effects::run(ctx.clone(), task))
    };

    // The steps read the wizard and change it only through `on_action` and `on_task`.
    let on_action: Callback<Action> = state.dispatcher().to_callback();
    let wizard = state.view();
    let w = &*wizard;
    let dismiss_notice = on_action.reform(|_: MouseEvent| Action::DismissNotice);
    let order_names = w
        .order
        .as_ref()
        .map(|order| AttrValue::from(order.names().join(", ")));
    html! {
        <>
            <header class="site-header">
                <div class="inner">
                    <h1>{ "Certsmith" }</h1>
                    <p class="tagline">{ text_node(t!("Get a TLS certificate from an ACME CA, entirely in this page.")) }</p>
                    <LanguageSwitch />
                </div>
            </header>
            <main>
                if *passive {
                    { other_tab() }
                }
                if let Some(notice) = &w.notice {
                    <div class="notice" role="status">
                        <p>{ notice }</p>
                        <button type="button" onclick={dismiss_notice}>{ text_node(t!("Dismiss")) }</button>
                    </div>
                }
                if let Some(problem) = &*storage_problem {
                    <p class="notice" role="status">{ problem }</p>
                }
                if let Some(lock) = w.account_lock.as_ref().filter(|_| w.is_locked()) {
                    <UnlockPanel lock={lock.clone()} resume_order={w.order.is_some() && w.step != Step::Challenges}
                                 on_action={on_action.clone()} on_task={on_task.clone()} />
                }
                { progress::step_list(w.step) }
                <CaStep wizard={wizard.clone()} on_action={on_action.clone()} on_task={on_task.clone()} />
                <ContextProvider<Ctx> context={ctx.clone()}>
                    { account_step(&AccountStepProps { wizard: wizard.clone(), on_action: on_action.clone(),
                                                       on_task: on_task.clone() }) }
                </ContextProvider<Ctx>>
                <NamesStep wizard={wizard.clone()} on_action={on_action.clone()} on_task={on_task.clone()} />
                <ChallengesStep wizard={wizard.clone()} on_action={on_action.clone()} on_task={on_task.clone()} />
                <CertificateStep wizard={wizard.clone()} on_action={on_action.clone()} on_task={on_task.clone()} />
                <OrderBar names={order_names} status={order_bar::shown_status(w)}
                          failed={w.step == Step::Failed} drops_issued_key={w.drops_issued_key()}
                          on_action={on_action.clone()} />
                { certificates_list(&CertificatesListProps { shelf: shelf.clone(), wizard: wizard.clone(),
                                                             ctx: ctx.clone(), on_action: on_action.clone(),
                                                             on_task: on_task.clone() }) }
                <ProtocolLog log={log.clone()} wizard={wizard.clone()} />
            </main>
            <footer class="site-footer">
                <p>{ t!("Keys are made in this page and kept in this browser's storage; nothing secret is sent anywhere. \
                      No analytics, no third-party code. The page talks only to the CA you choose and the DNS \
                      resolvers you list.") }</p>
                <DeleteData local_ca={local_ca().then_some(AttrValue::from(DEFAULT_DIRECTORY))}
                            on_action={on_action.clone()} on_log={log.dispatcher().to_callback()} />
            </footer>
        </>
    }
}

/// Shown when a newer tab of this page took over: working in two tabs would overwrite each other's
/// progress. "Use this tab" reloads it with the latest saved state, and the other tab steps back.
fn other_tab() -> Html {
    let reload = Callback::from(|_: MouseEvent| {
        if let Some(window) = web_sys::window() {
            let _ = window.location().reload();
        }
    });
    // No Escape: the tab can only be taken back (or left alone).
    html! {
        <dialog::Modal id="other-tab" title={t!("Certsmith is open in another tab")}>
            <p>{ t!("Your progress goes on there. So that two tabs never overwrite each other's work, this one \
                  stopped saving and sending.") }</p>
            <div class="actions">
                <button type="button" class="primary" onclick={reload}>{ text_node(t!("Use this tab")) }</button>
            </div>
        </dialog::Modal>
    }
}
