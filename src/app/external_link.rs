//! A link the CA gave (its website, its terms): rendered as a link only when it is https (or http on
//! this machine), so a `javascript:` or `data:` URL in a directory is shown as text, never followed.

use certsmith::acme::transport::is_safe_scheme;
use certsmith::t;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ExternalLinkProps {
    pub url: AttrValue,
    /// The link's text; the URL itself when absent.
    #[prop_or_default]
    pub label: Option<AttrValue>,
    #[prop_or_default]
    pub testid: Option<AttrValue>,
}

#[function_component(ExternalLink)]
pub fn external_link(props: &ExternalLinkProps) -> Html {
    let text = props.label.clone().unwrap_or_else(|| props.url.clone());
    if is_safe_scheme(&props.url) {
        html! {
            <a href={props.url.clone()} target="_blank" rel="noopener noreferrer"
               data-testid={props.testid.clone()}>{ text }</a>
        }
    } else {
        html! {
            <span class="unsafe-link" data-testid={props.testid.clone()}
                  title={t!("Not a link: the CA gave an address that is not https")}>{ props.url.clone() }</span>
        }
    }
}
