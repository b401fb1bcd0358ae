//! Every protocol branch of the client against a scripted transport: each test lists the exact requests
//! the client must make and the replies it gets, so a wrong URL, method or extra request fails the test.
//!
//! One file over 600 lines: each test is one scripted exchange, and the scripts are most of it.

#![cfg(not(target_arch = "wasm32"))]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, SystemTime};

use certsmith::acme::account::NewAccount;
use certsmith::acme::authorization::AuthorizationStatus;
use certsmith::acme::client::{Client, Exchange};
use certsmith::acme::flow::{Reply, Request};
use certsmith::acme::identifier::Identifier;
use certsmith::acme::order::{NewOrder, OrderStatus};
use certsmith::acme::problem::ProblemKind;
use certsmith::acme::transport::{
    HttpClient, HttpRequest, HttpResponse, Method, TransportError, TransportErrorKind,
};
use certsmith::pki::key::{KeyType, PrivateKey};
use certsmith::{b64, Error};

mod support;

use support::*;

fn new_order() -> NewOrder {
    NewOrder {
        identifiers: vec![Identifier::dns("a.test")],
        ..NewOrder::default()
    }
}

fn order_created(replay_nonce: &str) -> HttpResponse {
    reply(
        201,
        &[
            ("Location", "https://ca.test/order/1"),
            ("Replay-Nonce", replay_nonce),
        ],
        ORDER_JSON,
    )
}

#[test]
fn fetches_the_directory_first() {
    let script = Script::default();
    let body = serde_json::to_string(&directory()).unwrap();
    script.expect(Method::Get, DIR, reply(200, &[], &body));
    let client = pollster::block_on(Client::new(&script, DIR)).unwrap();
    assert_eq!(client.directory().new_order, "https://ca.test/order");
    script.assert_done();
}

#[test]
fn bad_nonce_is_retried_with_the_nonce_from_the_error() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/order",
            problem(400, "badNonce", "stale", &[("Replay-Nonce", "n2")]),
        )
        .expect(Method::Post, "https://ca.test/order", order_created("n3"));
    let client = client(&script);
    let order = pollster::block_on(client.new_order(&account(), &new_order())).unwrap();
    assert_eq!(order.url, "https://ca.test/order/1");
    assert_eq!(
        (script.nonce_of(1), script.nonce_of(2)),
        ("n1".into(), "n2".into())
    );
    let stats = client.stats();
    assert_eq!(stats.bad_nonce_retries, 1);
    assert_eq!(stats.requests["newNonce"], 1, "no newNonce for the retry");
    script.assert_done();
}

#[test]
fn bad_nonce_retries_are_bounded() {
    let script = Script::default();
    script.expect(Method::Head, "https://ca.test/nonce", nonce("n0"));
    for i in 1..=3 {
        let next = format!("n{i}");
        script.expect(
            Method::Post,
            "https://ca.test/order",
            problem(400, "badNonce", "no", &[("Replay-Nonce", &next)]),
        );
    }
    let mut client = client(&script);
    client.set_bad_nonce_retries(2);
    match pollster::block_on(client.new_order(&account(), &new_order())) {
        Err(Error::BadNonceExhausted {
            retries: 2,
            problem,
            ..
        }) => assert!(problem.is_bad_nonce()),
        other => panic!("{other:?}"),
    }
    script.assert_done();
}

#[test]
fn nonce_cache_avoids_new_nonce_requests() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(Method::Post, "https://ca.test/order", order_created("n2"))
        .expect(
            Method::Post,
            "https://ca.test/order/1",
            reply(200, &[("Replay-Nonce", "n3")], ORDER_JSON),
        );
    let client = client(&script);
    let account = account();
    pollster::block_on(client.new_order(&account, &new_order())).unwrap();
    pollster::block_on(client.fetch_order(&account, "https://ca.test/order/1")).unwrap();
    assert_eq!(script.nonce_of(2), "n2");
    script.assert_done();
}

