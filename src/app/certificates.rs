//! "Certificates in this browser": every certificate issued here or added as PEM, with its expiry, its
//! renewal window (the CA's, RFC 9773, when it offers one) and its state; renew, download, a calendar
//! reminder, revoke (RFC 8555 §7.6) and remove, per certificate.

use std::cell::RefCell;
use std::collections::BTreeSet;

use certsmith::acme::client::{RevocationReason, Revoker};
use certsmith::i18n;
use certsmith::pki::cert::{CertError, CertificateInfo};
use certsmith::pki::key::PrivateKey;
use certsmith::pki::remind::{from_unix, unix_seconds, Reminder};
use certsmith::web::download::download;
use certsmith::web::{clock, tabs};
use certsmith::wizard::certs::{CertState, CertificateEntry, Origin, ShelfAction};
use certsmith::wizard::{Action, KeyChoice, Renewing, Task, Wizard};
use certsmith::{t, t_key};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::dialog::ConfirmDialog;
use super::download_button::download_on_click;
use super::effects::{read_chain, read_key, Ctx};
use super::external_link::external_link;
use super::forms::{select_value, textarea_value};
use super::order_bar::drop_issued_key_dialog;
use super::state::{ShelfHandle, WizardView};
use super::text_node;

/// How long to wait before asking the CA for a certificate's window again when it sent no Retry-After.
const DEFAULT_RECHECK_SECS: i64 = 6 * 3600;

thread_local! {
    /// Certificates whose renewalInfo was asked for in this visit: a failing CA is not asked in a loop.
    static ASKED: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
}

/// The reasons a subscriber may give (RFC 5280 §5.3.1 as RFC 8555 §7.6 uses them), as the select offers
/// them: the reason, its name in the protocol, and its label (shown through [`i18n::text`]).
const REASONS: [(RevocationReason, &str, &str); 5] = [
    (
        RevocationReason::Unspecified,
        "unspecified",
        t_key!("No reason given"),
    ),
    (
        RevocationReason::KeyCompromise,
        "keyCompromise",
        t_key!("The private key was exposed (key compromise)"),
    ),
    (
        RevocationReason::Superseded,
        "superseded",
        t_key!("Replaced by another certificate (superseded)"),
    ),
    (
        RevocationReason::AffiliationChanged,
        "affiliationChanged",
        t_key!("The names or owner changed (affiliation changed)"),
    ),
    (
        RevocationReason::CessationOfOperation,
        "cessationOfOperation",
        t_key!("The site is gone (cessation of operation)"),
    ),
];

pub fn now_secs() -> i64 {
    unix_seconds(clock::now())
}

/// A date as the list shows it: `2026-12-30 14:05 UTC` (`30.12.2026, 14:05 UTC` in German).
fn date(secs: i64) -> String {
    i18n::date_time(secs).unwrap_or_else(|| secs.to_string())
}

/// "in 3 days", "in 5 hours", "2 days ago".
fn relative(secs: i64, now: i64) -> String {
    let delta = secs - now;
    // The amount, and the (one, other) plural forms for a moment ahead and for one past.
    let (amount, ahead, past) = match delta.unsigned_abs() {
        d if d >= 2 * 86_400 => (
            d / 86_400,
            (t_key!("in {n} day"), t_key!("in {n} days")),
            (t_key!("{n} day ago"), t_key!("{n} days ago")),
        ),
        d if d >= 2 * 3600 => (
            d / 3600,
            (t_key!("in {n} hour"), t_key!("in {n} hours")),
            (t_key!("{n} hour ago"), t_key!("{n} hours ago")),
        ),
        d => (
            (d / 60).max(1),
            (t_key!("in {n} minute"), t_key!("in {n} minutes")),
            (t_key!("{n} minute ago"), t_key!("{n} minutes ago")),
        ),
    };
    let (one, other) = if delta >= 0 { ahead } else { past };
    i18n::plural(amount, one, other)
}

