//! Tests that run inside headless Chromium (wasm-bindgen-test): what the app relies on from the browser.
//!
//! Run with `cargo test --target wasm32-unknown-unknown --test web` under `scripts/with-pebble.sh`, which
//! exports CERTSMITH_TEST_DIRECTORY (read here at compile time) and starts the local Pebble it points at.
//! webdriver.json makes Chromium accept Pebble's throwaway TLS certificate.
//!
//! The browser layer (`certsmith::web`) is tested here against real servers: Pebble (a CORS-enabled ACME
//! server), Pebble's management port (same TLS certificate, no CORS headers: a server that blocks pages),
//! a port nothing listens on, and the test runner's own web server (same origin: HTML pages and 404s).
//! `browser_key_generation_times` only measures; run with `-- --nocapture` to see its figures.
//!
//! One file over 600 lines: wasm-bindgen-test runs one browser session per test binary, so the browser
//! tests share one file rather than paying for a browser start each.
#![cfg(target_arch = "wasm32")]

use std::time::{Duration, UNIX_EPOCH};

use gloo_net::http::{Method, Request, RequestBuilder};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

use certsmith::acme::account::{AccountCredentials, AccountStatus, NewAccount};
use certsmith::acme::authorization::{placement, AuthorizationStatus, ChallengeType, Placement};
use certsmith::acme::client::Client;
use certsmith::acme::flow::{Issuance, Next, Stage};
use certsmith::acme::identifier::{parse_identifiers, Identifier, IdentifierKind};
use certsmith::acme::order::{NewOrder, OrderStatus};
use certsmith::acme::persist::PersistChoice;
use certsmith::acme::problem::Problem;
use certsmith::acme::transport::{HttpClient, HttpRequest, TransportErrorKind};
use certsmith::pki::csr::build_csr;
use certsmith::pki::key::{KeyType, PrivateKey};
use certsmith::web::doh::{self, DohError};
use certsmith::web::fetch::FetchHttp;
use certsmith::web::probe::{self, ProbeFailure};
use certsmith::web::webcrypto::{self, WebCryptoSigner};
use certsmith::web::{clipboard, clock, download, storage};

wasm_bindgen_test_configure!(run_in_browser);

fn directory_url() -> &'static str {
    match option_env!("CERTSMITH_TEST_DIRECTORY") {
        Some(url) => url,
        None => panic!("CERTSMITH_TEST_DIRECTORY was not set when this test was compiled: run it under scripts/with-pebble.sh"),
    }
}

/// Pebble's management API: the same TLS certificate as the ACME server, but no CORS headers.
fn management_url() -> &'static str {
    match option_env!("CERTSMITH_TEST_MGMT") {
        Some(url) => url,
        None => panic!("CERTSMITH_TEST_MGMT was not set when this test was compiled: run it under scripts/with-pebble.sh"),
    }
}

/// An https URL on this machine where nothing listens (the port after Pebble's EAB management port).
const NOT_LISTENING: &str = "https://127.0.0.1:15999/dir";

/// Tests that rely on opaque (no-cors) answers need a page that is not cross-origin isolated: the runner
/// isolates its page (COEP require-corp) unless WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION is set, and then
/// every opaque answer is a network error.
fn require_no_origin_isolation() {
    let isolated = js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .is_ok_and(|v| v.is_truthy());
    assert!(
        !isolated,
        "the test page is cross-origin isolated (COEP require-corp), which blocks no-cors answers: run the \
         browser tests with WASM_BINDGEN_TEST_NO_ORIGIN_ISOLATION=1, as scripts/test-levels.sh should"
    );
}

