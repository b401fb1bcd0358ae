//! A link the CA gave (its website, its terms): rendered as a link only when it is https (or http on
//! this machine), so a `javascript:` or `data:` URL in a directory is shown as text, never followed.
//!
//! A plain function, not a component: it has no state, and a component of its own costs the page's
//! wasm about a kilobyte of Yew's per-component code.

use certsmith::acme::transport::is_safe_scheme;
use certsmith::t;
use yew::prelude::*;

/// `url` as a link reading `label` (the URL itself when `None`), with `data-testid` `testid`.
pub fn external_link(
    url: AttrValue,
    label: Option<AttrValue>,
    testid: Option<&'static str>,
) -> Html {
    if is_safe_scheme(&url) {
        let text = label.unwrap_or_else(|| url.clone());
        html! {
            <a href={url} target="_blank" rel="noopener noreferrer" data-testid={testid}>{ text }</a>
        }
    } else {
        html! {
            <span class="unsafe-link" data-testid={testid}
                  title={t!("Not a link: the CA gave an address that is not https")}>{ url }</span>
        }
    }
}