#[test]
fn a_reply_carries_its_retry_after_in_seconds_or_as_a_date() {
    let pending =
        r#"{"status":"pending","identifier":{"type":"dns","value":"a.test"},"challenges":[]}"#;
    let processing = ORDER_JSON.replace("pending", "processing");
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/authz/1",
            reply(
                200,
                &[("Retry-After", "7"), ("Replay-Nonce", "n2")],
                pending,
            ),
        )
        .expect(
            Method::Post,
            "https://ca.test/order/1",
            reply(
                200,
                &[
                    ("Retry-After", "Wed, 21 Oct 2015 07:28:03 GMT"),
                    ("Replay-Nonce", "n3"),
                ],
                &processing,
            ),
        )
        .expect(
            Method::Post,
            "https://ca.test/order/1",
            reply(200, &[("Replay-Nonce", "n4")], &processing),
        );
    let client = client(&script);
    let account = account();
    // Wed, 21 Oct 2015 07:28:00 GMT
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
    let authz = Request::Authorization {
        url: "https://ca.test/authz/1".into(),
    };
    let order = Request::Order {
        url: "https://ca.test/order/1".into(),
    };
    let first = pollster::block_on(client.execute(&account, &authz, now)).unwrap();
    assert_eq!(first.retry_after, Some(Duration::from_secs(7)));
    assert!(matches!(first.reply, Reply::Authorization { .. }));
    let second = pollster::block_on(client.execute(&account, &order, now)).unwrap();
    assert_eq!(second.retry_after, Some(Duration::from_secs(3)));
    let Reply::Order { url, order: seen } = second.reply else {
        panic!("an order")
    };
    assert_eq!(
        (url.as_str(), seen.status),
        ("https://ca.test/order/1", OrderStatus::Processing)
    );
    let third = pollster::block_on(client.execute(&account, &order, now)).unwrap();
    assert_eq!(third.retry_after, None);
    script.assert_done();
}

#[test]
fn invalid_challenge_carries_subproblems_and_a_hint() {
    let invalid = r#"{"status":"invalid","identifier":{"type":"dns","value":"a.test"},"challenges":[
        {"type":"dns-01","url":"https://ca.test/chall/1","status":"invalid","token":"tok",
         "error":{"type":"urn:ietf:params:acme:error:compound","detail":"several problems",
                  "subproblems":[{"type":"urn:ietf:params:acme:error:dns",
                                  "detail":"DNS problem: NXDOMAIN looking up TXT for _acme-challenge.a.test",
                                  "identifier":{"type":"dns","value":"a.test"}}]}}]}"#;
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/authz/1",
            reply(200, &[("Replay-Nonce", "n2")], invalid),
        );
    let client = client(&script);
    let authz =
        pollster::block_on(client.fetch_authorization(&account(), "https://ca.test/authz/1"))
            .unwrap();
    assert_eq!(authz.status, AuthorizationStatus::Invalid);
    let failure = authz.failure().expect("the challenge's error");
    assert_eq!(failure.subproblems[0].kind(), ProblemKind::Dns);
    assert_eq!(
        failure.subproblems[0].identifier,
        Some(Identifier::dns("a.test"))
    );
    assert!(
        failure.hint().contains("could not see the TXT record"),
        "{}",
        failure.hint()
    );
    script.assert_done();
}

#[test]
fn rate_limited_carries_retry_after() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/order",
            problem(429, "rateLimited", "too many", &[("Retry-After", "3600")]),
        );
    let err = pollster::block_on(client(&script).new_order(&account(), &new_order())).unwrap_err();
    assert_eq!(
        err.problem().map(|p| p.kind()),
        Some(ProblemKind::RateLimited)
    );
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(err.hint().contains("60 minutes"), "{}", err.hint());
    script.assert_done();
}