/// The origin of the page the tests run in (the runner's web server), for same-origin URLs.
fn page_origin() -> String {
    web_sys::window().unwrap().location().origin().unwrap()
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

// ----- fetch -----

#[wasm_bindgen_test]
async fn fetch_http_gets_the_directory_with_lower_case_headers() {
    let response = FetchHttp::default()
        .send(HttpRequest::get(directory_url()))
        .await
        .expect("GET the directory over fetch");
    assert_eq!(response.status, 200);
    assert!(
        response
            .headers
            .iter()
            .all(|(name, _)| *name == name.to_ascii_lowercase()),
        "{:?}",
        response.headers
    );
    assert!(response
        .header("Content-Type")
        .is_some_and(|t| t.starts_with("application/json")));
    let dir: Value = serde_json::from_slice(&response.body).expect("JSON body");
    assert!(dir["newNonce"]
        .as_str()
        .is_some_and(|u| u.starts_with("https://")));
}

#[wasm_bindgen_test]
async fn fetch_http_head_new_nonce_shows_replay_nonce() {
    let dir = directory().await;
    let response = FetchHttp::default()
        .send(HttpRequest::head(dir["newNonce"].as_str().unwrap()))
        .await
        .expect("HEAD newNonce over fetch");
    assert!(response.is_success(), "{}", response.status);
    assert!(response.body.is_empty());
    let nonce = response
        .header("replay-nonce")
        .expect("Replay-Nonce is readable");
    assert!(nonce.len() > 10, "{nonce}");
}

#[wasm_bindgen_test]
async fn fetch_http_post_with_a_bad_jws_gets_a_problem_document() {
    let dir = directory().await;
    let new_account = dir["newAccount"].as_str().unwrap();
    let response = FetchHttp::default()
        .send(HttpRequest::post(
            new_account,
            r#"{"protected":"e30","payload":"","signature":"AA"}"#.into(),
        ))
        .await
        .expect("POST newAccount over fetch");
    assert_eq!(response.status, 400, "{}", response.body_text());
    assert!(
        response
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/problem+json")),
        "{:?}",
        response.headers
    );
    let problem: Problem = serde_json::from_slice(&response.body).expect("a problem document");
    assert!(
        problem
            .type_uri
            .as_deref()
            .is_some_and(|t| t.starts_with("urn:ietf:params:acme:error:")),
        "{problem:?}"
    );
    // Pebble sends a fresh nonce even with an error, and exposes it.
    assert!(response.header("replay-nonce").is_some());
}

#[wasm_bindgen_test]
async fn fetch_http_reports_an_unreachable_server() {
    let err = FetchHttp::default()
        .send(HttpRequest::get(NOT_LISTENING))
        .await
        .expect_err("nothing listens there");
    assert_eq!(err.kind, TransportErrorKind::Unreachable);
    assert_eq!(err.url, NOT_LISTENING);
    assert!(err.detail.contains("Failed to fetch"), "{}", err.detail);
}

#[wasm_bindgen_test]
async fn fetch_http_times_out() {
    // A zero timeout aborts on the next timer tick, before any answer can arrive.
    let err = FetchHttp::with_timeout(Duration::ZERO)
        .send(HttpRequest::get(directory_url()))
        .await
        .expect_err("aborted");
    assert_eq!(err.kind, TransportErrorKind::Timeout, "{err}");
}

// ----- probe -----

#[wasm_bindgen_test]
async fn probe_accepts_the_local_pebble() {
    let probed = probe::probe_ca(directory_url())
        .await
        .expect("Pebble is usable from a page");
    let directory = &probed.directory;
    assert!(directory.new_nonce.starts_with("https://127.0.0.1:"));
    assert!(
        directory.new_order.ends_with("/order-plz"),
        "{}",
        directory.new_order
    );
    // The nonce newNonce gave, for the client's first request (RFC 8555 §7.2): base64url (§6.5.1).
    assert!(
        !probed.nonce.is_empty()
            && probed
                .nonce
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
        "{:?}",
        probed.nonce
    );
    // A second probe gets a fresh one.
    let again = probe::probe_ca(directory_url()).await.unwrap();
    assert_eq!(again.directory, probed.directory);
    assert_ne!(again.nonce, probed.nonce);
}

#[wasm_bindgen_test]
async fn probe_reports_a_server_that_does_not_listen() {
    let err = probe::probe_ca(NOT_LISTENING).await.unwrap_err();
    assert_eq!(err.kind, ProbeFailure::UnreachableOrUntrusted, "{err}");
    assert_eq!(err.url, NOT_LISTENING);
    assert!(err.to_string().contains("cannot tell these apart"), "{err}");
    // A local CA gets the advice about accepting its certificate.
    assert!(
        err.hint().contains("accept the certificate warning"),
        "{}",
        err.hint()
    );
}

#[wasm_bindgen_test]
async fn probe_reports_a_server_that_blocks_pages() {
    require_no_origin_isolation();
    let url = format!("{}/roots/0", management_url());
    let err = probe::probe_ca(&url).await.unwrap_err();
    assert_eq!(err.kind, ProbeFailure::CorsBlocked, "{err}");
    assert!(
        err.hint().contains("blocks browser clients"),
        "{}",
        err.hint()
    );
}

#[wasm_bindgen_test]
async fn probe_reports_pages_and_errors_that_are_not_directories() {
    // The runner's own page: same origin, so readable, but HTML.
    let page = format!("{}/", page_origin());
    let err = probe::probe_ca(&page).await.unwrap_err();
    assert!(
        matches!(&err.kind, ProbeFailure::NotAcme(why) if why.contains("HTML")),
        "{err}"
    );

    let missing = format!("{}/certsmith-no-such-file", page_origin());
    let err = probe::probe_ca(&missing).await.unwrap_err();
    assert_eq!(err.kind, ProbeFailure::HttpStatus(404), "{err}");

    // An ACME endpoint that answers pages but is no directory (GET newNonce: 204, no body).
    let dir = directory().await;
    let nonce_url = dir["newNonce"].as_str().unwrap();
    let err = probe::probe_ca(nonce_url).await.unwrap_err();
    assert!(
        matches!(
            err.kind,
            ProbeFailure::NotAcme(_) | ProbeFailure::HttpStatus(_)
        ),
        "{err}"
    );
}

#[wasm_bindgen_test]
async fn probe_checks_the_url_first() {
    for (url, needle) in [
        ("", "empty"),
        ("acme.example/directory", "https://"),
        (
            "http://acme.example/directory",
            "only for a CA on this machine",
        ),
        ("ftp://acme.example/directory", "https://"),
        ("https://user:secret@acme.example/directory", "password"),
    ] {
        let err = probe::probe_ca(url).await.unwrap_err();
        match &err.kind {
            ProbeFailure::InvalidUrl(why) => assert!(why.contains(needle), "{url}: {why}"),
            other => panic!("{url}: {other:?}"),
        }
        assert!(!err.hint().is_empty());
    }
    assert!(probe::check_directory_url("http://localhost:14000/dir").is_ok());
    assert!(probe::check_directory_url("http://127.0.0.1:14000/dir").is_ok());
    assert!(probe::check_directory_url("https://acme.example/directory").is_ok());
    assert!(probe::check_directory_url("http://127.0.0.1.example/dir").is_err());
}

// ----- DNS over HTTPS -----

#[wasm_bindgen_test]
async fn doh_reports_its_errors_in_plain_words() {
    let err = doh::lookup_txt(
        "https://127.0.0.1:15999/dns-query",
        "_acme-challenge.a.test",
    )
    .await
    .unwrap_err();
    assert!(matches!(err, DohError::Unreachable { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("does not allow queries from web pages"),
        "{err}"
    );

    let err = doh::lookup_txt("https://127.0.0.1:15999/dns-query", "bad..name")
        .await
        .unwrap_err();
    assert!(matches!(err, DohError::InvalidName(_)), "{err}");

    let err = doh::lookup_txt("http://dns.example/dns-query", "a.test")
        .await
        .unwrap_err();
    assert!(matches!(err, DohError::InvalidResolver { .. }), "{err}");

    // A server that answers but not to pages.
    let err = doh::lookup_txt(management_url(), "a.test")
        .await
        .unwrap_err();
    assert!(matches!(err, DohError::Unreachable { .. }), "{err}");

    // Same-origin: a 404, and an HTML page where a DNS message should be.
    let err = doh::lookup_txt(
        &format!("{}/certsmith-no-dns-query", page_origin()),
        "a.test",
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        DohError::HttpStatus {
            resolver: format!("{}/certsmith-no-dns-query", page_origin()),
            status: 404
        }
    );
    let err = doh::lookup_txt(&format!("{}/", page_origin()), "a.test")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, DohError::Malformed { detail, .. } if detail.contains("text/html")),
        "{err}"
    );
}

/// Places a record through challtestsrv's management API from the page. That API sends no CORS headers,
/// but a no-cors POST with a text body is a "simple" request: it is sent, only its answer is opaque.
async fn challtestsrv(path: &str, body: Value) {
    let url = match option_env!("CERTSMITH_TEST_CHALLTESTSRV") {
        Some(base) => format!("{base}{path}"),
        None => panic!("CERTSMITH_TEST_CHALLTESTSRV was not set when this test was compiled"),
    };
    RequestBuilder::new(&url)
        .method(Method::POST)
        .mode(web_sys::RequestMode::NoCors)
        .body(body.to_string())
        .unwrap()
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
}

#[wasm_bindgen_test]
async fn doh_reads_txt_records_from_the_local_resolver() {
    // scripts/doh.sh (dnsdist with CORS, answering from challtestsrv), started by with-pebble.sh.
    let Some(resolver) = option_env!("CERTSMITH_TEST_DOH") else {
        console_log!("CERTSMITH_TEST_DOH was not set at compile time: DoH success path not tested");
        return;
    };
    require_no_origin_isolation();
    let stamp = js_sys::Date::now() as u64;
    let name = format!("_acme-challenge.doh{stamp}.example.test");
    assert_eq!(
        doh::lookup_txt(resolver, &name).await.unwrap(),
        Vec::<String>::new()
    );

    for value in ["first-value", "second-value"] {
        challtestsrv(
            "/set-txt",
            serde_json::json!({ "host": format!("{name}."), "value": value }),
        )
        .await;
    }
    let mut txt = doh::lookup_txt(resolver, &name)
        .await
        .expect("TXT over DoH");
    txt.sort();
    assert_eq!(txt, ["first-value", "second-value"]);
    // The same with a trailing dot.
    assert_eq!(
        doh::lookup_txt(resolver, &format!("{name}."))
            .await
            .unwrap()
            .len(),
        2
    );

    let failing = format!("_acme-challenge.fail{stamp}.example.test");
    challtestsrv(
        "/set-servfail",
        serde_json::json!({ "host": format!("{failing}.") }),
    )
    .await;
    let err = doh::lookup_txt(resolver, &failing).await.unwrap_err();
    assert!(
        matches!(err, DohError::ServerFailure { rcode: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("SERVFAIL"), "{err}");
    challtestsrv(
        "/clear-txt",
        serde_json::json!({ "host": format!("{name}.") }),
    )
    .await;
}

/// The page's DNS check of a dns-persist-01 record (`DnsRecord::check`, what the Check DNS button runs)
/// against the local resolver: a record placed through challtestsrv, spelled otherwise than the page
/// wrote it (case, trailing dot, spacing, an unknown parameter), counts for the account it names and not
/// for another account.
#[wasm_bindgen_test]
async fn doh_check_counts_a_persist_record_for_its_account_only() {
    use certsmith::acme::authorization::Authorization;
    use certsmith::wizard::{DnsRecord, DohOutcome};

    let Some(resolver) = option_env!("CERTSMITH_TEST_DOH") else {
        console_log!(
            "CERTSMITH_TEST_DOH was not set at compile time: the persist DNS check not tested"
        );
        return;
    };
    require_no_origin_isolation();
    let name = format!("persist{}.example.test", js_sys::Date::now() as u64);
    let authorization: Authorization = serde_json::from_value(serde_json::json!({
        "status": "pending",
        "identifier": { "type": "dns", "value": name },
        "challenges": [{
            "type": "dns-persist-01", "url": "https://ca.test/chall/1", "status": "pending",
            "issuer-domain-names": ["ca.test", "ca.example.net"]
        }]
    }))
    .unwrap();
    let record_for = |url: &str| -> DnsRecord {
        let account = AccountCredentials {
            url: url.into(),
            key: PrivateKey::generate(KeyType::P256).unwrap(),
        };
        let placed = placement(
            &authorization,
            &authorization.challenges[0],
            &account,
            PersistChoice::default(),
        )
        .unwrap();
        DnsRecord::from_placement(&name, &placed).expect("a TXT record")
    };
    let ours = record_for("https://ca.test/acct/1");
    let theirs = record_for("https://ca.test/acct/2");
    assert_eq!(ours.name, format!("_validation-persist.{name}"));
    assert_eq!(ours.values, ["ca.test; accounturi=https://ca.test/acct/1"]);
    let lookup = || async {
        doh::lookup_txt(resolver, &ours.name)
            .await
            .map_err(|e| e.to_string())
    };
    let before = ours.check(resolver, lookup().await, clock::now());
    assert_eq!(before.outcome, DohOutcome::NotVisible { found: Vec::new() });

    let host = format!("{}.", ours.name);
    let placed = "CA.Example.NET. ;  accounturi=https://ca.test/acct/1 ;future-tag=1";
    challtestsrv(
        "/set-txt",
        serde_json::json!({ "host": host, "value": placed }),
    )
    .await;
    let answer = lookup().await;
    challtestsrv("/clear-txt", serde_json::json!({ "host": host })).await;
    assert_eq!(answer.as_deref(), Ok(&[placed.to_string()][..]));
    let row = ours.check(resolver, answer.clone(), clock::now());
    assert_eq!(row.outcome, DohOutcome::Visible, "{row:?}");
    assert_eq!(row.record_name, ours.name);
    let other = theirs.check(resolver, answer, clock::now());
    assert_eq!(
        other.outcome,
        DohOutcome::NotVisible {
            found: vec![placed.to_string()]
        }
    );
}

// ----- storage, download, clock, clipboard -----

#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Saved {
    name: String,
    count: u32,
}

fn local_storage() -> web_sys::Storage {
    web_sys::window().unwrap().local_storage().unwrap().unwrap()
}

#[wasm_bindgen_test]
fn storage_round_trips_and_keeps_corrupt_values() {
    let key = "certsmith-test-storage";
    let value = Saved {
        name: "bücher.example".into(),
        count: 3,
    };
    storage::save(key, &value).unwrap();
    assert_eq!(storage::load::<Saved>(key), Some(value));
    storage::remove(key);
    assert_eq!(storage::load::<Saved>(key), None);
    storage::remove(key); // removing twice is fine

    local_storage()
        .set_item(key, "{\"name\": \"half a val")
        .unwrap();
    local_storage()
        .remove_item(&format!("{key}.corrupt"))
        .unwrap();
    assert_eq!(storage::load::<Saved>(key), None);
    assert_eq!(
        local_storage()
            .get_item(&format!("{key}.corrupt"))
            .unwrap()
            .as_deref(),
        Some("{\"name\": \"half a val")
    );
    // A value of another shape is corrupt for this type too; the earlier copy is not replaced.
    local_storage()
        .remove_item(&format!("{key}.corrupt.2"))
        .unwrap();
    local_storage().set_item(key, "[1,2]").unwrap();
    assert_eq!(storage::load::<Saved>(key), None);
    let copy = |name: &str| local_storage().get_item(&format!("{key}{name}")).unwrap();
    assert_eq!(copy(".corrupt").as_deref(), Some("{\"name\": \"half a val"));
    assert_eq!(copy(".corrupt.2").as_deref(), Some("[1,2]"));
    // The same text again is already kept: no third copy.
    assert_eq!(
        storage::keep_aside(key, ".corrupt", "[1,2]").as_deref(),
        Ok(format!("{key}.corrupt.2").as_str())
    );
    assert_eq!(copy(".corrupt.3"), None);
    storage::remove(key);
    storage::remove(&format!("{key}.corrupt"));
    storage::remove(&format!("{key}.corrupt.2"));
}

/// Each different text kept aside gets its own copy, up to the last one, which the texts after it share.
#[wasm_bindgen_test]
fn copies_kept_aside_are_numbered_and_stop_at_the_last() {
    let key = "certsmith-test-aside";
    let name = |n: usize| match n {
        1 => format!("{key}.refused"),
        n => format!("{key}.refused.{n}"),
    };
    for n in 1..=21 {
        storage::remove(&name(n));
    }
    for n in 1..=20 {
        assert_eq!(
            storage::keep_aside(key, ".refused", &format!("text {n}")),
            Ok(name(n))
        );
    }
    // Past the last copy the last one is reused; the earlier ones stay.
    assert_eq!(
        storage::keep_aside(key, ".refused", "text 21"),
        Ok(name(20))
    );
    assert_eq!(
        local_storage().get_item(&name(20)).unwrap().as_deref(),
        Some("text 21")
    );
    assert_eq!(
        local_storage().get_item(&name(19)).unwrap().as_deref(),
        Some("text 19")
    );
    assert_eq!(local_storage().get_item(&name(21)).unwrap(), None);
    for n in 1..=20 {
        storage::remove(&name(n));
    }
}

#[wasm_bindgen_test]
fn storage_reports_a_full_quota() {
    let key = "certsmith-test-quota";
    let err = storage::save(key, &"x".repeat(12 * 1024 * 1024)).unwrap_err();
    assert!(err.contains("full"), "{err}");
    assert_eq!(storage::load::<String>(key), None);
}

#[wasm_bindgen_test]
async fn download_creates_and_revokes_an_object_url() {
    // Record what the page does with object URLs.
    let spy = js_sys::Function::new_no_args(
        "const created = [], revoked = [];
         const create = URL.createObjectURL, revoke = URL.revokeObjectURL;
         URL.createObjectURL = b => { const u = create.call(URL, b); created.push(u); return u; };
         URL.revokeObjectURL = u => { revoked.push(u); return revoke.call(URL, u); };
         return { created, revoked, restore() { URL.createObjectURL = create; URL.revokeObjectURL = revoke; } };",
    )
    .call0(&JsValue::NULL)
    .unwrap();
    let list = |name: &str| -> Vec<String> {
        js_sys::Array::from(&js_sys::Reflect::get(&spy, &name.into()).unwrap())
            .iter()
            .filter_map(|v| v.as_string())
            .collect()
    };

    let result = download::download(
        "certsmith-test.pem",
        "application/x-pem-file",
        b"-----BEGIN X-----\n",
    );
    let created = list("created");
    let revoked_at_once = list("revoked");
    clock::sleep(download::REVOKE_AFTER + Duration::from_millis(300)).await;
    let revoked = list("revoked");
    let restore: js_sys::Function = js_sys::Reflect::get(&spy, &"restore".into())
        .unwrap()
        .unchecked_into();
    restore.call0(&spy).unwrap();

    result.expect("download starts");
    assert_eq!(created.len(), 1, "{created:?}");
    assert!(created[0].starts_with("blob:"));
    assert!(revoked_at_once.is_empty());
    assert_eq!(revoked, created);
    // The blob is gone once revoked.
    let err = FetchHttp::default()
        .send(HttpRequest::get(&created[0]))
        .await
        .unwrap_err();
    assert_eq!(err.kind, TransportErrorKind::Unreachable);
}

#[wasm_bindgen_test]
async fn clock_tells_the_time_and_sleeps_at_least_as_long_as_asked() {
    let now_ms = clock::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as f64;
    assert!((now_ms - js_sys::Date::now()).abs() < 1000.0);
    for _ in 0..3 {
        let start = clock::monotonic_ms();
        clock::sleep(Duration::from_millis(50)).await;
        let slept = clock::monotonic_ms() - start;
        assert!(slept >= 50.0, "slept {slept} ms");
    }
    let start = clock::monotonic_ms();
    clock::sleep(Duration::ZERO).await;
    assert!(clock::monotonic_ms() - start < 1000.0);
}

#[wasm_bindgen_test]
async fn clipboard_copy_returns_instead_of_throwing() {
    // Headless Chromium may refuse the clipboard (no focus, no permission); either way there is an answer.
    match clipboard::copy_text("_acme-challenge.example.org. 300 IN TXT \"abc\"").await {
        Ok(()) => console_log!("clipboard: copied"),
        Err(e) => {
            console_log!("clipboard: {e}");
            assert!(e.contains("copy it by hand"), "{e}");
        }
    }
}

// ----- the core over fetch -----

/// Sends what the flow asks for, over fetch, until it needs the person (the records placed), fails or is
/// done, waiting out its waits with the page's timers. The kind of each request sent is added to `sent`.
async fn drive(
    client: &Client<FetchHttp, WebCryptoSigner>,
    account: &AccountCredentials,
    issuance: &mut Issuance,
    sent: &mut Vec<&'static str>,
) -> Next {
    for _ in 0..100 {
        let now = clock::now();
        match issuance.next(now) {
            Next::Send(request) => {
                let result = client.execute(account, &request, now).await;
                sent.push(request.kind());
                issuance
                    .record(&request, result, clock::now())
                    .unwrap_or_else(|e| panic!("{}: {e} (sent so far: {sent:?})", request.kind()));
            }
            Next::Wait { until, .. } => {
                clock::sleep(until.duration_since(clock::now()).unwrap_or_default()).await
            }
            other => return other,
        }
    }
    panic!("the flow did not settle in 100 steps (sent {sent:?}): {issuance:?}")
}

/// The page's client: requests over fetch, signed by WebCrypto.
async fn page_client() -> Client<FetchHttp, WebCryptoSigner> {
    let probed = probe::probe_ca(directory_url())
        .await
        .expect("Pebble is usable from a page");
    let client = Client::from_directory_with_signer(
        FetchHttp::default(),
        WebCryptoSigner::default(),
        directory_url(),
        probed.directory,
    );
    client.add_nonce(&probed.nonce);
    client
}

/// A key as the page makes it: by WebCrypto (never the jobs module's fallback here).
async fn webcrypto_key(kind: KeyType) -> PrivateKey {
    let (key, how) = webcrypto::generate(kind).await;
    assert_eq!(how, "WebCrypto", "{}", kind.label());
    key.expect("a key from WebCrypto")
}

/// What the page does: probe the CA (the directory and one nonce), create an account, then run the
/// issuance flow over fetch: newOrder and one read per authorization, then the flow waits for the person
/// to place the records. They are placed through challtestsrv, and the flow goes on to the certificate.
/// Every JWS is signed by WebCrypto, as in the page.
#[wasm_bindgen_test]
async fn an_account_and_an_order_from_the_browser() {
    let client = page_client().await;
    let key = webcrypto_key(KeyType::P256).await;
    let terms = NewAccount {
        terms_of_service_agreed: true,
        ..NewAccount::default()
    }
    .with_email("browser@example.test");
    let (account, _) = client
        .new_account(&key, &terms, None)
        .await
        .expect("newAccount");
    assert!(account.url.starts_with("https://"), "{}", account.url);

    let name = format!("web{}.example.test", js_sys::Date::now() as u64);
    let wildcard = format!("*.{name}");
    let identifiers = vec![
        Identifier::dns(name.clone()),
        Identifier::dns(wildcard.clone()),
    ];
    let cert_key = webcrypto_key(KeyType::P256).await;
    let csr = build_csr(&cert_key, &identifiers).unwrap();
    let mut issuance = Issuance::new(
        js_sys::Date::now() as u64,
        NewOrder {
            identifiers,
            ..NewOrder::default()
        },
        csr,
        vec![ChallengeType::Dns01],
    );
    let mut sent = Vec::new();
    let next = drive(&client, &account, &mut issuance, &mut sent).await;
    assert_eq!(next, Next::Place);
    assert_eq!(sent, ["newOrder", "authorization", "authorization"]);
    assert_eq!(issuance.stage(), Stage::Placing);
    assert_eq!(issuance.status(), Some(OrderStatus::Pending));
    assert!(
        issuance
            .order_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://")),
        "{:?}",
        issuance.order_url
    );
    assert_eq!(issuance.authorizations.len(), 2);
    for progress in &issuance.authorizations {
        let authz = progress.authorization.as_ref().expect("read");
        assert_eq!(
            authz.status,
            AuthorizationStatus::Pending,
            "{}",
            progress.url
        );
        assert_eq!(progress.challenge_type, Some(ChallengeType::Dns01));
        assert!(!progress.answered);
    }
    assert_eq!(issuance.reused(), Vec::<String>::new());

    // What it asks to place: one TXT value per authorization, both at the apex's record name.
    let placements = issuance.placements(&account);
    let mut placed_names: Vec<&str> = placements.iter().map(|(n, _)| n.as_str()).collect();
    placed_names.sort();
    let mut expected_names = [wildcard.as_str(), name.as_str()];
    expected_names.sort();
    assert_eq!(placed_names, expected_names);
    let mut values = Vec::new();
    for ((placed_for, placed), progress) in placements.iter().zip(&issuance.authorizations) {
        let authz = progress.authorization.as_ref().unwrap();
        assert_eq!(placed_for, &authz.display_name());
        let challenge = authz
            .challenge(&ChallengeType::Dns01)
            .expect("dns-01 offered");
        let expected = placement(authz, challenge, &account, PersistChoice::default()).unwrap();
        let placed = placed.as_ref().expect("a placement");
        assert_eq!(placed, &expected);
        match placed {
            Placement::Dns01 { record_name, value } => {
                assert_eq!(record_name, &format!("_acme-challenge.{name}"));
                assert_eq!(value.len(), 43, "base64url of a SHA-256 digest");
                values.push(value.clone());
            }
            other => panic!("{other:?}"),
        }
    }
    assert_ne!(values[0], values[1], "one TXT value per authorization");

    // The person places both values under the one name; the flow answers, polls, finalizes, downloads.
    let host = format!("_acme-challenge.{name}.");
    for value in &values {
        challtestsrv(
            "/set-txt",
            serde_json::json!({ "host": host, "value": value }),
        )
        .await;
    }
    issuance.confirm_placed();
    sent.clear();
    let next = drive(&client, &account, &mut issuance, &mut sent).await;
    challtestsrv("/clear-txt", serde_json::json!({ "host": host })).await;
    assert_eq!(next, Next::Done, "sent {sent:?}; {:?}", issuance.failure());
    assert_eq!(issuance.stage(), Stage::Done);
    assert_eq!(sent[..2], ["challenge", "challenge"], "{sent:?}");
    assert_eq!(sent.last(), Some(&"certificate"), "{sent:?}");
    assert_eq!(
        sent.iter().filter(|k| **k == "finalize").count(),
        1,
        "{sent:?}"
    );
    assert!(
        sent[2..sent.len() - 1]
            .iter()
            .all(|k| *k == "order" || *k == "finalize"),
        "only order polls around finalize: {sent:?}"
    );
    let chain = issuance.chain.as_ref().expect("the certificate");
    let read = certsmith::pki::cert::parse_pem_chain(&chain.pem).expect("a PEM chain");
    let files = certsmith::wizard::chain_files(&read).expect("a certificate");
    let mut cert_names = files.leaf.names.clone();
    cert_names.sort();
    assert_eq!(cert_names, expected_names);

    let stats = client.stats();
    console_log!(
        "ACME over fetch: {} requests ({} badNonce retries): {:?}",
        stats.total(),
        stats.bad_nonce_retries,
        stats.requests
    );
    assert_eq!(
        stats.requests.get("newNonce"),
        None,
        "the probe's nonce and the replies' nonces suffice"
    );
    assert_eq!(
        stats.total() - stats.bad_nonce_retries - stats.server_error_retries,
        1 + 3 + sent.len() as u32,
        "newAccount, newOrder, two authorizations, then {sent:?}"
    );
}

// ----- measurement -----

/// Key generation in this browser, per key type. Prints median/min/max; asserts nothing about time.
#[wasm_bindgen_test]
async fn browser_key_generation_times() {
    let mut lines = Vec::new();
    for (kind, runs) in [
        (KeyType::P256, 10),
        (KeyType::P384, 10),
        (KeyType::Rsa2048, 5),
        (KeyType::Rsa3072, 2),
        (KeyType::Rsa4096, 1),
    ] {
        let mut times = Vec::with_capacity(runs);
        for _ in 0..runs {
            let start = clock::monotonic_ms();
            let key = PrivateKey::generate(kind).expect("key generation");
            times.push(clock::monotonic_ms() - start);
            assert_eq!(key.key_type(), Some(kind));
            // Let the other tests and the page breathe between keys.
            clock::sleep(Duration::ZERO).await;
        }
        times.sort_by(f64::total_cmp);
        let median = if runs % 2 == 1 {
            times[runs / 2]
        } else {
            (times[runs / 2 - 1] + times[runs / 2]) / 2.0
        };
        lines.push(format!(
            "{:>12} x{runs:<2}: median {median:7.1} ms, min {:7.1} ms, max {:7.1} ms",
            kind.label(),
            times[0],
            times[runs - 1]
        ));
    }
    console_log!("key generation in the browser:\n{}", lines.join("\n"));
}

/// Keys from WebCrypto, as the page makes all its keys (`web::webcrypto`): of the type asked for, their
/// PKCS#8 read without key arithmetic says what the core's full reader derives from the private key, and
/// they sign a CSR that verifies. Prints the time each took.
#[wasm_bindgen_test]
async fn webcrypto_makes_keys_the_core_uses() {
    use certsmith::pki::csr::parse_csr;

    let names = parse_identifiers("webcrypto.example.test").unwrap();
    for kind in [
        KeyType::P256,
        KeyType::P384,
        KeyType::Rsa2048,
        KeyType::Rsa4096,
    ] {
        let start = clock::monotonic_ms();
        let key = webcrypto_key(kind).await;
        let ms = clock::monotonic_ms() - start;
        assert_eq!(key.key_type(), Some(kind));
        let checked = PrivateKey::from_pkcs8_der(&key.to_pkcs8_der()).expect("the full reader");
        assert_eq!(checked.thumbprint(), key.thumbprint(), "{}", kind.label());
        assert_eq!(
            checked.to_private_jwk().unwrap(),
            key.to_private_jwk().unwrap()
        );
        let csr = parse_csr(&build_csr(&key, &names).unwrap()).unwrap();
        csr.check_matches(&names).unwrap();
        assert_eq!(csr.public_key_spki, key.public_key_spki_der());
        console_log!("{} from WebCrypto in {ms:.0} ms", kind.label());
    }
}

/// WebCrypto's JWS signatures of every algorithm are accepted by a real CA: an account is created with a
/// key of each type (Pebble checks the newAccount JWS, RFC 8555 §6.2), then read back with its kid. The
/// keys are WebCrypto's own and, like a key someone imports, keys RustCrypto wrote.
#[wasm_bindgen_test]
async fn webcrypto_signatures_are_accepted_by_the_ca() {
    let client = page_client().await;
    let terms = NewAccount {
        terms_of_service_agreed: true,
        ..NewAccount::default()
    };
    let mut keys = Vec::new();
    for kind in [KeyType::P256, KeyType::P384, KeyType::Rsa2048] {
        keys.push((kind, webcrypto_key(kind).await));
        keys.push((kind, PrivateKey::generate(kind).expect("a RustCrypto key")));
    }
    for (kind, key) in keys {
        let (account, _) = client
            .new_account(&key, &terms, None)
            .await
            .unwrap_or_else(|e| panic!("newAccount with {}: {e}", kind.label()));
        let read = client
            .fetch_account(&account)
            .await
            .unwrap_or_else(|e| panic!("the account of {} read back: {e}", kind.label()));
        assert_eq!(read.status, AccountStatus::Valid, "{}", kind.label());
    }
}

/// The wizard's reducer in the browser: a CA, an account, a wildcard order whose two authorizations share
/// one TXT name, driven by hand as the page does (each reply recorded into the issuance, the new state
/// given to the wizard); then the state goes through localStorage and comes back at the same step with the
/// same keys, as after a reload, and goes on to finalizing.
#[wasm_bindgen_test]
fn wizard_transitions_and_survives_a_storage_round_trip() {
    use certsmith::acme::authorization::{Authorization, Challenge};
    use certsmith::acme::directory::Directory;
    use certsmith::acme::flow::{Answered, Reply, Request};
    use certsmith::acme::order::Order;
    use certsmith::wizard::{Action, Step, Wizard, FORMAT_VERSION};

    let json = |text: &str| -> Value { serde_json::from_str(text).unwrap() };
    let directory: Directory = serde_json::from_value(json(
        r#"{"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct","newOrder":"https://ca.test/order",
            "revokeCert":"https://ca.test/revoke","keyChange":"https://ca.test/kc"}"#,
    ))
    .unwrap();
    let authz = |n: usize, wildcard: bool, status: &str| -> Authorization {
        serde_json::from_value(json(&format!(
            r#"{{"status":"{status}","identifier":{{"type":"dns","value":"example.test"}},"wildcard":{wildcard},
                "challenges":[{{"type":"dns-01","url":"https://ca.test/chall/{n}","status":"{status}","token":"tok{n}"}}]}}"#
        )))
        .unwrap()
    };
    let order = |status: &str| -> Order {
        serde_json::from_value(json(&format!(
            r#"{{"status":"{status}",
                "identifiers":[{{"type":"dns","value":"example.test"}},{{"type":"dns","value":"*.example.test"}}],
                "authorizations":["https://ca.test/authz/0","https://ca.test/authz/1"],
                "finalize":"https://ca.test/order/1/finalize"}}"#
        )))
        .unwrap()
    };
    let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    // The CA's side of one request: the flow must ask for `expected`; the reply goes into the issuance and
    // the issuance into the wizard.
    let reply = |w: &mut Wizard, expected: Request, reply: Reply| {
        let mut issuance = w.order.clone().expect("an order");
        assert_eq!(issuance.next(now), Next::Send(expected.clone()));
        issuance
            .record(
                &expected,
                Ok(Answered {
                    reply,
                    retry_after: None,
                }),
                now,
            )
            .unwrap();
        w.apply(Action::Advanced(issuance));
    };
    let authz_request = |n: usize| Request::Authorization {
        url: format!("https://ca.test/authz/{n}"),
    };
    let authz_reply = |n: usize, wildcard: bool, status: &str| Reply::Authorization {
        url: format!("https://ca.test/authz/{n}"),
        authorization: authz(n, wildcard, status),
    };

    let mut w = Wizard::new(Some("https://ca.test/dir"));
    assert_eq!(w.step, Step::Ca);
    w.apply(Action::Connected {
        url: "https://ca.test/dir".into(),
        directory,
    });
    assert_eq!(w.step, Step::Account);
    let account_key = PrivateKey::generate(KeyType::P256).unwrap();
    w.apply(Action::AccountReady(AccountCredentials {
        url: "https://ca.test/acct/1".into(),
        key: account_key.clone(),
    }));
    assert_eq!(w.step, Step::Names);
    w.apply(Action::SetNames("example.test, *.example.test".into()));
    assert_eq!(w.order_blocker(), None);
    let names = w.parsed_names().unwrap();
    let cert_key = PrivateKey::generate(KeyType::P256).unwrap();
    w.apply(Action::CertKeyReady(cert_key.clone()));
    let csr = build_csr(&cert_key, &names).unwrap();
    let request = NewOrder {
        identifiers: names,
        ..NewOrder::default()
    };
    w.apply(Action::OrderStarted {
        issuance: Issuance::new(1, request.clone(), csr.clone(), vec![ChallengeType::Dns01]),
        csr: None,
    });
    assert_eq!(w.step, Step::Names, "newOrder is not answered yet");

    reply(
        &mut w,
        Request::NewOrder(request),
        Reply::Order {
            url: "https://ca.test/order/1".into(),
            order: order("pending"),
        },
    );
    reply(&mut w, authz_request(0), authz_reply(0, false, "pending"));
    reply(&mut w, authz_request(1), authz_reply(1, true, "pending"));
    assert_eq!(w.step, Step::Challenges);
    assert_eq!(w.order.as_ref().unwrap().next(now), Next::Place);
    let records = w.dns_records();
    assert_eq!(
        records.len(),
        1,
        "a wildcard and its apex share one record name"
    );
    assert_eq!(records[0].name, "_acme-challenge.example.test");
    assert_eq!(records[0].proves, ["example.test", "*.example.test"]);
    assert_eq!(records[0].values.len(), 2);
    assert_ne!(records[0].values[0], records[0].values[1]);

    storage::save("certsmith-test-wizard", &w).unwrap();
    let text = storage::load_text("certsmith-test-wizard").unwrap();
    storage::remove("certsmith-test-wizard");
    let saved: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(saved["version"], FORMAT_VERSION);
    let mut restored = Wizard::restore(&text).expect("the saved state restores");
    assert_eq!(restored.step, Step::Challenges);
    assert_eq!(restored.cert_key.as_ref(), Some(&cert_key));
    assert_eq!(
        restored.account.as_ref().map(|a| &a.key),
        Some(&account_key)
    );
    assert_eq!(restored.order, w.order, "the issuance as it was");
    assert_eq!(
        restored.dns_records()[0].values,
        records[0].values,
        "the same TXT values after a reload"
    );

    restored.apply(Action::ChallengesPlaced);
    assert_eq!(restored.step, Step::Validating);
    for (n, wildcard) in [(0, false), (1, true)] {
        let answered: Challenge = authz(n, wildcard, "valid").challenges.remove(0);
        reply(
            &mut restored,
            Request::Answer {
                authorization_url: format!("https://ca.test/authz/{n}"),
                challenge_url: format!("https://ca.test/chall/{n}"),
            },
            Reply::Challenge(answered),
        );
    }
    assert_eq!(
        restored.step,
        Step::Validating,
        "the order is not ready until the CA says so"
    );
    reply(
        &mut restored,
        Request::Order {
            url: "https://ca.test/order/1".into(),
        },
        Reply::Order {
            url: "https://ca.test/order/1".into(),
            order: order("ready"),
        },
    );
    assert_eq!(
        restored.step,
        Step::Finalizing,
        "every authorization valid, the order ready: on to finalize"
    );
    assert_eq!(
        restored.order.as_ref().unwrap().next(now),
        Next::Send(Request::Finalize {
            order_url: "https://ca.test/order/1".into(),
            finalize_url: "https://ca.test/order/1/finalize".into(),
            csr,
        })
    );
    restored.apply(Action::ForgetOrder);
    assert!(restored.order.is_none() && restored.cert_key.is_none());
    assert!(
        restored.account.is_some(),
        "forgetting the order keeps the account"
    );
}

