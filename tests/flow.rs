//! The issuance flow ([`certsmith::acme::flow`]) against a scripted CA, on a test clock: the exact
//! requests of a fresh issuance (the RFC's floor), every Retry-After waited out, no blind re-send of a
//! POST that changes state, and what RFC 8555 lets a CA do differently.
//!
//! One file over 600 lines: each test is one scripted CA conversation, and the scripts are most of it.

#![cfg(not(target_arch = "wasm32"))]

use std::time::{Duration, SystemTime};

use certsmith::acme::account::{AccountStatus, NewAccount};
use certsmith::acme::authorization::{AuthorizationStatus, ChallengeType, Placement};
use certsmith::acme::client::Client;
use certsmith::acme::directory::Directory;
use certsmith::acme::flow::{self, Driver, Failure, Issuance, Next, Request, RunError, WaitReason};
use certsmith::acme::identifier::{Identifier, IdentifierKind};
use certsmith::acme::order::{NewOrder, Order, OrderStatus};
use certsmith::acme::persist::{PersistChoice, PersistRecord};
use certsmith::acme::problem::ProblemKind;
use certsmith::acme::transport::{Method, TransportError, TransportErrorKind};
use certsmith::Error;

mod support;

use support::*;

/// A driver on a test clock: a wait moves the clock on and is recorded; placing records what was asked.
struct TestDriver {
    now: SystemTime,
    waits: Vec<(Duration, WaitReason)>,
    placed: Vec<(String, Placement)>,
}

impl TestDriver {
    fn new() -> Self {
        TestDriver {
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000),
            waits: Vec::new(),
            placed: Vec::new(),
        }
    }
}

impl Driver for TestDriver {
    fn now(&self) -> SystemTime {
        self.now
    }

    async fn wait(&mut self, until: SystemTime, why: WaitReason) {
        self.waits
            .push((until.duration_since(self.now).unwrap_or_default(), why));
        self.now = self.now.max(until);
    }

    fn place(&mut self, name: &str, placement: &Placement) -> Result<(), String> {
        self.placed.push((name.to_string(), placement.clone()));
        Ok(())
    }
}

const CA: &str = "https://ca.test";

fn issuance(names: &[&str]) -> Issuance {
    let request = NewOrder {
        identifiers: names
            .iter()
            .map(|n| Identifier::parse(n).unwrap())
            .collect(),
        ..NewOrder::default()
    };
    Issuance::new(
        1,
        request,
        vec![0x30, 0x03, 0x02, 0x01, 0x00],
        vec![ChallengeType::Dns01],
    )
}

fn run(
    script: &Script,
    mut issuance: Issuance,
    driver: &mut TestDriver,
) -> Result<Issuance, RunError> {
    pollster::block_on(flow::run(
        &client(script),
        &account(),
        &mut issuance,
        driver,
    ))?;
    Ok(issuance)
}

fn ok(nonce: &str, body: &str) -> certsmith::acme::transport::HttpResponse {
    reply(200, &[("Replay-Nonce", nonce)], body)
}

fn ok_after(
    nonce: &str,
    retry_after: &str,
    body: &str,
) -> certsmith::acme::transport::HttpResponse {
    reply(
        200,
        &[("Replay-Nonce", nonce), ("Retry-After", retry_after)],
        body,
    )
}

/// An order object for `n` authorizations (`authz/1` …), with the given status and extra members.
fn order_json(status: &str, n: usize, extra: &str) -> String {
    let authzs: Vec<String> = (1..=n).map(|i| format!("\"{CA}/authz/{i}\"")).collect();
    format!(
        r#"{{"status":"{status}","identifiers":[{{"type":"dns","value":"a.test"}}],
            "authorizations":[{}],"finalize":"{CA}/order/1/finalize"{extra}}}"#,
        authzs.join(",")
    )
}

fn authz_json(i: usize, name: &str, status: &str, challenges: &str) -> String {
    let (value, wildcard) = match name.strip_prefix("*.") {
        Some(base) => (base, true),
        None => (name, false),
    };
    format!(
        r#"{{"status":"{status}","identifier":{{"type":"dns","value":"{value}"}},"wildcard":{wildcard},
            "challenges":[{challenges}]}}"#
    )
    .replace("{i}", &i.to_string())
}

fn challenge_json(i: usize, kind: &str, status: &str, extra: &str) -> String {
    format!(
        r#"{{"type":"{kind}","url":"{CA}/chall/{i}/{kind}","status":"{status}","token":"tok{i}{}"{extra}}}"#,
        kind.replace('-', "")
    )
}

fn dns01(i: usize, status: &str) -> String {
    challenge_json(i, "dns-01", status, "")
}

const PEM: &str = "-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n";

fn certificate(nonce: &str) -> certsmith::acme::transport::HttpResponse {
    reply(
        200,
        &[
            ("Replay-Nonce", nonce),
            ("Content-Type", "application/pem-certificate-chain"),
            ("Link", "</cert/1/1>;rel=\"alternate\""),
        ],
        PEM,
    )
}