#[test]
fn a_bare_server_error_is_retried_once_on_a_post_as_get() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/order/1",
            reply(503, &[("Replay-Nonce", "n2")], "upstream down"),
        )
        .expect(
            Method::Post,
            "https://ca.test/order/1",
            reply(200, &[("Replay-Nonce", "n3")], ORDER_JSON),
        );
    let client = client(&script);
    pollster::block_on(client.fetch_order(&account(), "https://ca.test/order/1")).unwrap();
    assert_eq!(client.stats().server_error_retries, 1);
    script.assert_done();
}

/// newOrder changes the CA's state: after a 5xx the CA may have made the order, so the client does not
/// send it again on its own (the flow reads the state back first).
#[test]
fn a_server_error_on_new_order_is_not_sent_again() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/order",
            reply(503, &[("Replay-Nonce", "n2")], "upstream down"),
        );
    let client = client(&script);
    let err = pollster::block_on(client.new_order(&account(), &new_order())).unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedReply { status: 503, .. }),
        "{err:?}"
    );
    assert_eq!(client.stats().server_error_retries, 0);
    script.assert_done();
}

#[test]
fn a_persistent_server_error_is_reported() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/order/1",
            reply(502, &[("Replay-Nonce", "n2")], "<html>Bad gateway</html>"),
        )
        .expect(
            Method::Post,
            "https://ca.test/order/1",
            reply(502, &[("Replay-Nonce", "n3")], "<html>Bad gateway</html>"),
        );
    let err =
        pollster::block_on(client(&script).fetch_order(&account(), "https://ca.test/order/1"))
            .unwrap_err();
    assert!(
        matches!(err, Error::UnexpectedReply { status: 502, .. }),
        "{err:?}"
    );
    script.assert_done();
}

#[test]
fn a_reply_that_is_not_json_is_named_as_such() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/order",
            reply(
                201,
                &[("Location", "https://ca.test/order/1")],
                "<!doctype html><p>Welcome to nginx",
            ),
        );
    let err = pollster::block_on(client(&script).new_order(&account(), &new_order())).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, Error::UnexpectedReply { .. }) && text.contains("HTML page"),
        "{text}"
    );
    script.assert_done();
}

#[test]
fn a_missing_replay_nonce_is_reported_as_such() {
    let script = Script::default();
    script.expect(Method::Head, "https://ca.test/nonce", reply(200, &[], ""));
    let err = pollster::block_on(client(&script).new_order(&account(), &new_order())).unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingHeader {
                header: "Replay-Nonce",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.hint().contains("Replay-Nonce"), "{}", err.hint());
    script.assert_done();
}

#[test]
fn a_missing_location_is_reported_as_such() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/order",
            reply(201, &[], ORDER_JSON),
        );
    let err = pollster::block_on(client(&script).new_order(&account(), &new_order())).unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingHeader {
                header: "Location",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn transport_failures_keep_their_kind_and_explain() {
    let script = Script::default();
    script.expect_failure(
        Method::Get,
        DIR,
        TransportError::new(TransportErrorKind::Unreachable, DIR, "Failed to fetch"),
    );
    let err = pollster::block_on(Client::new(&script, DIR))
        .err()
        .expect("an error");
    match &err {
        Error::Transport(t) => assert_eq!(t.kind, TransportErrorKind::Unreachable),
        other => panic!("{other:?}"),
    }
    assert!(err.hint().contains("CORS"));
}

#[test]
fn new_account_uses_jwk_and_returns_credentials() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/acct",
            reply(
                201,
                &[
                    ("Location", "https://ca.test/acct/9"),
                    ("Replay-Nonce", "n2"),
                ],
                r#"{"status":"valid"}"#,
            ),
        );
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let log = Rc::new(RefCell::new(Vec::<Exchange>::new()));
    let mut client = client(&script);
    let sink = log.clone();
    client.set_observer(Some(Rc::new(move |e: &Exchange| {
        sink.borrow_mut().push(e.clone())
    })));
    let request = NewAccount {
        terms_of_service_agreed: true,
        ..NewAccount::default()
    }
    .with_email("me@a.test");
    let (credentials, _) = pollster::block_on(client.new_account(&key, &request, None)).unwrap();
    assert_eq!(credentials.url, "https://ca.test/acct/9");
    let log = log.borrow();
    assert_eq!(log.len(), 2);
    let post = &log[1];
    assert_eq!(post.protected.as_ref().unwrap()["jwk"], key.public_jwk());
    assert_eq!(
        post.payload.as_ref().unwrap()["contact"][0],
        "mailto:me@a.test"
    );
    let whole_log = serde_json::to_string(&*log).unwrap();
    let private = key.to_pkcs8_der();
    let private_jwk: serde_json::Value =
        serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
    let d = private_jwk["d"].as_str().unwrap();
    assert!(
        !whole_log.contains(d),
        "the private scalar must never reach the log"
    );
    assert!(!whole_log.contains(&b64::encode(&private)));
}