/// The panic hook's message (shown without a real panic): over the page once however often it is shown,
/// with the saved state as a download link and a reload link.
#[wasm_bindgen_test]
fn the_panic_message_offers_the_saved_state_and_a_reload() {
    use certsmith::web::panic::{show, OVERLAY_ID};
    use certsmith::wizard::STORAGE_KEY;
    let document = web_sys::window().unwrap().document().unwrap();
    storage::save(
        STORAGE_KEY,
        &serde_json::json!({ "version": 2, "note": "saved" }),
    )
    .unwrap();
    show("first").unwrap();
    show("second").unwrap();
    let overlays = document
        .query_selector_all(&format!("#{OVERLAY_ID}"))
        .unwrap();
    assert_eq!(overlays.length(), 1, "a second message replaces the first");
    let overlay = document.get_element_by_id(OVERLAY_ID).unwrap();
    assert_eq!(overlay.get_attribute("role").as_deref(), Some("alert"));
    let text = overlay.text_content().unwrap_or_default();
    assert!(text.contains("nothing was lost"), "{text}");
    assert!(text.contains("What failed: second"), "{text}");
    let download = overlay
        .query_selector("a[download]")
        .unwrap()
        .expect("a download link");
    assert_eq!(
        download.get_attribute("download").as_deref(),
        Some("certsmith-saved-state.json")
    );
    assert!(download.get_attribute("href").unwrap().starts_with("blob:"));
    assert!(overlay.query_selector("a.panic-reload").unwrap().is_some());
    overlay.remove();
    storage::remove(STORAGE_KEY);
}