/// newNonce, then newOrder answered with an order of `n` authorizations in `status` at `/order/1`.
fn expect_new_order(script: &Script, status: &str, n: usize) {
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(
            Method::Post,
            &format!("{CA}/order"),
            reply(
                201,
                &[("Replay-Nonce", "n2"), ("Location", "/order/1")],
                &order_json(status, n, ""),
            ),
        );
}

/// The pending authorization `i` for `name`, offering dns-01.
fn expect_pending_authz(script: &Script, i: usize, name: &str) {
    script.expect(
        Method::Post,
        &format!("{CA}/authz/{i}"),
        ok("na", &authz_json(i, name, "pending", &dns01(i, "pending"))),
    );
}

/// The order is ready, finalize issues at once, and the chain is downloaded.
fn expect_ready_then_issued(script: &Script) {
    script
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            ok("nr", &order_json("ready", 1, "")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1/finalize"),
            ok("nf", &order_json("valid", 1, r#","certificate":"/cert/1""#)),
        )
        .expect(Method::Post, &format!("{CA}/cert/1"), certificate("nc"));
}

fn count(script: &Script, method: Method, url: &str) -> usize {
    script
        .seen
        .borrow()
        .iter()
        .filter(|r| r.method == method && r.url == url)
        .count()
}

/// A fresh order for a name and its wildcard, nothing reused, no faults: newNonce, then the floor of
/// 4 + 2N (newOrder, N authorizations, N answers, one order poll, finalize, the certificate) and one
/// more poll because finalize answered "processing". Relative Location and Link URLs resolve against
/// the request's URL. Each wait is the CA's Retry-After, or the first back-off step.
#[test]
fn a_fresh_issuance_sends_exactly_the_floor_and_honours_every_wait() {
    let script = Script::default();
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(
            Method::Post,
            &format!("{CA}/order"),
            reply(
                201,
                &[("Replay-Nonce", "n2"), ("Location", "order/1")],
                &order_json("pending", 2, ""),
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/authz/1"),
            ok(
                "n3",
                &authz_json(1, "a.test", "pending", &dns01(1, "pending")),
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/authz/2"),
            ok(
                "n4",
                &authz_json(2, "*.a.test", "pending", &dns01(2, "pending")),
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/chall/1/dns-01"),
            ok("n5", &dns01(1, "processing")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/chall/2/dns-01"),
            ok_after("n6", "5", &dns01(2, "processing")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            ok("n7", &order_json("ready", 2, "")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1/finalize"),
            ok_after("n8", "2", &order_json("processing", 2, "")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            ok("n9", &order_json("valid", 2, r#","certificate":"/cert/1""#)),
        )
        .expect(Method::Post, &format!("{CA}/cert/1"), certificate("n10"));
    let mut driver = TestDriver::new();
    let done = run(&script, issuance(&["a.test", "*.a.test"]), &mut driver).unwrap();
    script.assert_done();
    assert_eq!(script.seen.borrow().len(), 1 + 4 + 2 * 2 + 1);
    assert_eq!(done.order_url.as_deref(), Some("https://ca.test/order/1"));
    assert!(done.finalize_processing);
    // Read as pending once; the ready order says they became valid (§7.1.6), without a second read.
    for authz in &done.authorizations {
        assert_eq!(
            authz.authorization.as_ref().unwrap().status,
            AuthorizationStatus::Pending
        );
        assert_eq!(
            done.authorization_status(authz),
            Some(AuthorizationStatus::Valid)
        );
    }
    let chain = done.chain.expect("the chain");
    assert_eq!(chain.alternates, ["https://ca.test/cert/1/1"]);
    // Both names' records were placed before the first answer; they share one TXT name.
    let names: Vec<&str> = driver.placed.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["a.test", "*.a.test"]);
    assert!(driver.placed.iter().all(|(_, p)| matches!(p,
        Placement::Dns01 { record_name, .. } if record_name == "_acme-challenge.a.test")));
    assert_eq!(
        driver.waits,
        [
            (Duration::from_secs(5), WaitReason::Validating),
            (Duration::from_secs(2), WaitReason::Issuing),
        ]
    );
}

/// Some CAs validate inside the challenge POST and issue inside finalize: no wait, no extra poll.
#[test]
fn validation_inside_the_challenge_post_and_issuance_inside_finalize() {
    let script = Script::default();
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(
            Method::Post,
            &format!("{CA}/order"),
            reply(
                201,
                &[
                    ("Replay-Nonce", "n2"),
                    ("Location", "https://ca.test/order/1"),
                ],
                &order_json("pending", 1, ""),
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/authz/1"),
            ok(
                "n3",
                &authz_json(1, "a.test", "pending", &dns01(1, "pending")),
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/chall/1/dns-01"),
            ok("n4", &dns01(1, "valid")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            ok("n5", &order_json("ready", 1, "")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1/finalize"),
            ok(
                "n6",
                &order_json("valid", 1, r#","certificate":"https://ca.test/cert/1""#),
            ),
        )
        .expect(Method::Post, &format!("{CA}/cert/1"), certificate("n7"));
    let mut driver = TestDriver::new();
    let done = run(&script, issuance(&["a.test"]), &mut driver).unwrap();
    script.assert_done();
    assert!(driver.waits.is_empty(), "{:?}", driver.waits);
    assert!(!done.finalize_processing);
}

/// Authorizations the account already holds are not fetched for placing: a `ready` order goes
/// straight to finalize.
#[test]
fn a_ready_order_is_finalized_without_reading_its_authorizations() {
    let script = Script::default();
    expect_new_order(&script, "ready", 1);
    script
        .expect(
            Method::Post,
            &format!("{CA}/order/1/finalize"),
            ok("n3", &order_json("valid", 1, r#","certificate":"/cert/1""#)),
        )
        .expect(Method::Post, &format!("{CA}/cert/1"), certificate("n4"));
    let mut driver = TestDriver::new();
    run(&script, issuance(&["a.test"]), &mut driver).unwrap();
    script.assert_done();
    assert!(driver.placed.is_empty());
}

/// A challenge that turns invalid without an `error`: the authorization is read to explain it, and
/// the failure says which name failed even when the CA says nothing more.
#[test]
fn a_challenge_invalid_without_an_error_is_explained_from_its_authorization() {
    let script = Script::default();
    expect_new_order(&script, "pending", 1);
    expect_pending_authz(&script, 1, "a.test");
    script
        .expect(
            Method::Post,
            &format!("{CA}/chall/1/dns-01"),
            ok("n4", &dns01(1, "invalid")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/authz/1"),
            ok(
                "n5",
                &authz_json(1, "a.test", "invalid", &dns01(1, "invalid")),
            ),
        );
    let mut driver = TestDriver::new();
    let err = run(&script, issuance(&["a.test"]), &mut driver).unwrap_err();
    script.assert_done();
    let RunError::Failed(Failure::Authorizations(failed)) = err else {
        panic!("{err:?}")
    };
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].name, "a.test");
    assert_eq!(failed[0].status, AuthorizationStatus::Invalid);
    assert_eq!(failed[0].problem, None);
}

/// One answer comes back invalid with the CA's problem while another is still being validated: the
/// order has failed, and the flow says so at once instead of waiting for the next poll.
#[test]
fn a_failed_answer_ends_the_flow_without_waiting() {
    let failed_dns = challenge_json(
        2,
        "dns-01",
        "invalid",
        r#","error":{"type":"urn:ietf:params:acme:error:unauthorized","detail":"wrong value"}"#,
    );
    let script = Script::default();
    expect_new_order(&script, "pending", 2);
    expect_pending_authz(&script, 1, "a.test");
    expect_pending_authz(&script, 2, "b.test");
    script
        .expect(
            Method::Post,
            &format!("{CA}/chall/1/dns-01"),
            ok("n4", &dns01(1, "processing")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/chall/2/dns-01"),
            ok("n5", &failed_dns),
        );
    let mut driver = TestDriver::new();
    let err = run(&script, issuance(&["a.test", "b.test"]), &mut driver).unwrap_err();
    script.assert_done();
    assert!(driver.waits.is_empty(), "{:?}", driver.waits);
    let RunError::Failed(Failure::Authorizations(failed)) = err else {
        panic!("{err:?}")
    };
    assert_eq!(failed[0].name, "b.test");
    assert_eq!(
        failed[0].problem.as_ref().map(|p| p.kind()),
        Some(ProblemKind::Unauthorized)
    );
}

/// An invalid order with no failed authorization known yet: every authorization is read once to say
/// why, then the flow stops with the CA's problems.
#[test]
fn an_invalid_order_reads_its_authorizations_once_to_explain() {
    let failed_dns = challenge_json(
        1,
        "dns-01",
        "invalid",
        r#","error":{"type":"urn:ietf:params:acme:error:dns","detail":"NXDOMAIN"}"#,
    );
    let script = Script::default();
    expect_new_order(&script, "pending", 1);
    expect_pending_authz(&script, 1, "a.test");
    script
        .expect(
            Method::Post,
            &format!("{CA}/chall/1/dns-01"),
            ok("n4", &dns01(1, "processing")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            ok("n5", &order_json("invalid", 1, "")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/authz/1"),
            ok("n6", &authz_json(1, "a.test", "invalid", &failed_dns)),
        );
    let mut driver = TestDriver::new();
    let err = run(&script, issuance(&["a.test"]), &mut driver).unwrap_err();
    script.assert_done();
    let RunError::Failed(Failure::Authorizations(failed)) = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        failed[0].problem.as_ref().map(|p| p.kind()),
        Some(ProblemKind::Dns)
    );
}

/// The challenge answer's reply is lost (the connection dropped after the CA acted). The answer is
/// not sent again: the authorization is read back, shows the answer was taken, and the flow goes on.
#[test]
fn a_lost_challenge_reply_is_read_back_not_resent() {
    let script = Script::default();
    expect_new_order(&script, "pending", 1);
    expect_pending_authz(&script, 1, "a.test");
    script
        .expect_failure(
            Method::Post,
            &format!("{CA}/chall/1/dns-01"),
            TransportError::new(
                TransportErrorKind::Unreachable,
                "https://ca.test/chall/1/dns-01",
                "connection reset",
            ),
        )
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n4"))
        .expect(
            Method::Post,
            &format!("{CA}/authz/1"),
            ok("n5", &authz_json(1, "a.test", "valid", &dns01(1, "valid"))),
        );
    expect_ready_then_issued(&script);
    let mut driver = TestDriver::new();
    run(&script, issuance(&["a.test"]), &mut driver).unwrap();
    script.assert_done();
    assert_eq!(
        count(&script, Method::Post, "https://ca.test/chall/1/dns-01"),
        1
    );
    assert_eq!(
        driver.waits,
        [(Duration::from_secs(1), WaitReason::Backoff)]
    );
}

/// "Try again" after the CA refused an answer it had already taken ("Cannot update challenge with
/// status valid"): the authorization is read back instead of the error being shown, and the flow
/// goes on.
#[test]
fn an_answer_refused_because_it_was_already_taken_goes_on() {
    let script = Script::default();
    expect_new_order(&script, "pending", 1);
    expect_pending_authz(&script, 1, "a.test");
    script
        .expect(
            Method::Post,
            &format!("{CA}/chall/1/dns-01"),
            problem(
                400,
                "malformed",
                "Cannot update challenge with status valid, only status pending",
                &[("Replay-Nonce", "n4")],
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/authz/1"),
            ok("n5", &authz_json(1, "a.test", "valid", &dns01(1, "valid"))),
        );
    expect_ready_then_issued(&script);
    let mut driver = TestDriver::new();
    run(&script, issuance(&["a.test"]), &mut driver).unwrap();
    script.assert_done();
}

/// A 5xx on finalize: the CA may have acted, so finalize is not sent again; the order is read back
/// (after the back-off) and is already processing.
#[test]
fn a_server_error_on_finalize_reads_the_order_back_instead_of_resending() {
    let script = Script::default();
    expect_new_order(&script, "ready", 1);
    script
        .expect(
            Method::Post,
            &format!("{CA}/order/1/finalize"),
            reply(500, &[("Replay-Nonce", "n3")], "internal error"),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            ok("n4", &order_json("processing", 1, "")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            ok("n5", &order_json("valid", 1, r#","certificate":"/cert/1""#)),
        )
        .expect(Method::Post, &format!("{CA}/cert/1"), certificate("n6"));
    let mut driver = TestDriver::new();
    run(&script, issuance(&["a.test"]), &mut driver).unwrap();
    script.assert_done();
    assert_eq!(
        count(&script, Method::Post, "https://ca.test/order/1/finalize"),
        1
    );
    assert_eq!(
        driver.waits,
        [
            (Duration::from_secs(1), WaitReason::Backoff),
            (Duration::from_secs(1), WaitReason::Issuing),
        ]
    );
}

/// A 503 with Retry-After on a poll, and a 429 with a short one: both are waited out as the CA says.
/// A rate limit of hours is shown instead, with nothing re-sent.
#[test]
fn retry_after_on_503_and_429_is_waited_out_and_a_long_one_shown() {
    let script = Script::default();
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(
            Method::Post,
            &format!("{CA}/order"),
            problem(
                429,
                "rateLimited",
                "slow down",
                &[("Replay-Nonce", "n2"), ("Retry-After", "30")],
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order"),
            reply(
                201,
                &[("Replay-Nonce", "n3"), ("Location", "/order/1")],
                &order_json("ready", 1, ""),
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1/finalize"),
            ok("n4", &order_json("processing", 1, "")),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            reply(
                503,
                &[("Replay-Nonce", "n5"), ("Retry-After", "12")],
                "busy",
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            problem(
                429,
                "rateLimited",
                "come back tomorrow",
                &[("Replay-Nonce", "n6"), ("Retry-After", "86400")],
            ),
        );
    let mut driver = TestDriver::new();
    let err = run(&script, issuance(&["a.test"]), &mut driver).unwrap_err();
    script.assert_done();
    assert!(
        matches!(&err, RunError::Acme(e) if e.retry_after() == Some(Duration::from_secs(86400))),
        "{err:?}"
    );
    assert_eq!(
        driver.waits,
        [
            (Duration::from_secs(30), WaitReason::Backoff),
            (Duration::from_secs(1), WaitReason::Issuing),
            (Duration::from_secs(12), WaitReason::Backoff),
        ]
    );
}

/// The flow's state survives a reload at any point: serialized mid-wait, it resumes with the same
/// next request once the wait is over.
#[test]
fn the_state_round_trips_through_serde_mid_flow() {
    let script = Script::default();
    expect_new_order(&script, "ready", 1);
    script.expect(
        Method::Post,
        &format!("{CA}/order/1/finalize"),
        ok_after("n3", "20", &order_json("processing", 1, "")),
    );
    let client = client(&script);
    let account = account();
    let mut state = issuance(&["a.test"]);
    let now = TestDriver::new().now;
    for _ in 0..2 {
        let Next::Send(request) = state.next(now) else {
            panic!("a request")
        };
        let result = pollster::block_on(client.execute(&account, &request, now));
        state.record(&request, result, now).unwrap();
    }
    let saved = serde_json::to_string(&state).unwrap();
    let restored: Issuance = serde_json::from_str(&saved).unwrap();
    assert_eq!(restored, state);
    assert!(matches!(
        restored.next(now),
        Next::Wait {
            why: WaitReason::Issuing,
            ..
        }
    ));
    assert_eq!(
        restored.next(now + Duration::from_secs(20)),
        Next::Send(Request::Order {
            url: "https://ca.test/order/1".into()
        })
    );
    script.assert_done();
}

/// Challenge types this client cannot complete (dns-account-01, device-attest-01) are skipped, never
/// fatal (dns-persist-01 is usable, but dns-01 is preferred); an authorization that offers nothing usable
/// fails with its name.
#[test]
fn unknown_challenge_types_are_skipped() {
    let offered = [
        challenge_json(1, "device-attest-01", "pending", ""),
        challenge_json(
            1,
            "dns-persist-01",
            "pending",
            r#","issuer-domain-names":["ca.test"]"#,
        ),
        challenge_json(1, "dns-account-01", "pending", ""),
        dns01(1, "pending"),
    ]
    .join(",");
    let only_unknown = challenge_json(2, "device-attest-01", "pending", "");
    let script = Script::default();
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(
            Method::Post,
            &format!("{CA}/order"),
            reply(
                201,
                &[("Replay-Nonce", "n2"), ("Location", "/order/1")],
                &order_json("pending", 2, ""),
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/authz/1"),
            ok("n3", &authz_json(1, "a.test", "pending", &offered)),
        )
        .expect(
            Method::Post,
            &format!("{CA}/authz/2"),
            ok("n4", &authz_json(2, "b.test", "pending", &only_unknown)),
        );
    let mut driver = TestDriver::new();
    let err = run(&script, issuance(&["a.test", "b.test"]), &mut driver).unwrap_err();
    script.assert_done();
    assert!(
        matches!(&err, RunError::Failed(Failure::NoUsableChallenge(names)) if names == &["b.test"]),
        "{err:?}"
    );
}

/// Optional members absent or `null`, unknown members, unknown identifier types: all read.
#[test]
fn optional_null_and_unknown_members_are_read() {
    let directory: Directory = serde_json::from_str(
        r#"{"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct",
            "newOrder":"https://ca.test/order","revokeCert":"https://ca.test/revoke",
            "keyChange":"https://ca.test/kc","newAuthz":null,"renewalInfo":null,"meta":null,
            "somethingNew":{"x":1}}"#,
    )
    .unwrap();
    assert_eq!(directory.meta.terms_of_service, None);
    assert!(!directory.meta.external_account_required);
    let meta: certsmith::acme::directory::Meta = serde_json::from_str(
        r#"{"termsOfService":null,"caaIdentities":null,"externalAccountRequired":null,"profiles":null}"#,
    )
    .unwrap();
    assert!(meta.caa_identities.is_empty() && meta.profiles.is_empty());
    let account: certsmith::acme::account::Account =
        serde_json::from_str(r#"{"status":"valid","contact":null,"orders":null}"#).unwrap();
    assert_eq!(account.status, AccountStatus::Valid);
    assert!(account.contact.is_empty());
    let order: Order = serde_json::from_str(
        r#"{"status":"pending","expires":null,"identifiers":[{"type":"dns","value":"a.test"},
            {"type":"permanent-identifier","value":"x"}],"notBefore":null,"notAfter":null,
            "error":null,"authorizations":["https://ca.test/authz/1"],"finalize":"https://ca.test/f",
            "certificate":null,"extra":true}"#,
    )
    .unwrap();
    assert_eq!(order.identifiers[1].kind, IdentifierKind::Unknown);
    let bare: Order = serde_json::from_str(r#"{"status":"valid","authorizations":null}"#).unwrap();
    assert_eq!(bare.status, OrderStatus::Valid);
    assert!(bare.authorizations.is_empty());
}

/// newAccount may answer 200 with the existing account of the key (§7.3.1), and its Location may be
/// relative.
#[test]
fn new_account_answering_200_for_an_existing_account() {
    let script = Script::default();
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(
            Method::Post,
            &format!("{CA}/acct"),
            reply(
                200,
                &[("Replay-Nonce", "n2"), ("Location", "/acct/7")],
                r#"{"status":"valid","contact":null}"#,
            ),
        );
    let key = account().key;
    let terms = NewAccount {
        terms_of_service_agreed: true,
        ..NewAccount::default()
    };
    let (credentials, account) =
        pollster::block_on(client(&script).new_account(&key, &terms, None)).unwrap();
    assert_eq!(credentials.url, "https://ca.test/acct/7");
    assert_eq!(account.status, AccountStatus::Valid);
    script.assert_done();
}

/// The one-by-one requests (newOrder, reading an order and an authorization) resolve the relative URLs a CA
/// may give against the object's own URL, as the flow's `execute` does.
#[test]
fn relative_urls_in_orders_and_authorizations_are_resolved() {
    let order = r#"{"status":"pending","identifiers":[{"type":"dns","value":"a.test"}],
        "authorizations":["../authz/1"],"finalize":"1/finalize"}"#;
    let authorization = r#"{"status":"pending","identifier":{"type":"dns","value":"a.test"},
        "challenges":[{"type":"dns-01","url":"/chall/1","token":"t1","status":"pending"}]}"#;
    let script = Script::default();
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(
            Method::Post,
            &format!("{CA}/order"),
            reply(
                201,
                &[("Replay-Nonce", "n2"), ("Location", "/orders/")],
                order,
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/orders/"),
            reply(200, &[("Replay-Nonce", "n3")], order),
        )
        .expect(
            Method::Post,
            &format!("{CA}/authz/1"),
            reply(200, &[("Replay-Nonce", "n4")], authorization),
        );
    let client = client(&script);
    let request = NewOrder {
        identifiers: vec![Identifier::dns("a.test")],
        ..NewOrder::default()
    };
    let placed = pollster::block_on(client.new_order(&account(), &request)).unwrap();
    assert_eq!(placed.url, format!("{CA}/orders/"));
    assert_eq!(placed.order.authorizations, [format!("{CA}/authz/1")]);
    assert_eq!(placed.order.finalize, format!("{CA}/orders/1/finalize"));
    let read = pollster::block_on(client.fetch_order(&account(), &placed.url)).unwrap();
    assert_eq!(read, placed.order);
    let authz = pollster::block_on(client.fetch_authorization(&account(), &read.authorizations[0]))
        .unwrap();
    assert_eq!(authz.challenges[0].url, format!("{CA}/chall/1"));
    script.assert_done();
}

/// A problem document with an unknown type and extra members is still a problem, shown as sent.
#[test]
fn a_problem_with_an_unknown_type_and_extra_members_is_kept() {
    let script = Script::default();
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(
            Method::Post,
            &format!("{CA}/order/1"),
            reply(
                403,
                &[
                    ("Replay-Nonce", "n2"),
                    ("Content-Type", "application/problem+json"),
                ],
                r#"{"type":"urn:example:ca:error:holiday","detail":"The CA is closed today",
                "status":403,"reopens":"2026-12-01","algorithms":["ES256"]}"#,
            ),
        );
    let err =
        pollster::block_on(client(&script).fetch_order(&account(), "https://ca.test/order/1"))
            .unwrap_err();
    let Error::Acme {
        problem, status, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, 403);
    assert_eq!(
        problem.type_uri.as_deref(),
        Some("urn:example:ca:error:holiday")
    );
    assert!(err.to_string().contains("The CA is closed today"), "{err}");
    assert!(!err.hint().is_empty());
    script.assert_done();
}

/// The page's client takes the probe's nonce: its first POST needs no newNonce.
#[test]
fn a_nonce_from_the_probe_saves_the_first_new_nonce() {
    let script = Script::default();
    script.expect(
        Method::Post,
        &format!("{CA}/order/1"),
        ok("n2", &order_json("pending", 1, "")),
    );
    let client: Client<&Script> = client(&script);
    client.add_nonce("probe-nonce");
    pollster::block_on(client.fetch_order(&account(), "https://ca.test/order/1")).unwrap();
    assert_eq!(script.nonce_of(0), "probe-nonce");
    assert_eq!(client.stats().requests.get("newNonce"), None);
    script.assert_done();
}

/// An order whose authorization lives on another origin: the flow never requests it, and says why.
#[test]
fn a_url_off_the_directory_origins_is_never_requested() {
    let script = Script::default();
    script.expect(Method::Head, &format!("{CA}/nonce"), nonce("n1")).expect(
        Method::Post,
        &format!("{CA}/order"),
        reply(
            201,
            &[("Replay-Nonce", "n2"), ("Location", "/order/1")],
            r#"{"status":"pending","identifiers":[{"type":"dns","value":"a.test"}],
                "authorizations":["https://collector.evil.test/authz/1"],"finalize":"/order/1/finalize"}"#,
        ),
    );
    let mut driver = TestDriver::new();
    let err = run(&script, issuance(&["a.test"]), &mut driver).unwrap_err();
    script.assert_done();
    let RunError::Acme(error) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(&**error, Error::UnsafeUrl { url, .. } if url == "https://collector.evil.test/authz/1"),
        "{error:?}"
    );
}

/// A reply larger than any ACME object is refused with a message, not read into the page's state.
#[test]
fn a_reply_over_the_body_limit_is_refused() {
    let huge = format!(
        r#"{{"status":"valid","padding":"{}"}}"#,
        "x".repeat(1 << 20)
    );
    let script = Script::default();
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(Method::Post, &format!("{CA}/order/1"), ok("n2", &huge));
    let err =
        pollster::block_on(client(&script).fetch_order(&account(), "https://ca.test/order/1"))
            .unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { bytes, limit, .. } if bytes > limit),
        "{err:?}"
    );
    script.assert_done();
}

/// The newOrder payload of the `n`-th request the script saw.
fn new_order_payload(script: &Script, n: usize) -> serde_json::Value {
    let body: serde_json::Value =
        serde_json::from_str(script.seen.borrow()[n].body.as_deref().unwrap()).unwrap();
    let payload = certsmith::b64::decode(body["payload"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&payload).unwrap()
}

/// A renewal names the certificate it replaces (RFC 9773 §5); an authorization the CA still holds valid
/// is not asked again: the order comes back ready and is finalized at once.
#[test]
fn a_renewal_sends_replaces_and_skips_valid_authorizations() {
    let script = Script::default();
    expect_new_order(&script, "ready", 1);
    script
        .expect(
            Method::Post,
            &format!("{CA}/order/1/finalize"),
            ok("n3", &order_json("valid", 1, r#","certificate":"/cert/1""#)),
        )
        .expect(Method::Post, &format!("{CA}/cert/1"), certificate("n4"));
    let mut renewal = issuance(&["a.test"]);
    renewal.request.replaces = Some("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".into());
    let mut driver = TestDriver::new();
    let done = run(&script, renewal, &mut driver).unwrap();
    script.assert_done();
    assert_eq!(
        new_order_payload(&script, 1)["replaces"],
        "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"
    );
    assert!(!done.replaces_dropped);
    assert!(driver.placed.is_empty(), "nothing to place");
}

/// alreadyReplaced (RFC 9773 §5): the same names are ordered again without `replaces`, at once, and the
/// state says so for the page.
#[test]
fn already_replaced_orders_again_without_replaces() {
    let script = Script::default();
    script
        .expect(Method::Head, &format!("{CA}/nonce"), nonce("n1"))
        .expect(
            Method::Post,
            &format!("{CA}/order"),
            problem(
                409,
                "alreadyReplaced",
                "certificate already replaced",
                &[("Replay-Nonce", "n2")],
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order"),
            reply(
                201,
                &[("Replay-Nonce", "n3"), ("Location", "/order/1")],
                &order_json("ready", 1, ""),
            ),
        )
        .expect(
            Method::Post,
            &format!("{CA}/order/1/finalize"),
            ok("n4", &order_json("valid", 1, r#","certificate":"/cert/1""#)),
        )
        .expect(Method::Post, &format!("{CA}/cert/1"), certificate("n5"));
    let mut renewal = issuance(&["a.test"]);
    renewal.request.replaces = Some("old.id".into());
    let mut driver = TestDriver::new();
    let done = run(&script, renewal, &mut driver).unwrap();
    script.assert_done();
    assert_eq!(new_order_payload(&script, 1)["replaces"], "old.id");
    assert!(new_order_payload(&script, 2).get("replaces").is_none());
    assert!(done.replaces_dropped && done.request.replaces.is_none());
    assert!(
        driver.waits.is_empty(),
        "no wait: the refusal is not transient"
    );
    assert!(done.chain.is_some());
}

/// A dns-persist-01 challenge as draft-ietf-acme-dns-persist-01 §3.1 has it: no token, the issuer
/// domain names instead.
fn persist01(i: usize, status: &str) -> String {
    format!(
        r#"{{"type":"dns-persist-01","url":"{CA}/chall/{i}/dns-persist-01","status":"{status}",
            "issuer-domain-names":["ca.test","ca.example.net"]}}"#
    )
}

/// The payload of the `n`-th request the script saw, as JSON.
fn payload(script: &Script, n: usize) -> serde_json::Value {
    let body: serde_json::Value =
        serde_json::from_str(script.seen.borrow()[n].body.as_deref().unwrap()).unwrap();
    let payload = certsmith::b64::decode(body["payload"].as_str().unwrap()).unwrap();
    serde_json::from_slice(&payload).unwrap()
}

/// An order for a name and its wildcard whose authorizations offer dns-persist-01 beside dns-01: dns-01
/// stays the default; the person chooses dns-persist-01 for both and a persistUntil. The one record at
/// `_validation-persist.a.test` names the first issuer and the account URL, with policy=wildcard (the
/// wildcard shares it), and is placed for both names; each answer is `{}` (RFC 8555 §7.5.1, draft §3.1);
/// the order completes with the floor of requests.
#[test]
fn dns_persist_01_places_one_record_for_the_account_and_completes() {
    let script = Script::default();
    expect_new_order(&script, "pending", 2);
    for (i, name) in [(1, "a.test"), (2, "*.a.test")] {
        let offered = format!("{},{}", persist01(i, "pending"), dns01(i, "pending"));
        script.expect(
            Method::Post,
            &format!("{CA}/authz/{i}"),
            ok("na", &authz_json(i, name, "pending", &offered)),
        );
    }
    let client = client(&script);
    let account = account();
    let mut driver = TestDriver::new();
    let mut issuance = issuance(&["a.test", "*.a.test"]);
    loop {
        match issuance.next(driver.now) {
            Next::Send(request) => {
                let result = pollster::block_on(client.execute(&account, &request, driver.now));
                issuance.record(&request, result, driver.now).unwrap();
            }
            Next::Place => break,
            other => panic!("{other:?}"),
        }
    }
    let chosen: Vec<_> = issuance
        .authorizations
        .iter()
        .map(|a| a.challenge_type.clone())
        .collect();
    assert_eq!(
        chosen,
        [Some(ChallengeType::Dns01), Some(ChallengeType::Dns01)]
    );
    assert!(!issuance.persist_wildcard_required(0));
    for index in [0, 1] {
        assert!(issuance.choose_challenge(index, &ChallengeType::DnsPersist01));
    }
    assert!(
        issuance.persist_wildcard_required(0),
        "the wildcard shares it"
    );
    let until = 1_900_000_000;
    assert!(issuance.choose_persist(
        0,
        PersistChoice {
            wildcard: false,
            persist_until: Some(until),
        }
    ));
    assert_eq!(
        issuance.authorizations[1].persist.persist_until,
        Some(until),
        "one choice for the one record"
    );

    let answers_from = script.seen.borrow().len();
    for i in [1, 2] {
        script.expect(
            Method::Post,
            &format!("{CA}/chall/{i}/dns-persist-01"),
            ok("nx", &persist01(i, "processing")),
        );
    }
    expect_ready_then_issued(&script);
    pollster::block_on(flow::run(&client, &account, &mut issuance, &mut driver)).unwrap();
    script.assert_done();
    assert!(issuance.chain.is_some());

    let record = PersistRecord {
        wildcard: true,
        persist_until: Some(until),
        ..PersistRecord::new("ca.test", &account.url)
    };
    assert_eq!(
        record.value(),
        "ca.test; accounturi=https://ca.test/acct/1; policy=wildcard; persistUntil=1900000000"
    );
    let expected = Placement::DnsPersist01 {
        record_name: "_validation-persist.a.test".into(),
        record,
        issuer_domain_names: vec!["ca.test".into(), "ca.example.net".into()],
    };
    assert_eq!(
        driver.placed,
        [
            ("a.test".to_string(), expected.clone()),
            ("*.a.test".to_string(), expected)
        ]
    );
    for n in [answers_from, answers_from + 1] {
        assert_eq!(payload(&script, n), serde_json::json!({}));
    }
    // newNonce, then 4 + 2N.
    assert_eq!(script.seen.borrow().len(), 1 + 4 + 2 * 2);
}

/// A renewal with the record still in place: the CA looks at it by itself and the authorization comes
/// back valid (an order may hold valid authorizations, RFC 8555 §7.1.4), so nothing is placed, no
/// challenge is answered, and the order is finalized once the CA says it is ready.
#[test]
fn a_dns_persist_01_renewal_with_the_record_in_place_places_nothing() {
    let script = Script::default();
    expect_new_order(&script, "pending", 1);
    let offered = format!("{},{}", persist01(1, "valid"), dns01(1, "pending"));
    script.expect(
        Method::Post,
        &format!("{CA}/authz/1"),
        ok("n3", &authz_json(1, "a.test", "valid", &offered)),
    );
    expect_ready_then_issued(&script);
    let mut renewal = issuance(&["a.test"]);
    renewal.request.replaces = Some("aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".into());
    let mut driver = TestDriver::new();
    let done = run(&script, renewal, &mut driver).unwrap();
    script.assert_done();
    assert!(driver.placed.is_empty(), "nothing to place");
    assert_eq!(done.reused(), ["a.test"]);
    assert!(!done.authorizations[0].answered);
    assert_eq!(
        count(
            &script,
            Method::Post,
            &format!("{CA}/chall/1/dns-persist-01")
        ),
        0
    );
    assert!(done.chain.is_some());
}
