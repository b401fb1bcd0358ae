//! The protocol log: every request the page made to the CA and its answer, for learners and for bug
//! reports. It holds what crossed the wire in the clear (the core's `Exchange`), never a private key.

use certsmith::acme::client::Exchange;
use serde_json::Value;
use yew::prelude::*;

use super::state::{LogAction, LogHandle};

#[derive(Properties, PartialEq)]
pub struct ProtocolLogProps {
    pub log: LogHandle,
}

#[function_component(ProtocolLog)]
pub fn protocol_log(props: &ProtocolLogProps) -> Html {
    let entries = &props.log.log.entries;
    let clear = {
        let log = props.log.clone();
        Callback::from(move |_: MouseEvent| log.dispatch(LogAction::Clear))
    };
    html! {
        <details class="protocol-log">
            <summary>{ "Protocol log" }</summary>
            <p class="help">{ format!(
                "The {} most recent requests this page sent to the CA, oldest first: the decoded JWS protected header \
                 and payload (RFC 8555 §6.2), and what came back. Signatures and keys are not shown; nothing here is \
                 secret.", entries.len()) }</p>
            if entries.is_empty() {
                <p class="muted">{ "No requests yet." }</p>
            } else {
                <div class="actions">
                    <button type="button" onclick={clear}>{ "Clear log" }</button>
                </div>
                <ol class="exchanges">
                    { for entries.iter().map(view_exchange) }
                </ol>
            }
        </details>
    }
}

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

fn view_exchange(exchange: &Exchange) -> Html {
    let status = match (exchange.status, &exchange.transport_error) {
        (Some(status), _) => status.to_string(),
        (None, Some(error)) => format!("failed: {error}"),
        (None, None) => "no answer".to_string(),
    };
    let failed = exchange.status.is_none_or(|s| s >= 400);
    html! {
        <li class="exchange" data-testid="exchange">
            <p class="exchange-line">
                <span class="method">{ &exchange.method }</span>{ " " }
                <code class="url">{ &exchange.url }</code>{ " → " }
                <span class={classes!("http-status", failed.then_some("failed"))}>{ status }</span>
                <span class="kind">{ format!(" ({})", exchange.kind) }</span>
            </p>
            if let Some(protected) = &exchange.protected {
                <p class="label">{ "Protected header" }</p>
                <pre>{ pretty(protected) }</pre>
            }
            if exchange.protected.is_some() {
                <p class="label">{ "Payload" }</p>
                { match &exchange.payload {
                    Some(payload) => html! { <pre>{ pretty(payload) }</pre> },
                    None => html! { <p class="muted">{ "(empty: POST-as-GET)" }</p> },
                } }
            }
            if !exchange.response_headers.is_empty() {
                <p class="label">{ "Response headers" }</p>
                <dl class="headers">
                    { for exchange.response_headers.iter().map(|(name, value)| html! {
                        <><dt>{ name }</dt><dd><code>{ value }</code></dd></>
                    }) }
                </dl>
            }
            if !exchange.response_body.is_empty() {
                <details>
                    <summary>{ "Response body" }</summary>
                    <pre>{ body_text(&exchange.response_body) }</pre>
                </details>
            }
        </li>
    }
}

/// JSON bodies pretty-printed; anything else (a PEM chain, an HTML error page) as it came.
fn body_text(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .map(|v| pretty(&v))
        .unwrap_or_else(|_| body.to_string())
}