/// The entry for the certificate the wizard just issued, once the jobs module has read its chain.
pub fn issued_entry(w: &Wizard) -> Option<CertificateEntry> {
    let chain = w.chains.first()?;
    let origin = Origin {
        ca: w.connected_url.clone(),
        account_url: w.account.as_ref().map(|a| a.url.clone()),
        key_choice: Some(w.key_choice),
        profile: w.profile.clone(),
    };
    let read = w.chain_reading(&chain.pem)?.as_ref().ok()?;
    CertificateEntry::from_read_chain(read, origin, now_secs())
}

/// Asks the connected CA for the renewal window of every certificate it issued that wants one, one GET
/// each, honouring the Retry-After of earlier answers.
pub fn refresh_renewal_info(ctx: &Ctx, shelf: &ShelfHandle) {
    if tabs::is_passive() {
        return;
    }
    let wizard = ctx.wizard();
    if wizard
        .directory
        .as_ref()
        .is_none_or(|d| d.renewal_info.is_none())
    {
        return;
    }
    let now = now_secs();
    let wanted: Vec<(String, String)> = shelf
        .shelf
        .entries
        .iter()
        .filter(|e| e.ca == wizard.connected_url && e.wants_renewal_info(now))
        .filter(|e| ASKED.with(|a| a.borrow_mut().insert(e.id.clone())))
        .filter_map(|e| Some((e.id.clone(), e.cert_id.clone()?)))
        .collect();
    if wanted.is_empty() {
        return;
    }
    let Some(client) = ctx.client(&wizard) else {
        return;
    };
    let dispatcher = shelf.dispatcher();
    spawn_local(async move {
        for (id, cert_id) in wanted {
            // A CA that cannot answer leaves the estimated window; the next visit asks again.
            if let Ok(info) = client.renewal_info(&cert_id, clock::now()).await {
                dispatcher.dispatch(ShelfAction::RenewalInfo {
                    id,
                    info,
                    now: now_secs(),
                    default_recheck: DEFAULT_RECHECK_SECS,
                });
            }
        }
    });
}

/// What [`certificates_list`] shows. A plain function, not a component: the list has no state of its own
/// (each entry has), and a component costs the page's wasm about a kilobyte of Yew's code.
pub struct CertificatesListProps {
    pub shelf: ShelfHandle,
    pub wizard: WizardView,
    pub ctx: Ctx,
    pub on_action: Callback<Action>,
    pub on_task: Callback<Task>,
}

pub fn certificates_list(props: &CertificatesListProps) -> Html {
    let now = now_secs();
    let entries = &props.shelf.shelf.entries;
    let drops_issued_key = props.wizard.drops_issued_key();
    html! {
        <section class="step certificates" aria-labelledby="certificates-title">
            <h2 id="certificates-title">{ text_node(t!("Certificates in this browser")) }</h2>
            if entries.is_empty() {
                <p class="muted">{ text_node(t!("None yet. Each certificate issued here is listed, with when to renew it.")) }</p>
            } else {
                <p class="help">{ t!("Renew a certificate before its renewal window ends; the window is the CA's \
                                      suggestion when it gives one. Add a reminder to your calendar so you come back \
                                      in time.") }</p>
            }
            { for entries.iter().map(|entry| html! {
                <EntryView key={entry.id.clone()} entry={entry.clone()} now={now}
                           replaced_by={entry.replaced_by.as_deref().and_then(|id| props.shelf.shelf.get(id))
                               .map(|e| AttrValue::from(t!("{names} (serial {serial})", names = e.names.join(", "),
                                                            serial = e.serial_hex)))}
                           renew_blocker={renew_blocker(&props.wizard, entry).map(AttrValue::from)}
                           drops_issued_key={drops_issued_key}
                           shelf={props.shelf.clone()} ctx={props.ctx.clone()}
                           on_action={props.on_action.clone()} on_task={props.on_task.clone()} />
            }) }
            <AddCertificate shelf={props.shelf.clone()} />
        </section>
    }
}

