//! The protocol log as an inspector, for learners and for bug reports: every request the page made to
//! the CA and its answer (each shown by `inspector_exchange`), the flow's waits, the key authorizations
//! derived step by step (`inspector_keyauth`), a filter by kind, the JSON export, and step-through, which
//! holds each request of the order until the person sends it. What it teaches comes from the core's
//! [`certsmith::wizard::inspect`]; it holds what crossed the wire in the clear, never a private key.

use certsmith::acme::client::Exchange;
use certsmith::web::download::download;
use certsmith::wizard::inspect::{self, PROBLEMS};
use certsmith::{i18n, t};
use yew::prelude::*;

use super::effects;
use super::forms::{checked, select_value};
use super::inspector_exchange::view_exchange;
use super::inspector_keyauth::view_key_authorizations;
use super::state::{LogAction, LogHandle, WizardView};
use super::text_node;

#[derive(Properties, PartialEq)]
pub struct ProtocolLogProps {
    pub log: LogHandle,
    pub wizard: WizardView,
}

#[function_component(ProtocolLog)]
pub fn protocol_log(props: &ProtocolLogProps) -> Html {
    let filter = use_state(String::new);
    let export_error = use_state(|| None::<String>);
    let log = &props.log.log;
    let entries = &log.entries;
    let account = props.wizard.account.as_ref();
    // The account's key size, for the length of an RS256 signature that names it by kid.
    let rsa = account.map(|a| (a.url.as_str(), a.key.bits() / 8));
    let on_step_through = {
        let log = props.log.clone();
        // The driver reads the setting too: told here, where the person changes it, not in the reducer.
        Callback::from(move |e: Event| {
            let on = checked(&e);
            effects::set_step_through(on);
            log.dispatch(LogAction::StepThrough(on));
        })
    };
    let on_filter = {
        let filter = filter.clone();
        Callback::from(move |e: Event| filter.set(select_value(&e)))
    };
    let clear = {
        let log = props.log.clone();
        Callback::from(move |_: MouseEvent| log.dispatch(LogAction::Clear))
    };
    let export = {
        let log = props.log.clone();
        let export_error = export_error.clone();
        Callback::from(move |_: MouseEvent| {
            let json = serde_json::to_vec_pretty(&inspect::export(&log.log)).unwrap_or_default();
            export_error
                .set(download("certsmith-protocol-log.json", "application/json", &json).err());
        })
    };
    let send = Callback::from(|_: MouseEvent| effects::send_held());
    // Each exchange that passes the filter, after the waits before it (shown unfiltered only).
    let rows = (0..=entries.len()).map(|i| {
        let waits = log
            .waits
            .iter()
            .filter(|w| w.before == i && filter.is_empty());
        let retry_after = i
            .checked_sub(1)
            .and_then(|j| inspect::header(&entries[j], "retry-after"));
        let waited = |seconds: u64, why: &str| match retry_after {
            Some(retry_after) => t!(
                "Waited {seconds} s: {why} (Retry-After: {retry_after})",
                seconds = seconds,
                why = why,
                retry_after = retry_after
            ),
            None => t!("Waited {seconds} s: {why}", seconds = seconds, why = why),
        };
        html! {
            <>
                { for waits.map(|w| html! {
                    <li class="wait" data-testid="wait">{ waited(w.seconds, i18n::saved(&w.why)) }</li>
                }) }
                if i < entries.len() && inspect::shown(entries, i, &filter) {
                    { view_exchange(entries, i, rsa) }
                }
            </>
        }
    });
    let jwk = account.map(|a| a.key.public_jwk());
    html! {
        <>
            if let Some(with_held) = props.log.held.as_ref().map(|h| [&entries[..], &[Exchange::clone(h)]].concat()) {
                <section class="held" data-testid="held-request" aria-label={t!("Next request")}>
                    <h2>{ text_node(t!("Next request (step-through)")) }</h2>
                    <p class="help">{ text_node(t!("Not sent yet. The client adds the nonce and the signature when it sends.")) }</p>
                    <ol class="exchanges">{ view_exchange(&with_held, entries.len(), rsa) }</ol>
                    <div class="actions">
                        <button type="button" class="primary" onclick={send}>{ text_node(t!("Send")) }</button>
                    </div>
                </section>
            }
            <details class="protocol-log">
                <summary>{ text_node(t!("Protocol log")) }</summary>
                <p class="help">{ t!(
                    "The {count} most recent requests this page sent to the CA, oldest first: the RFC section and why, \
                     the decoded JWS (RFC 8555 §6.2), the nonce chain, and what came back. No key is shown; nothing \
                     here is secret.", count = entries.len()) }</p>
                <div class="field">
                    <label>
                        <input type="checkbox" checked={log.step_through} onchange={on_step_through} />
                        { " " }{ text_node(t!("Step-through: hold each request of the order until I press Send")) }
                    </label>
                </div>
                if entries.is_empty() {
                    <p class="muted">{ text_node(t!("No requests yet.")) }</p>
                } else {
                    <div class="actions">
                        <label for="log-filter">{ text_node(t!("Show")) }</label>
                        <select id="log-filter" onchange={on_filter}>
                            <option value="" selected={filter.is_empty()}>{ text_node(t!("All kinds")) }</option>
                            { for inspect::kinds(entries).into_iter().map(|k| html! {
                                <option value={k.to_string()} selected={*filter == k}>{ k }</option>
                            }) }
                            <option value={PROBLEMS} selected={*filter == PROBLEMS}>{ text_node(t!("Errors and retries")) }</option>
                        </select>
                        <button type="button" onclick={export}>{ text_node(t!("Export log (JSON)")) }</button>
                        <button type="button" onclick={clear}>{ text_node(t!("Clear log")) }</button>
                    </div>
                    if let Some(error) = &*export_error {
                        <p role="alert">{ error }</p>
                    }
                    <ol class="exchanges">{ for rows }</ol>
                    { jwk.map(|jwk| view_key_authorizations(&inspect::key_authorizations(entries, &jwk))).unwrap_or_default() }
                }
            </details>
        </>
    }
}
