//! Each challenge's key authorization, derived step by step from its token and the account key (RFC 8555
//! §8.1, with the RFC 7638 thumbprint) to what is placed: the TXT value of dns-01 (§8.4) or the file of
//! http-01 (§8.3).

use certsmith::t;
use certsmith::wizard::inspect::KeyAuthorization;
use yew::prelude::*;

use super::text_node;

pub fn view_key_authorizations(found: &[KeyAuthorization]) -> Html {
    if found.is_empty() {
        return Html::default();
    }
    html! {
        <>
            <h3>{ text_node(t!("Key authorizations (RFC 8555 §8.1)")) }</h3>
            { for found.iter().map(view_one) }
        </>
    }
}

fn view_one(k: &KeyAuthorization) -> Html {
    let dns = k.challenge == "dns-01";
    let step = |label: &'static str, testid: &'static str, value: &str| {
        html! { <><dt>{ label }</dt><dd><code data-testid={testid}>{ value.to_string() }</code></dd></> }
    };
    html! {
        <article class="key-authorization" data-testid="key-authorization" data-name={k.name.clone()}
                 data-challenge={k.challenge.clone()}>
            <h4>{ format!("{} ({})", k.name, k.challenge) }</h4>
            <dl class="headers">
                { step(t!("1. Token, from the challenge"), "ka-token", &k.token) }
                { step(t!("2. Account key JWK, RFC 7638 form"), "ka-jwk", &k.jwk) }
                { step(t!("3. Thumbprint: base64url(SHA-256(2))"), "ka-thumbprint", &k.thumbprint) }
                { step(t!("4. Key authorization: 1 \".\" 3"), "ka-key-authorization", &k.key_authorization) }
                if dns {
                    { step(t!("5. SHA-256(4), hex"), "ka-sha256", &k.sha256_hex) }
                    { step(t!("6. TXT value: base64url of 5 (§8.4)"), "ka-value", &k.value) }
                } else {
                    { step(t!("5. File content: 4 itself (§8.3)"), "ka-value", &k.value) }
                }
            </dl>
        </article>
    }
}