/// Why "Renew" cannot run for `entry` now, or `None` when it can.
fn renew_blocker(w: &Wizard, entry: &CertificateEntry) -> Option<String> {
    if entry.replaced_by.is_some() {
        return Some(t!("Already renewed.").into());
    }
    let ca = entry.ca.as_deref()?;
    if w.connected_url.as_deref() != Some(ca) {
        return Some(t!(
            "Connect to the CA that issued it first ({ca}).",
            ca = ca
        ));
    }
    if w.is_locked() {
        return Some(t!("Unlock the account key first.").into());
    }
    match (&w.account, &entry.account_url) {
        (None, _) => return Some(t!("Create or import the account first.").into()),
        (Some(account), Some(url)) if account.url != *url => {
            return Some(t!(
                "It was ordered by another account ({url}): import that account first.",
                url = url
            ))
        }
        _ => {}
    }
    if !w.can_start_renewal() {
        return Some(t!("Finish or forget the order under way first.").into());
    }
    None
}

#[derive(Properties, PartialEq)]
struct EntryViewProps {
    entry: CertificateEntry,
    now: i64,
    /// What replaced it, as shown.
    replaced_by: Option<AttrValue>,
    renew_blocker: Option<AttrValue>,
    /// Renewing now deletes the key of the certificate the order under way issued: ask first.
    drops_issued_key: bool,
    shelf: ShelfHandle,
    ctx: Ctx,
    on_action: Callback<Action>,
    on_task: Callback<Task>,
}

