//! Tests that run inside headless Chromium (wasm-bindgen-test): what the app relies on from the browser.
//!
//! Run with `cargo test --target wasm32-unknown-unknown --test web` under `scripts/with-pebble.sh`, which
//! exports CERTSMITH_TEST_DIRECTORY (read here at compile time) and starts the local Pebble it points at.
//! webdriver.json makes Chromium accept Pebble's throwaway TLS certificate.
#![cfg(target_arch = "wasm32")]

use gloo_net::http::{Method, Request, RequestBuilder};
use serde_json::Value;
use wasm_bindgen_test::*;

use certsmith::identifier::{parse_identifiers, IdentifierKind};

wasm_bindgen_test_configure!(run_in_browser);

fn directory_url() -> &'static str {
    match option_env!("CERTSMITH_TEST_DIRECTORY") {
        Some(url) => url,
        None => panic!("CERTSMITH_TEST_DIRECTORY was not set when this test was compiled: run it under scripts/with-pebble.sh"),
    }
}

async fn directory() -> serde_json::Map<String, Value> {
    let response = Request::get(directory_url())
        .send()
        .await
        .expect("fetch the directory from the page");
    assert_eq!(response.status(), 200);
    match response
        .json::<Value>()
        .await
        .expect("the directory is JSON")
    {
        Value::Object(map) => map,
        other => panic!("the directory is not a JSON object: {other}"),
    }
}

#[wasm_bindgen_test]
async fn the_local_ca_directory_is_readable_from_a_page() {
    let dir = directory().await;
    for resource in [
        "newNonce",
        "newAccount",
        "newOrder",
        "revokeCert",
        "keyChange",
    ] {
        let url = dir
            .get(resource)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no {resource} in {dir:?}"));
        assert!(url.starts_with("https://"), "{resource} = {url}");
    }
}

#[wasm_bindgen_test]
async fn replay_nonce_is_exposed_to_page_js_on_head_new_nonce() {
    let dir = directory().await;
    let new_nonce = dir["newNonce"].as_str().expect("newNonce is a URL");
    let response = RequestBuilder::new(new_nonce)
        .method(Method::HEAD)
        .send()
        .await
        .expect("HEAD newNonce");
    assert!(
        response.ok(),
        "HEAD newNonce answered {}",
        response.status()
    );
    let nonce = response
        .headers()
        .get("replay-nonce")
        .expect("Replay-Nonce is readable (CORS exposes it)");
    assert!(
        !nonce.is_empty()
            && nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "a nonce is base64url (RFC 8555 §6.5.1): {nonce:?}"
    );
}

#[wasm_bindgen_test]
fn identifiers_are_normalized_in_the_browser_too() {
    let ids =
        parse_identifiers("Bücher.Example. *.EXAMPLE.org, 192.0.2.1 [2001:DB8::1] bücher.example")
            .unwrap();
    let values: Vec<&str> = ids.iter().map(|id| id.value.as_str()).collect();
    assert_eq!(
        values,
        [
            "xn--bcher-kva.example",
            "*.example.org",
            "192.0.2.1",
            "2001:db8::1"
        ]
    );
    assert_eq!(ids[2].kind, IdentifierKind::Ip);

    let errors = parse_identifiers("example..com localhost").unwrap_err();
    assert_eq!(errors.len(), 2);
}