/// No reply, however malformed, makes the core panic: every request kind against a corpus of garbage.
#[test]
fn hostile_replies_never_panic() {
    let bodies = [
        "",
        "null",
        "[]",
        "{}",
        "\"x\"",
        "{\"status\":5}",
        "{\"status\":\"valid\",\"challenges\":{}}",
        "{\"type\":1}",
        "\u{0}\u{ff}",
        "{\"identifier\":null,\"status\":\"pending\"}",
        "<html>",
        "{\"status\":\"valid\",\"certificate\":[]}",
        &"{".repeat(10_000),
    ];
    let statuses = [200, 201, 204, 301, 400, 404, 429, 500, 599];
    for body in bodies {
        for status in statuses {
            let headers = [
                ("Replay-Nonce", "n"),
                ("Location", "x"),
                ("Retry-After", "-1"),
                ("Link", "<<>>;rel"),
            ];
            let script = Script::default();
            for _ in 0..40 {
                script.steps.borrow_mut().push_back((
                    Method::Post,
                    String::new(),
                    Ok(reply(status, &headers, body)),
                ));
            }
            let hostile = Hostile(&script);
            let client = Client::from_directory(&hostile, DIR, directory());
            let account = account();
            let now = SystemTime::now();
            let _ = pollster::block_on(client.new_order(&account, &new_order()));
            for request in hostile_requests() {
                let _ = pollster::block_on(client.execute(&account, &request, now));
            }
            let _ = pollster::block_on(client.download_certificate(&account, "https://ca.test/c"));
            let _ = pollster::block_on(client.renewal_info("a.b", now));
            let _ = pollster::block_on(client.find_account(&account.key));
        }
    }
}

/// One of each request the issuance flow sends.
fn hostile_requests() -> Vec<Request> {
    vec![
        Request::NewOrder(new_order()),
        Request::Authorization {
            url: "https://ca.test/a".into(),
        },
        Request::Answer {
            authorization_url: "https://ca.test/a".into(),
            challenge_url: "https://ca.test/ch".into(),
        },
        Request::Order {
            url: "https://ca.test/o".into(),
        },
        Request::Finalize {
            order_url: "https://ca.test/o".into(),
            finalize_url: "https://ca.test/o/f".into(),
            csr: vec![1, 2, 3],
        },
        Request::Certificate {
            url: "https://ca.test/c".into(),
        },
    ]
}

/// Answers every request with the next scripted reply, whatever it is.
struct Hostile<'a>(&'a Script);

impl HttpClient for &Hostile<'_> {
    async fn send(&self, _request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.0
            .steps
            .borrow_mut()
            .pop_front()
            .map(|(_, _, r)| r)
            .unwrap_or_else(|| Ok(reply(500, &[], "")))
    }
}