#[function_component(EntryView)]
fn entry_view(props: &EntryViewProps) -> Html {
    let entry = &props.entry;
    let problem = use_state(|| None::<String>);
    let revoking = use_state(|| false);
    let state = entry.state(props.now);
    let (start, end) = entry.window();

    let same_key = use_state(String::new);
    let renew_now = {
        let entry = entry.clone();
        let on_action = props.on_action.clone();
        let on_task = props.on_task.clone();
        let problem = problem.clone();
        // `key`: the old certificate key, to renew with the same key (checked: `same_certificate_key`).
        Callback::from(move |key: Option<PrivateKey>| {
            let mut key_choice = entry.key_choice;
            if let Some(kind) = key.as_ref().and_then(PrivateKey::key_type) {
                key_choice = Some(KeyChoice::Generate(kind));
            }
            problem.set(None);
            on_action.emit(Action::Renew {
                renewing: Renewing {
                    old_id: entry.id.clone(),
                    names: entry.names.clone(),
                    cert_id: entry.cert_id.clone(),
                },
                key_choice,
                profile: entry.profile.clone(),
            });
            if let Some(key) = key {
                // The order takes a key of the wizard's kind as it is (as a retry does).
                on_action.emit(Action::CertKeyReady(key));
            }
            // A CSR must be pasted first; a key made here starts the order at once.
            if key_choice != Some(KeyChoice::Csr) {
                on_task.emit(Task::CreateOrder);
            }
        })
    };
    // The renewal's key (`Some` with the old key) while the person is asked whether the key of the
    // certificate the order under way issued may go.
    let asking = use_state(|| None::<Option<PrivateKey>>);
    let renew = {
        let (asking, renew_now, ask) = (asking.clone(), renew_now.clone(), props.drops_issued_key);
        Callback::from(move |key: Option<PrivateKey>| {
            if ask {
                asking.set(Some(key));
            } else {
                renew_now.emit(key);
            }
        })
    };
    let on_renew = renew.reform(|_: MouseEvent| None);
    // The pasted key and the certificate are read by the jobs module: one check at a time.
    let checking_key = use_state(|| false);
    let on_renew_same_key = {
        let same_key = same_key.clone();
        let problem = problem.clone();
        let renew = renew.clone();
        let chain_pem = entry.chain_pem.clone();
        let checking_key = checking_key.clone();
        Callback::from(move |_: MouseEvent| {
            let (text, problem, renew) = ((*same_key).clone(), problem.clone(), renew.clone());
            let (chain_pem, checking_key) = (chain_pem.clone(), checking_key.clone());
            checking_key.set(true);
            spawn_local(async move {
                let checked = same_certificate_key(&text, &chain_pem).await;
                checking_key.set(false);
                match checked {
                    Ok(key) => renew.emit(Some(key)),
                    Err(e) => problem.set(Some(e)),
                }
            });
        })
    };
    let renewable = matches!(
        state,
        CertState::Valid | CertState::Due | CertState::Expired
    );
    let on_fullchain = download_on_click(
        &problem,
        "fullchain.pem".into(),
        "application/pem-certificate-chain",
        entry.chain_pem.clone(),
    );
    // The reminder reads the certificate in the jobs module first: one file per click, not one per click
    // made while that runs.
    let making_reminder = use_state(|| false);
    let on_reminder = {
        let entry = entry.clone();
        let problem = problem.clone();
        let making_reminder = making_reminder.clone();
        Callback::from(move |_: MouseEvent| {
            let (entry, problem) = (entry.clone(), problem.clone());
            let making_reminder = making_reminder.clone();
            making_reminder.set(true);
            spawn_local(async move {
                let made = download_reminder(&entry).await;
                making_reminder.set(false);
                problem.set(made.err());
            });
        })
    };
    let on_remove = {
        let id = entry.id.clone();
        let dispatcher = props.shelf.dispatcher();
        Callback::from(move |_: MouseEvent| {
            dispatcher.dispatch(ShelfAction::Removed { id: id.clone() })
        })
    };
    let window_source = if entry.renewal.is_some() {
        t!("the CA's suggestion")
    } else {
        t!("estimated: two thirds into the lifetime")
    };
    html! {
        <article class="cert-entry" data-testid="cert-entry" data-state={state.as_str()}>
            <h3>{ entry.names.join(", ") }</h3>
            <p>{ text_node(t!("State: ")) }<span class={classes!("badge", format!("state-{}", state.as_str().replace(' ', "-")))}
                data-testid="cert-state">{ state.label() }</span></p>
            <dl class="facts">
                <dt>{ text_node(t!("Expires")) }</dt>
                <dd>{ format!("{} ({})", date(entry.not_after), relative(entry.not_after, props.now)) }</dd>
                <dt>{ text_node(t!("Renew")) }</dt>
                <dd data-testid="cert-window">
                    { t!("between {start} and {end} ({source})", start = date(start), end = date(end),
                         source = window_source) }
                    // RFC 9773 §4.2: why the CA suggests this window (an early one after an incident, say).
                    if let Some(url) = entry.renewal.as_ref().and_then(|r| r.explanation_url.clone()) {
                        { " " }{ external_link(url.into(), Some(t!("why this window").into()), Some("cert-window-why")) }
                    }
                </dd>
                <dt>{ text_node(t!("Issuer")) }</dt>
                <dd>{ &entry.issuer }</dd>
                <dt>{ text_node(t!("Serial")) }</dt>
                <dd><code data-testid="cert-serial">{ &entry.serial_hex }</code></dd>
                if let Some(ca) = &entry.ca {
                    <dt>{ "CA" }</dt>
                    <dd><code>{ ca }</code></dd>
                }
                if let Some(account) = &entry.account_url {
                    <dt>{ text_node(t!("Account")) }</dt>
                    <dd><code data-testid="cert-account">{ account }</code></dd>
                }
                if let Some(by) = &props.replaced_by {
                    <dt>{ text_node(t!("Replaced by")) }</dt>
                    <dd data-testid="cert-replaced-by">{ by }</dd>
                }
                if let Some(revoked) = &entry.revoked {
                    <dt>{ text_node(t!("Revoked")) }</dt>
                    <dd>{ format!("{} ({})", date(revoked.at), reason_name(revoked.reason)) }</dd>
                }
            </dl>
            <div class="actions">
                if renewable {
                    <button type="button" class={classes!((state != CertState::Valid).then_some("primary"))}
                            onclick={on_renew} disabled={props.renew_blocker.is_some()}>{ text_node(t!("Renew")) }</button>
                }
                <button type="button" onclick={on_fullchain}>{ text_node(t!("Download chain (PEM)")) }</button>
                <button type="button" onclick={on_reminder} disabled={*making_reminder}>{ text_node(t!("Add a reminder (.ics)")) }</button>
                if entry.revoked.is_none() && state != CertState::Expired {
                    <button type="button" class="danger"
                            onclick={{ let revoking = revoking.clone(); Callback::from(move |_: MouseEvent| revoking.set(true)) }}>
                        { text_node(t!("Revoke…")) }
                    </button>
                }
                <button type="button" onclick={on_remove}>{ text_node(t!("Remove from this list")) }</button>
            </div>
            if let (Some(reason), true) = (&props.renew_blocker, renewable) {
                <p class="help" data-testid="renew-blocker">{ reason }</p>
            }
            if renewable && props.renew_blocker.is_none() {
                <details class="same-key">
                    <summary>{ text_node(t!("Renew with the same key")) }</summary>
                    <p class="help">{ t!("A new key is safer and is the default. To keep the old one (for example when \
                                          it is pinned somewhere), paste the certificate's private key.") }</p>
                    <div class="field">
                        <label for={format!("same-key-{}", entry.serial_hex)}>{ text_node(t!("The certificate's private key (PEM)")) }</label>
                        <textarea id={format!("same-key-{}", entry.serial_hex)} rows="3" spellcheck="false" autocomplete="off"
                                  value={(*same_key).clone()}
                                  oninput={{ let same_key = same_key.clone(); Callback::from(move |e: InputEvent| same_key.set(textarea_value(&e))) }} />
                    </div>
                    <div class="actions">
                        <button type="button" onclick={on_renew_same_key} disabled={same_key.trim().is_empty() || *checking_key}>
                            { text_node(t!("Renew with this key")) }
                        </button>
                    </div>
                </details>
            }
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
            if let Some(key) = (*asking).clone() {
                { drop_issued_key_dialog(
                    "renew-dialog",
                    {
                        let (asking, renew_now) = (asking.clone(), renew_now.clone());
                        Callback::from(move |()| {
                            asking.set(None);
                            renew_now.emit(key.clone());
                        })
                    },
                    { let asking = asking.clone(); Callback::from(move |()| asking.set(None)) },
                ) }
            }
            if *revoking {
                <RevokeDialog entry={entry.clone()} shelf={props.shelf.clone()} ctx={props.ctx.clone()}
                              on_close={{ let revoking = revoking.clone(); Callback::from(move |()| revoking.set(false)) }}
                              on_problem={{ let problem = problem.clone(); Callback::from(move |p: Option<String>| problem.set(p)) }} />
            }
        </article>
    }
}