/// A trap (an uncaught `WebAssembly.RuntimeError`: how a panic ends in the release builds, which run no
/// panic hook) shows the message, whether it reaches the window as an error event or as an unhandled
/// rejection; another page error does not, and a message already shown stays.
#[wasm_bindgen_test]
fn a_trap_shows_the_panic_message() {
    use certsmith::web::panic::{show, watch_for_traps, OVERLAY_ID};
    use web_sys::{ErrorEvent, ErrorEventInit, PromiseRejectionEvent, PromiseRejectionEventInit};
    let window = web_sys::window().unwrap();
    let document = window.document().unwrap();
    let overlay_text = || {
        document
            .get_element_by_id(OVERLAY_ID)
            .map(|overlay| overlay.text_content().unwrap_or_default())
    };
    let as_error_event = |error: &JsValue| {
        let init = ErrorEventInit::new();
        init.set_error(error);
        ErrorEvent::new_with_event_init_dict("error", &init).unwrap()
    };
    let trap = || JsValue::from(js_sys::WebAssembly::RuntimeError::new("unreachable"));
    watch_for_traps().unwrap();

    let other = JsValue::from(js_sys::Error::new("an extension's error"));
    window.dispatch_event(&as_error_event(&other)).unwrap();
    assert_eq!(
        overlay_text(),
        None,
        "an error that is no trap shows nothing"
    );

    window.dispatch_event(&as_error_event(&trap())).unwrap();
    let text = overlay_text().expect("a trap shows the message");
    assert!(text.contains("nothing was lost"), "{text}");
    assert!(
        text.contains("What failed: RuntimeError: unreachable"),
        "{text}"
    );
    document.get_element_by_id(OVERLAY_ID).unwrap().remove();

    let init = PromiseRejectionEventInit::new(&js_sys::Promise::resolve(&JsValue::NULL));
    init.set_reason(&trap());
    let rejection = PromiseRejectionEvent::new("unhandledrejection", &init).unwrap();
    window.dispatch_event(&rejection).unwrap();
    let text = overlay_text().expect("a trap in a promise's callback shows the message");
    assert!(
        text.contains("What failed: RuntimeError: unreachable"),
        "{text}"
    );

    show("the hook's own message").unwrap();
    window.dispatch_event(&as_error_event(&trap())).unwrap();
    let text = overlay_text().unwrap();
    assert!(
        text.contains("the hook's own message"),
        "the hook's message stays: {text}"
    );
    document.get_element_by_id(OVERLAY_ID).unwrap().remove();
}