#[test]
fn certificate_download_asks_for_pem_and_lists_alternates() {
    let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/cert/1",
            reply(
                200,
                &[
                    ("Content-Type", "application/pem-certificate-chain"),
                    ("Link", r#"<https://ca.test/cert/1/1>;rel="alternate""#),
                    ("Link", r#"<https://ca.test/dir>;rel="index""#),
                ],
                pem,
            ),
        );
    let chain = pollster::block_on(
        client(&script).download_certificate(&account(), "https://ca.test/cert/1"),
    )
    .unwrap();
    assert_eq!(chain.pem, pem);
    assert_eq!(chain.alternates, ["https://ca.test/cert/1/1"]);
    assert_eq!(
        script.seen.borrow()[1].accept,
        Some("application/pem-certificate-chain")
    );
    script.assert_done();
}

#[test]
fn key_change_nests_a_jws_signed_by_the_new_key() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/keychange",
            reply(200, &[("Replay-Nonce", "n2")], "{}"),
        );
    let account = account();
    let new_key = PrivateKey::generate(KeyType::P384).unwrap();
    let rolled = pollster::block_on(client(&script).key_change(&account, &new_key)).unwrap();
    assert_eq!(rolled.url, account.url);
    let body: serde_json::Value =
        serde_json::from_str(script.seen.borrow()[1].body.as_deref().unwrap()).unwrap();
    let decode = |part: &serde_json::Value| -> serde_json::Value {
        serde_json::from_slice(&b64::decode(part.as_str().unwrap()).unwrap()).unwrap()
    };
    let outer = decode(&body["protected"]);
    assert_eq!(outer["kid"], account.url);
    let inner: serde_json::Value = decode(&body["payload"]);
    let inner_header = decode(&inner["protected"]);
    assert_eq!(inner_header["jwk"], new_key.public_jwk());
    assert_eq!(inner_header["url"], "https://ca.test/keychange");
    assert!(
        inner_header.get("nonce").is_none(),
        "RFC 8555 §7.3.5: the inner JWS has no nonce"
    );
    let inner_payload = decode(&inner["payload"]);
    assert_eq!(inner_payload["account"], account.url);
    assert_eq!(inner_payload["oldKey"], account.key.public_jwk());
    script.assert_done();
}

#[test]
fn revocation_by_certificate_key_uses_jwk_and_reason() {
    let script = Script::default();
    script
        .expect(Method::Head, "https://ca.test/nonce", nonce("n1"))
        .expect(
            Method::Post,
            "https://ca.test/revoke",
            reply(200, &[("Replay-Nonce", "n2")], ""),
        );
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let reason = Some(certsmith::acme::client::RevocationReason::KeyCompromise);
    pollster::block_on(client(&script).revoke_certificate(
        certsmith::acme::client::Revoker::CertificateKey(&key),
        b"DER",
        reason,
    ))
    .unwrap();
    let body: serde_json::Value =
        serde_json::from_str(script.seen.borrow()[1].body.as_deref().unwrap()).unwrap();
    let header: serde_json::Value =
        serde_json::from_slice(&b64::decode(body["protected"].as_str().unwrap()).unwrap()).unwrap();
    let payload: serde_json::Value =
        serde_json::from_slice(&b64::decode(body["payload"].as_str().unwrap()).unwrap()).unwrap();
    assert_eq!(header["jwk"], key.public_jwk());
    assert_eq!(
        payload,
        serde_json::json!({ "certificate": b64::encode(b"DER"), "reason": 1 })
    );
    script.assert_done();
}

#[test]
fn renewal_info_is_an_unauthenticated_get_with_retry_after() {
    let script = Script::default();
    script.expect(
        Method::Get,
        "https://ca.test/ari/aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE",
        reply(
            200,
            &[("Retry-After", "21600")],
            r#"{"suggestedWindow":{"start":"2025-01-02T04:00:00Z","end":"2025-01-03T04:00:00Z"}}"#,
        ),
    );
    let info = pollster::block_on(
        client(&script).renewal_info("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", SystemTime::now()),
    )
    .unwrap();
    assert_eq!(info.retry_after, Some(Duration::from_secs(21600)));
    assert_eq!(info.suggested_window.start, "2025-01-02T04:00:00Z");
    script.assert_done();
}