fn reason_name(reason: RevocationReason) -> &'static str {
    REASONS
        .iter()
        .find(|(r, _, _)| *r == reason)
        .map_or("unspecified", |(_, name, _)| name)
}

/// The key pasted to renew with the same key, read and checked against the certificate: a key of a type
/// this page makes, whose public key is the certificate's.
async fn same_certificate_key(text: &str, chain_pem: &str) -> Result<PrivateKey, String> {
    let key = read_key(text)
        .await
        .map_err(|e| t!("That is not a usable private key: {error}", error = e))?;
    let leaf = read_leaf(chain_pem).await?;
    if key.key_type().is_some() && leaf.key_matches(&key) {
        Ok(key)
    } else {
        Err(
            t!("That is not the private key of this certificate (or of a size this page makes).")
                .into(),
        )
    }
}

/// The leaf of a chain kept in the list, read by the jobs module (the page's wasm has no X.509 reader).
async fn read_leaf(chain_pem: &str) -> Result<CertificateInfo, String> {
    read_chain(chain_pem)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| CertError::NoCertificates.to_string())
}

/// The reminder for `entry`, linking back to this page.
async fn download_reminder(entry: &CertificateEntry) -> Result<(), String> {
    let leaf = read_leaf(&entry.chain_pem).await?;
    let (start, end) = entry.window();
    let page = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    let ics = Reminder::for_certificate(&leaf, (from_unix(start), from_unix(end)), &page)
        .to_ics(clock::now())
        .map_err(|e| t!("Could not make the reminder: {error}", error = e))?;
    let name = entry
        .names
        .first()
        .map_or("certificate", String::as_str)
        .replace('*', "wildcard");
    download(
        &format!("renew-{name}.ics"),
        "text/calendar",
        ics.as_bytes(),
    )
}