/// The page's UTS #46 (the browser's URL parser, `certsmith::idn`) gives the `idna` crate's answer, which
/// the native build uses, on names of every kind: case and width folding, ß, final sigma, dots other than
/// U+002E, bidi (also across labels), joiners, combining marks, emoji, `xn--` labels valid and not. A name
/// whose last label starts with a digit counts as refused on both sides (the URL parser reads it as an IPv4
/// address; the identifier check refuses such a top-level label anyway).
#[wasm_bindgen_test]
fn idn_matches_the_idna_crate() {
    // Names separated by white space (none contains any).
    let corpus = "bücher.example BÜCHER.Example faß.de straße.example ΒΌΛΟΣ.com βόλος.com
        例え。テスト 例え．テスト 例え｡テスト ｅｘａｍｐｌｅ.com xn--bcher-kva.example XN--BCHER-KVA.example
        xn--a.example xn--.example xn--zca.example xn--ls8h.la münchen-ü.de ☃.net 💩.la i❤.ws مثال.إختبار
        עברית.example a\u{200d}b.example a\u{200c}b.example ab\u{00ad}c.example a\u{0308}.example
        \u{0301}a.example ı.example İstanbul.example ǅ.example ﬁ.example ⅷ.example ①.example 日本語.jp
        한국.kr ไทย.th россия.рф тест.example a.b.c.ü ü.123 ü..b -ü.example ü-.example ab--ü.example
        \u{fe0f}ü.example ü\u{3002}example ١٢٣.example a١.example \u{0663}ü.example ü.example\u{3002}
        ü_x.example xn--abc-.example xn--n3h.example XN--N3H.example xn--fa-hia.de xn--n3h.xn--bcher-kva.ü
        xn--ü.example xn--bcher-kva-.example xn--mgbh0fb.1abc 1abc.xn--mgbh0fb xn--mgbh0fb.abc bücher.0x1f
        xn--mgbh0fb.xn--kgbechtv a.xn--mgbh0fb";
    let long_label = "ü".repeat(70) + ".example";
    let numeric_tail = |a: &String| {
        a.rsplit('.')
            .next()
            .is_some_and(|l| l.starts_with(|c: char| c.is_ascii_digit()))
    };
    let mut differ = Vec::new();
    for name in corpus.split_whitespace().chain([long_label.as_str()]) {
        let page = certsmith::idn::domain_to_ascii(name).ok();
        let crate_answer = idna::domain_to_ascii(name)
            .ok()
            .filter(|a| !numeric_tail(a));
        if page != crate_answer {
            differ.push(format!("{name:?}: page {page:?}, idna {crate_answer:?}"));
        }
    }
    assert!(
        differ.is_empty(),
        "the browser and the idna crate differ:\n{}",
        differ.join("\n")
    );
}
