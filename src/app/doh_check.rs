//! The DNS check: asks DNS-over-HTTPS resolvers whether they see every TXT value yet.

use certsmith::t;
use certsmith::wizard::{DohOutcome, DohRow};
use yew::prelude::*;

use super::forms::textarea_value;
use super::text_node;

/// What [`doh_check`] shows. A plain function, not a component: it has no state of its own (the rows are
/// the wizard's), and a component costs the page's wasm about a kilobyte of Yew's per-component code.
pub struct DohCheckProps {
    pub resolvers: String,
    pub rows: Vec<DohRow>,
    pub busy: bool,
    pub on_change: Callback<String>,
    pub on_check: Callback<()>,
}

pub fn doh_check(props: &DohCheckProps) -> Html {
    let on_input = props.on_change.reform(|e: InputEvent| textarea_value(&e));
    html! {
        <div class="doh stack">
            <h3>{ text_node(t!("Check DNS")) }</h3>
            <p class="help">{ t!("Before submitting, ask public resolvers (over HTTPS, from this page) whether they \
                               see the records yet. New records can take minutes to appear, with some providers an \
                               hour. One resolver seeing every value is a good sign; the CA asks your name servers \
                               itself.") }</p>
            <div class="field">
                <label for="resolvers">{ text_node(t!("DNS-over-HTTPS resolvers")) }</label>
                <textarea id="resolvers" rows="3" spellcheck="false" autocomplete="off"
                          value={props.resolvers.clone()} oninput={on_input} disabled={props.busy} />
                <p class="help">{ text_node(t!("One resolver URL per line (RFC 8484).")) }</p>
            </div>
            <div class="actions">
                <button type="button" onclick={props.on_check.reform(|_: MouseEvent| ())} disabled={props.busy}>
                    { text_node(t!("Check DNS")) }
                </button>
            </div>
            if !props.rows.is_empty() {
                <ul class="doh-results" aria-label={t!("DNS check results")}>
                    { for props.rows.iter().map(|row| {
                        let class = match row.outcome {
                            DohOutcome::Visible => "visible",
                            DohOutcome::NotVisible { .. } => "missing",
                            DohOutcome::Error { .. } => "failed",
                        };
                        html! {
                            <li class={classes!("doh-row", class)} data-testid="doh-result">
                                <span class="doh-where"><span class="resolver">{ host(&row.resolver) }</span>
                                    { " · " }<code>{ &row.record_name }</code></span>
                                { ": " }<span class="doh-outcome">{ row.outcome.describe() }</span>
                            </li>
                        }
                    }) }
                </ul>
            }
        </div>
    }
}

/// The host of a resolver URL, which says enough in a result row or a sentence.
pub fn host(url: &str) -> &str {
    url.split("://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or(url)
}