#[derive(Properties, PartialEq)]
struct RevokeDialogProps {
    entry: CertificateEntry,
    shelf: ShelfHandle,
    ctx: Ctx,
    on_close: Callback<()>,
    on_problem: Callback<Option<String>>,
}

/// Revocation asks first: the reason, and the certificate's own key when the account that ordered it is
/// not the one open here (RFC 8555 §7.6 accepts either signature).
#[function_component(RevokeDialog)]
fn revoke_dialog(props: &RevokeDialogProps) -> Html {
    let reason = use_state(|| RevocationReason::Unspecified);
    let key_text = use_state(String::new);
    let wizard = props.ctx.wizard();
    let by_account = wizard.account.as_ref().filter(|a| {
        props.entry.account_url.as_deref() == Some(a.url.as_str())
            && props.entry.ca == wizard.connected_url
    });
    let on_confirm = {
        let entry = props.entry.clone();
        let reason = reason.clone();
        let key_text = key_text.clone();
        let account = by_account.cloned();
        let ctx = props.ctx.clone();
        let dispatcher = props.shelf.dispatcher();
        let on_close = props.on_close.clone();
        let on_problem = props.on_problem.clone();
        Callback::from(move |()| {
            let (key_text, entry, reason, account, ctx, dispatcher, on_close, on_problem) = (
                (*key_text).clone(),
                entry.clone(),
                *reason,
                account.clone(),
                ctx.clone(),
                dispatcher.clone(),
                on_close.clone(),
                on_problem.clone(),
            );
            spawn_local(async move {
                let key = if key_text.trim().is_empty() {
                    None
                } else {
                    match read_key(&key_text).await {
                        Ok(key) => Some(key),
                        Err(e) => {
                            return on_problem.emit(Some(t!(
                                "That is not a usable private key: {error}",
                                error = e
                            )))
                        }
                    }
                };
                if account.is_none() && key.is_none() {
                    return on_problem.emit(Some(
                        t!("This certificate was not ordered by the account open here: paste its private key to \
                            revoke it.")
                        .into(),
                    ));
                }
                on_close.emit(());
                // Shown as revoked only once the CA accepted it.
                match revoke(&ctx, &entry, reason, account.as_ref(), key.as_ref()).await {
                    Ok(()) => {
                        on_problem.emit(None);
                        dispatcher.dispatch(ShelfAction::Revoked {
                            id: entry.id.clone(),
                            reason,
                            now: now_secs(),
                        });
                    }
                    Err(e) => on_problem.emit(Some(e)),
                }
            });
        })
    };
    html! {
        <ConfirmDialog id="revoke-dialog" title={t!("Revoke this certificate?")} confirm_label={t!("Revoke")}
                       on_confirm={on_confirm} on_cancel={props.on_close.clone()}>
            <p>{ t!("Revoking {names} is final: browsers will refuse it once they learn of it. Renew first if a \
                     site still uses it.", names = props.entry.names.join(", ")) }</p>
            <div class="field">
                <label for="revoke-reason">{ text_node(t!("Reason")) }</label>
                <select id="revoke-reason"
                        onchange={{ let reason = reason.clone(); Callback::from(move |e: Event| {
                            let name = select_value(&e);
                            if let Some((r, _, _)) = REASONS.iter().find(|(_, n, _)| *n == name) { reason.set(*r); }
                        }) }}>
                    { for REASONS.iter().map(|(r, name, label)| html! {
                        <option value={*name} selected={*r == *reason}>{ i18n::text(label) }</option>
                    }) }
                </select>
            </div>
            <div class="field">
                <label for="revoke-key">{ text_node(t!("The certificate's private key (only if the account that ordered it is not open here)")) }</label>
                <textarea id="revoke-key" rows="3" spellcheck="false" autocomplete="off" value={(*key_text).clone()}
                          oninput={{ let key_text = key_text.clone(); Callback::from(move |e: InputEvent| key_text.set(textarea_value(&e))) }} />
            </div>
        </ConfirmDialog>
    }
}

