//! One exchange of the protocol log: its RFC section (linked) and why it comes now, the decoded JWS
//! (protected header, payload, the signature's algorithm and length), the nonce it used and whose reply
//! gave it, and what came back. Numbered from 1, as the nonce chain names them.

use certsmith::acme::client::Exchange;
use certsmith::wizard::inspect;
use certsmith::{i18n, t, t_key};
use serde_json::Value;
use yew::prelude::*;

use super::external_link::external_link;
use super::sentence_with;
use super::text_node;

fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

/// Entry `i` of `entries`; `rsa` is the page's account (URL, RSA modulus bytes) for RS256 lengths.
pub fn view_exchange(entries: &[Exchange], i: usize, rsa: Option<(&str, usize)>) -> Html {
    let exchange = &entries[i];
    let n = i + 1;
    let status = match (exchange.status, &exchange.transport_error) {
        (Some(status), _) => status.to_string(),
        (None, Some(error)) => t!("failed: {error}", error = error),
        (None, None) => t!("not sent yet").to_string(),
    };
    let failed = exchange.status.is_some_and(|s| s >= 400) || exchange.transport_error.is_some();
    let lesson = inspect::lesson(entries, i);
    let nonce = inspect::nonce(exchange);
    let source = inspect::nonce_source(entries, i);
    // The sentence shows the nonce as code.
    let nonce_line = |nonce: &str| {
        let code = html! { <code>{ nonce.to_string() }</code> };
        let sentence = match source {
            Some(j) => sentence_with(
                i18n::text(t_key!("Nonce {nonce} from the Replay-Nonce of #{n}")),
                &[("nonce", code), ("n", html! { { j + 1 } })],
            ),
            None => sentence_with(
                i18n::text(t_key!(
                    "Nonce {nonce} from a newNonce before this log (the CA probe)"
                )),
                &[("nonce", code)],
            ),
        };
        html! { <p data-testid="nonce-chain">{ sentence }</p> }
    };
    let signature = inspect::signature(exchange, rsa).map(|s| match s.bytes {
        Some(bytes) => t!(
            "Signature: {alg}, {bytes} bytes (proves the key signed it)",
            alg = s.alg,
            bytes = bytes
        ),
        None => t!("Signature: {alg} (proves the key signed it)", alg = s.alg),
    });
    html! {
        <li class="exchange" data-testid="exchange" value={n.to_string()} data-kind={exchange.kind.clone()}
            data-nonce={nonce.map(str::to_string)} data-nonce-from={source.map(|j| (j + 1).to_string())}
            data-replay-nonce={inspect::header(exchange, "replay-nonce").map(str::to_string)}>
            <p class="exchange-line">
                <span class="method">{ &exchange.method }</span>{ " " }
                <code class="url">{ &exchange.url }</code>{ " → " }
                <span class={classes!("http-status", failed.then_some("failed"))}>{ status }</span>
                <span class="kind">{ format!(" ({})", exchange.kind) }</span>
                if inspect::is_retry(entries, i) {
                    <span class="retry" data-testid="retry">{ " " }{ text_node(t!("badNonce retry")) }</span>
                }
            </p>
            <p class="lesson">
                { external_link(lesson.link().into(), Some(lesson.label().into()), Some("rfc-link")) }
                { " " }<span data-testid="why">{ lesson.why }</span>
            </p>
            if let Some(protected) = &exchange.protected {
                <p class="label">{ text_node(t!("Protected header")) }</p>
                <pre>{ pretty(protected) }</pre>
                <p class="label">{ text_node(t!("Payload")) }</p>
                { match &exchange.payload {
                    Some(payload) => html! { <pre>{ pretty(payload) }</pre> },
                    None => html! { <p class="muted">{ text_node(t!("(empty: POST-as-GET)")) }</p> },
                } }
                if let Some(signature) = signature {
                    <p data-testid="signature">{ signature }</p>
                }
                if let Some(nonce) = nonce {
                    { nonce_line(nonce) }
                }
            }
            if !exchange.response_headers.is_empty() {
                <p class="label">{ text_node(t!("Response headers")) }</p>
                <dl class="headers">
                    { for exchange.response_headers.iter().map(|(name, value)| html! {
                        <><dt>{ name }</dt><dd><code>{ value }</code></dd></>
                    }) }
                </dl>
            }
            if !exchange.response_body.is_empty() {
                <details>
                    <summary>{ text_node(t!("Response body")) }</summary>
                    <pre>{ body_text(&exchange.response_body) }</pre>
                </details>
            }
        </li>
    }
}

/// JSON bodies pretty-printed; anything else (a PEM chain, an HTML error page) as it came.
fn body_text(body: &str) -> String {
    certsmith::json::from_text::<Value>(body)
        .map(|v| pretty(&v))
        .unwrap_or_else(|_| body.to_string())
}