/// Sends revokeCert, signed by the account that ordered the certificate or by the certificate's key.
async fn revoke(
    ctx: &Ctx,
    entry: &CertificateEntry,
    reason: RevocationReason,
    account: Option<&certsmith::acme::account::AccountCredentials>,
    key: Option<&PrivateKey>,
) -> Result<(), String> {
    let wizard = ctx.wizard();
    if entry.ca.is_some() && entry.ca != wizard.connected_url {
        return Err(t!(
            "Connect to the CA that issued it first ({ca}).",
            ca = entry.ca.as_deref().unwrap_or_default()
        ));
    }
    let client = ctx.client(&wizard).ok_or(t!("Connect to a CA first."))?;
    let leaf = read_leaf(&entry.chain_pem).await?;
    let revoker = match (key, account) {
        (Some(key), _) => {
            if !leaf.key_matches(key) {
                return Err(t!("That private key is not the key of this certificate.").into());
            }
            Revoker::CertificateKey(key)
        }
        (None, Some(account)) => Revoker::Account(account),
        (None, None) => return Err(t!("Nothing to sign the revocation with.").into()),
    };
    client
        .revoke_certificate(revoker, &leaf.der, Some(reason))
        .await
        .map_err(|e| {
            t!(
                "The CA did not revoke it: {error}. {hint}",
                error = e,
                hint = e.hint()
            )
        })
}

#[derive(Properties, PartialEq)]
struct AddCertificateProps {
    shelf: ShelfHandle,
}

/// Adds a certificate issued elsewhere (PEM), to keep its renewal in view.
#[function_component(AddCertificate)]
fn add_certificate(props: &AddCertificateProps) -> Html {
    let text = use_state(String::new);
    let problem = use_state(|| None::<String>);
    // The jobs module reads the chain (milliseconds, a moment more while its worker starts).
    let reading = use_state(|| false);
    let on_add = {
        let text = text.clone();
        let problem = problem.clone();
        let dispatcher = props.shelf.dispatcher();
        let reading = reading.clone();
        Callback::from(move |_: MouseEvent| {
            let (text, problem, dispatcher, reading) = (
                text.clone(),
                problem.clone(),
                dispatcher.clone(),
                reading.clone(),
            );
            reading.set(true);
            spawn_local(async move {
                let pem = (*text).clone();
                let read = read_chain(&pem).await;
                reading.set(false);
                let entry = read.and_then(|chain| {
                    CertificateEntry::from_read_chain(&chain, Origin::default(), now_secs())
                        .ok_or_else(|| CertError::NoCertificates.to_string())
                });
                match entry {
                    Ok(entry) => {
                        problem.set(None);
                        text.set(String::new());
                        dispatcher.dispatch(ShelfAction::Added(Box::new(entry)));
                    }
                    Err(e) => problem.set(Some(t!(
                        "That is not a certificate chain: {error}",
                        error = e
                    ))),
                }
            });
        })
    };
    html! {
        <details class="add-certificate">
            <summary>{ text_node(t!("Add a certificate issued elsewhere (PEM)")) }</summary>
            <div class="field">
                <label for="add-certificate">{ text_node(t!("Certificate with its intermediates (PEM)")) }</label>
                <textarea id="add-certificate" rows="4" spellcheck="false" value={(*text).clone()} disabled={*reading}
                          oninput={{ let text = text.clone(); Callback::from(move |e: InputEvent| text.set(textarea_value(&e))) }} />
            </div>
            <div class="actions">
                <button type="button" onclick={on_add} disabled={text.trim().is_empty() || *reading}>{ text_node(t!("Add to the list")) }</button>
            </div>
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
        </details>
    }
}
