//! The wizard's transitions, natively. The CA is played by hand: each test builds the [`Issuance`] the way
//! a driver does (`next`, then `record` of a hand-made reply) and gives every new state to the wizard with
//! [`Action::Advanced`], as the page does after each request.
//!
//! One file over 600 lines: it is all tests of one reducer, sharing one hand-played CA; split by topic it
//! would repeat those helpers in every part.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::*;
use crate::acme::account::AccountCredentials;
use crate::acme::authorization::{
    Authorization, AuthorizationStatus, Challenge, ChallengeStatus, ChallengeType, Placement,
};
use crate::acme::client::{CertificateChain, Exchange};
use crate::acme::directory::{Directory, Meta};
use crate::acme::error::Error;
use crate::acme::flow::{
    self, usable_challenge_types, Answered, FailedAuthorization, Issuance, Next, Reply, Request,
    WaitReason,
};
use crate::acme::identifier::{Identifier, IdentifierKind};
use crate::acme::order::{NewOrder, Order, OrderStatus};
use crate::acme::problem::Problem;
use crate::pki::key::{KeyType, PrivateKey};

const ORDER_URL: &str = "https://ca.test/order/1";
const FINALIZE_URL: &str = "https://ca.test/order/1/finalize";
const CERT_URL: &str = "https://ca.test/cert/1";
const ALTERNATE_URL: &str = "https://ca.test/cert/1/1";

/// Restores a saved state given as a JSON value, as the page does from its stored text.
fn restore(saved: Value) -> Result<Wizard, RestoreError> {
    Wizard::restore(&saved.to_string())
}

/// The time of the tests: the flow takes it as a value.
fn t(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000 + secs)
}

fn directory() -> Directory {
    Directory {
        new_nonce: "https://ca.test/nonce".into(),
        new_account: "https://ca.test/account".into(),
        new_order: "https://ca.test/order".into(),
        new_authz: None,
        revoke_cert: "https://ca.test/revoke".into(),
        key_change: "https://ca.test/key-change".into(),
        renewal_info: None,
        meta: Meta {
            terms_of_service: Some("https://ca.test/terms".into()),
            ..Meta::default()
        },
    }
}

fn account() -> AccountCredentials {
    AccountCredentials {
        url: "https://ca.test/acct/1".into(),
        key: PrivateKey::generate(KeyType::P256).unwrap(),
    }
}

fn token(n: usize, kind: &ChallengeType) -> String {
    format!("token{n}{}", kind.as_str().replace('-', ""))
}

fn challenge_url(n: usize, kind: &ChallengeType) -> String {
    format!("https://ca.test/chall/{n}/{kind}")
}

fn challenge(kind: ChallengeType, n: usize, status: ChallengeStatus) -> Challenge {
    Challenge {
        url: challenge_url(n, &kind),
        token: Some(token(n, &kind)),
        challenge_type: kind,
        status,
        validated: None,
        error: None,
        issuer_domain_names: Vec::new(),
    }
}

fn authz_url(n: usize) -> String {
    format!("https://ca.test/authz/{n}")
}

/// Authorization `n` for `name` as a CA sends it: a wildcard offers only dns-01, an IP address http-01
/// and tls-alpn-01 (which a page cannot do), any other name dns-01, http-01 and tls-alpn-01.
fn authz(n: usize, name: &str, status: AuthorizationStatus) -> Authorization {
    let wildcard = name.starts_with("*.");
    let ip = name.parse::<std::net::IpAddr>().is_ok();
    let kinds = if wildcard {
        vec![ChallengeType::Dns01]
    } else if ip {
        vec![ChallengeType::Http01, ChallengeType::TlsAlpn01]
    } else {
        vec![
            ChallengeType::Dns01,
            ChallengeType::Http01,
            ChallengeType::TlsAlpn01,
        ]
    };
    let challenge_status = match status {
        AuthorizationStatus::Valid => ChallengeStatus::Valid,
        _ => ChallengeStatus::Pending,
    };
    Authorization {
        identifier: Identifier {
            kind: if ip {
                IdentifierKind::Ip
            } else {
                IdentifierKind::Dns
            },
            value: name.trim_start_matches("*.").into(),
        },
        status,
        expires: None,
        challenges: kinds
            .into_iter()
            .map(|kind| challenge(kind, n, challenge_status))
            .collect(),
        wildcard,
    }
}

fn order(status: OrderStatus, names: &[&str]) -> Order {
    Order {
        status,
        expires: None,
        identifiers: names
            .iter()
            .map(|n| Identifier::parse(n).unwrap())
            .collect(),
        not_before: None,
        not_after: None,
        error: None,
        authorizations: (0..names.len()).map(authz_url).collect(),
        finalize: FINALIZE_URL.into(),
        certificate: None,
        profile: None,
        replaces: None,
    }
}

// ----- the requests the flow should ask for, and the CA's replies -----

fn authz_request(n: usize) -> Request {
    Request::Authorization { url: authz_url(n) }
}

fn answer_request(n: usize, kind: &ChallengeType) -> Request {
    Request::Answer {
        authorization_url: authz_url(n),
        challenge_url: challenge_url(n, kind),
    }
}

fn poll_request() -> Request {
    Request::Order {
        url: ORDER_URL.into(),
    }
}

fn order_reply(order: Order) -> Reply {
    Reply::Order {
        url: ORDER_URL.into(),
        order,
    }
}

fn authz_reply(n: usize, name: &str, status: AuthorizationStatus) -> Reply {
    Reply::Authorization {
        url: authz_url(n),
        authorization: authz(n, name, status),
    }
}

fn chain(url: &str, alternates: &[&str]) -> CertificateChain {
    CertificateChain {
        url: url.into(),
        pem: format!("-----BEGIN CERTIFICATE----- {url}"),
        alternates: alternates.iter().map(|u| u.to_string()).collect(),
    }
}

/// Plays the CA for one request as a driver would: checks that the flow asks for exactly `expected`,
/// records `reply`, and hands the new state to the wizard.
fn reply(
    w: &mut Wizard,
    expected: Request,
    reply: Reply,
    retry_after: Option<Duration>,
    now: SystemTime,
) {
    let mut issuance = w.order.clone().expect("an order under way");
    assert_eq!(issuance.next(now), Next::Send(expected.clone()));
    issuance
        .record(&expected, Ok(Answered { reply, retry_after }), now)
        .expect("the reply is taken");
    w.apply(Action::Advanced(issuance));
}

/// What the flow of the wizard's order does next.
fn next(w: &Wizard, now: SystemTime) -> Next {
    w.order.as_ref().expect("an order under way").next(now)
}

/// A wizard with an account, at the names step.
fn at_names() -> Wizard {
    let mut w = Wizard::new(Some("https://127.0.0.1:14000/dir"));
    w.apply(Action::Connected {
        url: "https://127.0.0.1:14000/dir".into(),
        directory: directory(),
    });
    w.apply(Action::AccountReady(account()));
    w
}

/// Generates the certificate key and starts the issuance of the names typed (dns-01 preferred), as
/// `Task::CreateOrder` does. Returns the CSR (DER).
fn start_order(w: &mut Wizard, id: u64) -> Vec<u8> {
    let names = w.parsed_names().unwrap();
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    w.apply(Action::CertKeyReady(key.clone()));
    let csr = crate::pki::csr::build_csr(&key, &names).unwrap();
    let issuance = Issuance::new(
        id,
        NewOrder {
            identifiers: names,
            ..NewOrder::default()
        },
        csr.clone(),
        vec![ChallengeType::Dns01, ChallengeType::Http01],
    );
    w.apply(Action::OrderStarted {
        issuance,
        csr: None,
    });
    csr
}

fn new_order_request(w: &Wizard) -> Request {
    Request::NewOrder(w.order.as_ref().unwrap().request.clone())
}

/// A wizard whose order for example.test and *.example.test has both authorizations pending and read:
/// the records are to be placed.
fn at_challenges() -> Wizard {
    let mut w = at_names();
    w.apply(Action::SetNames("example.test, *.example.test".into()));
    start_order(&mut w, 1);
    let names = ["example.test", "*.example.test"];
    let request = new_order_request(&w);
    reply(
        &mut w,
        request,
        order_reply(order(OrderStatus::Pending, &names)),
        None,
        t(0),
    );
    for (n, name) in names.iter().enumerate() {
        reply(
            &mut w,
            authz_request(n),
            authz_reply(n, name, AuthorizationStatus::Pending),
            None,
            t(0),
        );
    }
    assert_eq!(w.step, Step::Challenges);
    w
}

fn chosen_types(w: &Wizard) -> Vec<Option<ChallengeType>> {
    w.order
        .as_ref()
        .unwrap()
        .authorizations
        .iter()
        .map(|a| a.challenge_type.clone())
        .collect()
}

/// The dns-01 TXT value of §8.4 for a token and the wizard's account key, computed here.
fn txt_value(w: &Wizard, token: &str) -> String {
    let thumbprint = w.account.as_ref().unwrap().key.thumbprint();
    crate::b64::encode(Sha256::digest(format!("{token}.{thumbprint}").as_bytes()))
}

#[test]
fn fresh_state_uses_the_build_defaults() {
    let local = Wizard::new(Some("https://127.0.0.1:14000/dir"));
    assert_eq!(local.ca_kind, CaKind::Local);
    assert_eq!(local.ca_url, "https://127.0.0.1:14000/dir");
    assert_eq!(local.resolver_list(), [LOCAL_RESOLVER]);
    assert_eq!(local.version, FORMAT_VERSION);
    let production = Wizard::new(None);
    assert_eq!(production.ca_kind, CaKind::LetsEncrypt);
    assert_eq!(production.ca_url, LETS_ENCRYPT);
    assert_eq!(production.resolver_list(), PUBLIC_RESOLVERS);
    assert_eq!(production.step, Step::Ca);
    assert!(production.order.is_none());
}

#[test]
fn ca_choice_and_typing() {
    let mut w = Wizard::new(None);
    w.apply(Action::ChooseCa {
        kind: CaKind::LetsEncryptStaging,
        url: CaKind::LetsEncryptStaging.preset_url(None),
    });
    assert_eq!(w.ca_url, LETS_ENCRYPT_STAGING);
    assert_eq!(w.ca_kind, CaKind::LetsEncryptStaging);
    w.apply(Action::SetCaUrl("https://acme.example/dir".into()));
    assert_eq!(w.ca_kind, CaKind::Other);
    assert_eq!(w.ca_url, "https://acme.example/dir");
    // "Other" keeps what was typed.
    w.apply(Action::ChooseCa {
        kind: CaKind::Other,
        url: None,
    });
    assert_eq!(w.ca_url, "https://acme.example/dir");
    // Once connected, the CA is changed only through ChangeCa.
    w.apply(Action::Connected {
        url: "https://acme.example/dir".into(),
        directory: directory(),
    });
    w.apply(Action::SetCaUrl("https://elsewhere.example/dir".into()));
    assert_eq!(w.ca_url, "https://acme.example/dir");
    assert_eq!(w.step, Step::Account);
}

#[test]
fn the_whole_flow() {
    let mut w = Wizard::new(None);
    w.apply(Action::Busy("Connecting".into()));
    assert!(w.is_busy());
    w.apply(Action::Connected {
        url: LETS_ENCRYPT.into(),
        directory: directory(),
    });
    w.apply(Action::Idle);
    assert!(!w.is_busy());
    assert_eq!((w.step, w.section()), (Step::Account, Section::Account));
    w.apply(Action::AccountReady(account()));
    assert_eq!((w.step, w.section()), (Step::Names, Section::Names));
    w.apply(Action::SetNames("example.test\n*.example.test".into()));
    assert_eq!(w.order_blocker(), None);

    let csr = start_order(&mut w, 7);
    let key = w.cert_key.clone().expect("the certificate key is kept");
    assert_eq!(w.step, Step::Names, "newOrder is not answered yet");
    w.apply(Action::ChallengesPlaced);
    assert!(!w.order.as_ref().unwrap().placed, "nothing to place yet");
    assert_eq!(
        new_order_request(&w),
        Request::NewOrder(NewOrder {
            identifiers: vec![
                Identifier::dns("example.test"),
                Identifier::dns("*.example.test")
            ],
            ..NewOrder::default()
        })
    );

    // newOrder, then one POST-as-GET per authorization.
    let names = ["example.test", "*.example.test"];
    let request = new_order_request(&w);
    reply(
        &mut w,
        request,
        order_reply(order(OrderStatus::Pending, &names)),
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Names, "the authorizations are not read yet");
    assert_eq!(
        w.order.as_ref().unwrap().order_url.as_deref(),
        Some(ORDER_URL)
    );
    reply(
        &mut w,
        authz_request(0),
        authz_reply(0, "example.test", AuthorizationStatus::Pending),
        None,
        t(1),
    );
    assert_eq!(w.step, Step::Names);
    reply(
        &mut w,
        authz_request(1),
        authz_reply(1, "*.example.test", AuthorizationStatus::Pending),
        None,
        t(1),
    );
    assert_eq!(
        (w.step, w.section()),
        (Step::Challenges, Section::Challenges)
    );
    assert_eq!(next(&w, t(1)), Next::Place);
    assert_eq!(w.cert_key.as_ref(), Some(&key));

    // The apex can use http-01; the wildcard cannot.
    assert_eq!(
        chosen_types(&w),
        [Some(ChallengeType::Dns01), Some(ChallengeType::Dns01)]
    );
    w.apply(Action::ChooseChallenge {
        index: 0,
        challenge_type: ChallengeType::Http01,
    });
    w.apply(Action::ChooseChallenge {
        index: 1,
        challenge_type: ChallengeType::Http01,
    });
    assert_eq!(
        chosen_types(&w),
        [Some(ChallengeType::Http01), Some(ChallengeType::Dns01)]
    );
    let account_key = w.account.as_ref().unwrap().key.clone();
    let placements = w
        .order
        .as_ref()
        .unwrap()
        .placements(w.account.as_ref().unwrap());
    let thumbprint = account_key.thumbprint();
    let http_token = token(0, &ChallengeType::Http01);
    assert_eq!(
        placements
            .into_iter()
            .map(|(name, p)| (name, p.unwrap()))
            .collect::<Vec<_>>(),
        [
            (
                "example.test".to_string(),
                Placement::Http01 {
                    url: format!("http://example.test/.well-known/acme-challenge/{http_token}"),
                    path: format!("/.well-known/acme-challenge/{http_token}"),
                    content: format!("{http_token}.{thumbprint}"),
                    token: http_token.clone(),
                }
            ),
            (
                "*.example.test".to_string(),
                Placement::Dns01 {
                    record_name: "_acme-challenge.example.test".into(),
                    value: txt_value(&w, &token(1, &ChallengeType::Dns01)),
                }
            ),
        ]
    );

    w.apply(Action::ChallengesPlaced);
    assert_eq!(w.step, Step::Validating);
    assert!(w.order.as_ref().unwrap().placed);

    // One answer per challenge; the last one's Retry-After sets the first order poll.
    reply(
        &mut w,
        answer_request(0, &ChallengeType::Http01),
        Reply::Challenge(challenge(
            ChallengeType::Http01,
            0,
            ChallengeStatus::Processing,
        )),
        None,
        t(2),
    );
    assert_eq!(w.step, Step::Validating);
    assert!(w.dns_records()[0].proves == ["*.example.test"]);
    reply(
        &mut w,
        answer_request(1, &ChallengeType::Dns01),
        Reply::Challenge(challenge(ChallengeType::Dns01, 1, ChallengeStatus::Pending)),
        Some(Duration::from_secs(3)),
        t(2),
    );
    assert!(w.dns_records().is_empty(), "nothing left to place");
    assert_eq!(
        next(&w, t(2)),
        Next::Wait {
            until: t(5),
            why: WaitReason::Validating
        }
    );
    w.apply(Action::Waiting {
        label: "Waiting for the CA".into(),
        until_ms: 1_700_000_005_000,
    });
    assert_eq!(w.busy.as_deref(), Some("Waiting for the CA"));
    assert_eq!(w.busy_until_ms, Some(1_700_000_005_000));
    w.apply(Action::Idle);
    assert_eq!((w.busy.as_deref(), w.busy_until_ms), (None, None));

    // The order poll: still pending (the second back-off step, 2 s), then ready.
    reply(
        &mut w,
        poll_request(),
        order_reply(order(OrderStatus::Pending, &names)),
        None,
        t(5),
    );
    assert_eq!(
        w.step,
        Step::Validating,
        "the authorizations are still being checked"
    );
    assert_eq!(
        next(&w, t(5)),
        Next::Wait {
            until: t(7),
            why: WaitReason::Validating
        }
    );
    assert_eq!(next(&w, t(6)), next(&w, t(5)), "not before its time");
    reply(
        &mut w,
        poll_request(),
        order_reply(order(OrderStatus::Ready, &names)),
        None,
        t(7),
    );
    assert_eq!(
        (w.step, w.section()),
        (Step::Finalizing, Section::Certificate)
    );

    // Finalize with the CSR made for the key; the order is processing, then valid.
    let finalize = Request::Finalize {
        order_url: ORDER_URL.into(),
        finalize_url: FINALIZE_URL.into(),
        csr,
    };
    reply(
        &mut w,
        finalize,
        order_reply(order(OrderStatus::Processing, &names)),
        Some(Duration::from_secs(2)),
        t(7),
    );
    assert_eq!(w.step, Step::Finalizing);
    assert!(w.order.as_ref().unwrap().finalize_processing);
    assert!(
        !w.drops_issued_key(),
        "a key with no certificate yet goes with a new order unasked"
    );
    assert_eq!(
        next(&w, t(7)),
        Next::Wait {
            until: t(9),
            why: WaitReason::Issuing
        }
    );
    let mut valid = order(OrderStatus::Valid, &names);
    valid.certificate = Some(CERT_URL.into());
    reply(&mut w, poll_request(), order_reply(valid), None, t(9));
    assert_eq!(w.step, Step::Finalizing);
    reply(
        &mut w,
        Request::Certificate {
            url: CERT_URL.into(),
        },
        Reply::Certificate(chain(CERT_URL, &[ALTERNATE_URL])),
        None,
        t(9),
    );
    assert_eq!((w.step, w.section()), (Step::Done, Section::Certificate));
    assert_eq!(next(&w, t(9)), Next::Done);
    // Deleting the key is only for a finished order; it leaves the certificate.
    let mut deleted = w.clone();
    deleted.apply(Action::ForgetCertKey);
    assert!(deleted.cert_key.is_none() && deleted.cert_key_deleted());
    assert!(!serde_json::to_string(&deleted)
        .unwrap()
        .contains("\"cert_key\":\""));
    assert_eq!(deleted.chains, [chain(CERT_URL, &[ALTERNATE_URL])]);
    assert!(w.cert_key.is_some() && !w.cert_key_deleted());
    assert_eq!(w.chains, [chain(CERT_URL, &[ALTERNATE_URL])]);
    // A new order would delete the issued certificate's key: the page asks first, unless it is gone.
    assert!(w.drops_issued_key());
    assert!(!deleted.drops_issued_key());
    assert_eq!(
        w.chain_options(),
        [
            ChainOption {
                url: CERT_URL.into(),
                label: "Default chain".into(),
                loaded: true
            },
            ChainOption {
                url: ALTERNATE_URL.into(),
                label: "Alternate chain 1".into(),
                loaded: false
            },
        ]
    );
    w.apply(Action::ChooseChain(Some(ALTERNATE_URL.into())));
    assert_eq!(w.chosen_chain.as_deref(), Some(ALTERNATE_URL));
    assert_eq!(
        w.current_chain().unwrap().url,
        CERT_URL,
        "an alternate not yet downloaded falls back to the primary"
    );
    w.apply(Action::ChainDownloaded {
        order_id: 7,
        chain: chain(ALTERNATE_URL, &[]),
    });
    assert_eq!(w.current_chain().unwrap().url, ALTERNATE_URL);
    assert_eq!(w.chains.len(), 2);
    assert!(w.chain_options()[1].loaded);
    // The same chain again replaces it; choosing the primary is "no choice".
    w.apply(Action::ChainDownloaded {
        order_id: 7,
        chain: chain(ALTERNATE_URL, &[]),
    });
    assert_eq!(w.chains.len(), 2);
    w.apply(Action::ChooseChain(Some(CERT_URL.into())));
    assert_eq!(w.chosen_chain, None);
    assert_eq!(w.current_chain().unwrap().url, CERT_URL);
}

/// The page has the jobs module read each downloaded chain: until then the chain is unread; a reading
/// names the chain's root in the chain choice; only readings of the chains the wizard has are kept, one
/// each; and none is saved (a reload reads again).
#[test]
fn chains_are_read_once_and_the_readings_are_not_saved() {
    let scratch = crate::pki::key::test_support::Scratch::new("wizard-chain-read");
    scratch.self_signed_p256("k.pem", "c.pem", "/CN=Root Of The Test", 30, &[]);
    let pem = scratch.read_text("c.pem");
    let mut w = Wizard::new(None);
    w.chains = vec![CertificateChain {
        pem: pem.clone(),
        ..chain(CERT_URL, &[])
    }];
    assert_eq!(w.chains_unread(), std::slice::from_ref(&pem));
    assert_eq!(w.chain_options()[0].label, "Default chain");
    let read = crate::pki::cert::parse_pem_chain(&pem).map_err(|e| e.to_string());
    w.apply(Action::ChainRead(ChainRead {
        pem: pem.clone(),
        result: read.clone(),
    }));
    assert!(w.chains_unread().is_empty());
    assert_eq!(w.chain_reading(&pem), Some(&read));
    assert_eq!(
        w.chain_options()[0].label,
        "Default chain (up to Root Of The Test)"
    );
    // The same chain read again replaces its reading; a chain the wizard does not have is not kept.
    w.apply(Action::ChainRead(ChainRead {
        pem: pem.clone(),
        result: Err("unreadable".into()),
    }));
    w.apply(Action::ChainRead(ChainRead {
        pem: "another chain".into(),
        result: Err("gone".into()),
    }));
    assert_eq!(w.chains_read.len(), 1);
    assert_eq!(w.chain_reading(&pem), Some(&Err("unreadable".into())));
    let restored: Wizard = serde_json::from_str(&serde_json::to_string(&w).unwrap()).unwrap();
    assert_eq!(restored.chains_unread(), [pem]);
}

#[test]
fn already_valid_authorizations_go_straight_to_finalizing() {
    // The CA holds a valid authorization for the only name: the order is ready at once.
    let mut w = at_names();
    w.apply(Action::SetNames("example.test".into()));
    let csr = start_order(&mut w, 1);
    let request = new_order_request(&w);
    reply(
        &mut w,
        request,
        order_reply(order(OrderStatus::Ready, &["example.test"])),
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Finalizing);
    assert!(w.dns_records().is_empty());
    assert_eq!(
        next(&w, t(0)),
        Next::Send(Request::Finalize {
            order_url: ORDER_URL.into(),
            finalize_url: FINALIZE_URL.into(),
            csr,
        })
    );

    // A pending order whose every authorization is already valid: nothing to place, the order is polled.
    let mut w = at_names();
    w.apply(Action::SetNames("example.test".into()));
    start_order(&mut w, 2);
    let request = new_order_request(&w);
    reply(
        &mut w,
        request,
        order_reply(order(OrderStatus::Pending, &["example.test"])),
        None,
        t(0),
    );
    reply(
        &mut w,
        authz_request(0),
        authz_reply(0, "example.test", AuthorizationStatus::Valid),
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Validating);
    assert_eq!(w.reused_authorizations(), ["example.test"]);
    assert_eq!(next(&w, t(0)), Next::Send(poll_request()));
    // Past the challenges step, the challenge type is no longer the page's to choose.
    // (Nothing is left to place, so no check can arrive; a row kept from before stays.)
    assert!(w.dns_records().is_empty());
    w.doh = vec![DohRow {
        resolver: LOCAL_RESOLVER.into(),
        record_name: "_acme-challenge.example.test".into(),
        expected: Vec::new(),
        outcome: DohOutcome::Visible,
        persist_until: None,
    }];
    w.apply(Action::ChooseChallenge {
        index: 0,
        challenge_type: ChallengeType::Http01,
    });
    assert_eq!(chosen_types(&w), [Some(ChallengeType::Dns01)]);
    assert_eq!(w.doh.len(), 1);
    reply(
        &mut w,
        poll_request(),
        order_reply(order(OrderStatus::Ready, &["example.test"])),
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Finalizing);

    // One reused and one to prove: only the other one is placed.
    let mut w = at_names();
    w.apply(Action::SetNames("a.example.test b.example.test".into()));
    start_order(&mut w, 3);
    let names = ["a.example.test", "b.example.test"];
    let request = new_order_request(&w);
    reply(
        &mut w,
        request,
        order_reply(order(OrderStatus::Pending, &names)),
        None,
        t(0),
    );
    reply(
        &mut w,
        authz_request(0),
        authz_reply(0, names[0], AuthorizationStatus::Valid),
        None,
        t(0),
    );
    reply(
        &mut w,
        authz_request(1),
        authz_reply(1, names[1], AuthorizationStatus::Pending),
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Challenges);
    assert_eq!(w.reused_authorizations(), ["a.example.test"]);
    let records = w.dns_records();
    assert_eq!(
        records,
        [DnsRecord {
            name: "_acme-challenge.b.example.test".into(),
            values: vec![txt_value(&w, &token(1, &ChallengeType::Dns01))],
            proves: vec!["b.example.test".into()],
            persist_issuers: None,
        }]
    );
    // Whatever type the reused one has, it puts no file to check.
    w.apply(Action::ChooseChallenge {
        index: 0,
        challenge_type: ChallengeType::Http01,
    });
    assert!(!w.has_pending_http());
    assert_eq!(
        w.submit_warnings(),
        ["The DNS check has not run, so nobody has seen the TXT records yet."]
    );
    assert_eq!(
        w.order
            .as_ref()
            .unwrap()
            .placements(w.account.as_ref().unwrap())
            .len(),
        1
    );
    w.apply(Action::ChallengesPlaced);
    assert_eq!(
        next(&w, t(0)),
        Next::Send(answer_request(1, &ChallengeType::Dns01))
    );
}

#[test]
fn wildcard_and_apex_share_one_record_with_two_values() {
    let w = at_challenges();
    let records = w.dns_records();
    let values = vec![
        txt_value(&w, &token(0, &ChallengeType::Dns01)),
        txt_value(&w, &token(1, &ChallengeType::Dns01)),
    ];
    assert_ne!(values[0], values[1]);
    assert_eq!(
        records,
        [DnsRecord {
            name: "_acme-challenge.example.test".into(),
            values: values.clone(),
            proves: vec!["example.test".into(), "*.example.test".into()],
            persist_issuers: None,
        }]
    );
    assert_eq!(
        records[0].zone_lines(),
        values
            .iter()
            .map(|v| format!("_acme-challenge.example.test. 300 IN TXT \"{v}\""))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        w.placement(1),
        Some(Ok(Placement::Dns01 {
            record_name: "_acme-challenge.example.test".into(),
            value: values[1].clone(),
        }))
    );
    assert_eq!(w.placement(2), None);
}

#[test]
fn submit_warnings_follow_the_dns_check() {
    let not_checked = "The DNS check has not run, so nobody has seen the TXT records yet.";
    let not_seen = "The DNS check has not seen every TXT value at any resolver yet.";
    let http =
        "HTTP-01 files cannot be checked from this page (browsers may not fetch another site's \
                files): open each URL yourself and compare the content.";
    let mut w = at_challenges();
    assert_eq!(w.submit_warnings(), [not_checked], "nothing checked yet");
    w.apply(Action::SetResolvers(
        "https://a.example/dns-query,https://b.example/dns-query\n\n https://c.example/dns-query"
            .into(),
    ));
    assert_eq!(
        w.resolver_list(),
        [
            "https://a.example/dns-query",
            "https://b.example/dns-query",
            "https://c.example/dns-query"
        ]
    );
    let record = w.dns_records().remove(0);
    let partial = DohOutcome::from_answer(&record.values, Ok(vec![record.values[0].clone()]));
    assert_eq!(
        partial,
        DohOutcome::NotVisible {
            found: vec![record.values[0].clone()]
        }
    );
    assert_eq!(
        partial.describe(),
        format!(
            "not visible yet (found 1 other value: {})",
            record.values[0]
        )
    );
    w.apply(Action::DohChecked(vec![DohRow {
        resolver: LOCAL_RESOLVER.into(),
        record_name: record.name.clone(),
        expected: record.values.clone(),
        outcome: partial,
        persist_until: None,
    }]));
    assert_eq!(w.submit_warnings(), [not_seen]);
    assert!(!w.dns_seen_everywhere_needed());
    let quoted: Vec<String> = record.values.iter().map(|v| format!("\"{v}\"")).collect();
    let full = DohOutcome::from_answer(&record.values, Ok(quoted));
    assert_eq!(full.describe(), "visible");
    let down = DohOutcome::from_answer(&record.values, Err("timeout".into()));
    assert_eq!(down.describe(), "error: timeout");
    w.apply(Action::DohChecked(vec![
        DohRow {
            resolver: "https://down.example/dns-query".into(),
            record_name: record.name.clone(),
            expected: record.values.clone(),
            outcome: down,
            persist_until: None,
        },
        DohRow {
            resolver: LOCAL_RESOLVER.into(),
            record_name: record.name.clone(),
            expected: record.values.clone(),
            outcome: full,
            persist_until: None,
        },
    ]));
    assert_eq!(
        w.submit_warnings(),
        Vec::<String>::new(),
        "one resolver seeing it all is enough"
    );
    assert!(w.dns_seen_everywhere_needed());
    assert!(!w.has_pending_http());
    // Choosing the type already chosen changes nothing and keeps the check.
    w.apply(Action::ChooseChallenge {
        index: 0,
        challenge_type: ChallengeType::Dns01,
    });
    assert_eq!(w.doh.len(), 2);
    // Choosing http-01 for the apex drops the check and warns that files cannot be checked.
    w.apply(Action::ChooseChallenge {
        index: 0,
        challenge_type: ChallengeType::Http01,
    });
    assert_eq!(w.doh, []);
    assert!(w.has_pending_http());
    assert_eq!(w.submit_warnings(), [not_checked, http]);
    // A late answer for the values before the switch is dropped: it says nothing about the record now.
    w.apply(Action::DohChecked(vec![DohRow {
        resolver: LOCAL_RESOLVER.into(),
        record_name: record.name.clone(),
        expected: record.values.clone(),
        outcome: DohOutcome::Visible,
        persist_until: None,
    }]));
    assert_eq!(w.doh, []);
    // A type the authorization does not offer changes nothing and keeps the check.
    let record = w.dns_records().remove(0);
    w.apply(Action::DohChecked(vec![DohRow {
        resolver: LOCAL_RESOLVER.into(),
        record_name: record.name.clone(),
        expected: record.values.clone(),
        outcome: DohOutcome::Visible,
        persist_until: None,
    }]));
    w.apply(Action::ChooseChallenge {
        index: 1,
        challenge_type: ChallengeType::Http01,
    });
    assert_eq!(w.doh.len(), 1);
    assert_eq!(
        chosen_types(&w),
        [Some(ChallengeType::Http01), Some(ChallengeType::Dns01)]
    );
    assert_eq!(w.submit_warnings(), [http]);
}

fn dns_problem() -> Problem {
    Problem {
        type_uri: Some("urn:ietf:params:acme:error:dns".into()),
        detail: Some("NXDOMAIN looking up TXT for _acme-challenge.example.test".into()),
        ..Problem::default()
    }
}

#[test]
fn an_invalid_authorization_fails_the_order_with_the_cas_problem() {
    let mut w = at_challenges();
    w.apply(Action::ChallengesPlaced);
    reply(
        &mut w,
        answer_request(0, &ChallengeType::Dns01),
        Reply::Challenge(challenge(
            ChallengeType::Dns01,
            0,
            ChallengeStatus::Processing,
        )),
        None,
        t(0),
    );
    reply(
        &mut w,
        answer_request(1, &ChallengeType::Dns01),
        Reply::Challenge(challenge(
            ChallengeType::Dns01,
            1,
            ChallengeStatus::Processing,
        )),
        None,
        t(0),
    );
    // The order poll finds it invalid; the authorizations are read again to say why.
    let names = ["example.test", "*.example.test"];
    reply(
        &mut w,
        poll_request(),
        order_reply(order(OrderStatus::Invalid, &names)),
        None,
        t(1),
    );
    assert_eq!(w.step, Step::Validating, "the cause is not read yet");
    assert_eq!(
        w.failure(),
        Some(Failure {
            message: "The CA declared the order invalid; start a new order.".into(),
            problems: vec![],
        })
    );
    let mut failed = authz(0, "example.test", AuthorizationStatus::Invalid);
    failed.challenges[0].status = ChallengeStatus::Invalid;
    failed.challenges[0].error = Some(dns_problem());
    reply(
        &mut w,
        authz_request(0),
        Reply::Authorization {
            url: authz_url(0),
            authorization: failed,
        },
        None,
        t(1),
    );
    reply(
        &mut w,
        authz_request(1),
        authz_reply(1, "*.example.test", AuthorizationStatus::Pending),
        None,
        t(1),
    );
    assert_eq!(w.step, Step::Failed);
    assert_eq!(w.section(), Section::Challenges);
    assert_eq!(
        next(&w, t(1)),
        Next::Failed(flow::Failure::Authorizations(vec![FailedAuthorization {
            name: "example.test".into(),
            status: AuthorizationStatus::Invalid,
            problem: Some(dns_problem()),
        }]))
    );
    let failure = w.failure().unwrap();
    assert_eq!(
        failure,
        Failure {
            message: "The CA could not validate example.test (invalid). A failed authorization cannot be \
                      retried: fix the cause, then start a new order."
                .into(),
            problems: vec![dns_problem()],
        }
    );
    assert!(failure.problems[0]
        .hint()
        .starts_with("The CA could not see the TXT record yet."));

    // A new order keeps the CA, the account and the names.
    let account_url = w.account.as_ref().unwrap().url.clone();
    w.apply(Action::NewOrder);
    assert_eq!(w.step, Step::Names);
    assert!(w.order.is_none() && w.cert_key.is_none() && w.failure().is_none());
    assert_eq!(w.account.as_ref().unwrap().url, account_url);
    assert_eq!(w.names_input, "example.test, *.example.test");
}

#[test]
fn a_challenge_answered_invalid_fails_at_once_and_unexplained_names_are_said() {
    let mut w = at_challenges();
    w.apply(Action::ChallengesPlaced);
    // The CA validates inside the answer and refuses, without a problem: the authorization is read again.
    reply(
        &mut w,
        answer_request(0, &ChallengeType::Dns01),
        Reply::Challenge(challenge(ChallengeType::Dns01, 0, ChallengeStatus::Invalid)),
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Validating);
    reply(
        &mut w,
        authz_request(0),
        authz_reply(0, "example.test", AuthorizationStatus::Invalid),
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Failed);
    assert_eq!(
        w.failure(),
        Some(Failure {
            message: "The CA could not validate example.test (invalid). The CA did not say why for every \
                      name. A failed authorization cannot be retried: fix the cause, then start a new order."
                .into(),
            problems: vec![],
        })
    );
}

#[test]
fn errors_keep_the_data_and_the_retry() {
    let mut w = at_challenges();
    w.apply(Action::ChallengesPlaced);
    let before = serde_json::to_value(&w).unwrap();
    w.apply(Action::Busy("Submitting".into()));
    assert!(w.is_busy());

    // The answer is refused twice (the first refusal is read back as the flow does); the second is shown.
    let mut issuance = w.order.clone().unwrap();
    let request = answer_request(0, &ChallengeType::Dns01);
    assert_eq!(issuance.next(t(0)), Next::Send(request.clone()));
    let refusal = || Error::Acme {
        request: "challenge".into(),
        status: 403,
        problem: Box::new(Problem {
            type_uri: Some("urn:ietf:params:acme:error:unauthorized".into()),
            detail: Some("not now".into()),
            ..Problem::default()
        }),
    };
    issuance.record(&request, Err(refusal()), t(0)).unwrap();
    assert_eq!(issuance.next(t(0)), Next::Send(authz_request(0)));
    issuance
        .record(
            &authz_request(0),
            Ok(Answered {
                reply: authz_reply(0, "example.test", AuthorizationStatus::Pending),
                retry_after: None,
            }),
            t(0),
        )
        .unwrap();
    assert_eq!(issuance.next(t(0)), Next::Send(request.clone()));
    let error = issuance.record(&request, Err(refusal()), t(0)).unwrap_err();
    w.apply(Action::Advanced(issuance));
    let info = ErrorInfo::from_error("Could not submit the challenges", &error, Some(Task::Drive));
    w.apply(Action::Failed(info.clone()));
    assert!(!w.is_busy());
    assert_eq!(w.error, Some(info));
    assert_eq!(w.error.as_ref().unwrap().retry, Some(Task::Drive));
    assert_eq!(
        w.error
            .as_ref()
            .unwrap()
            .problem
            .as_ref()
            .unwrap()
            .detail
            .as_deref(),
        Some("not now")
    );
    assert_eq!(w.step, Step::Validating);
    assert_eq!(
        w.cert_key,
        serde_json::from_value(before["cert_key"].clone()).unwrap()
    );
    assert_eq!(
        serde_json::to_value(&w).unwrap()["account"],
        before["account"],
        "keys kept"
    );
    // "Try again" (Task::Drive) reads the authorization back before answering again.
    assert_eq!(next(&w, t(0)), Next::Send(authz_request(0)));

    w.apply(Action::Busy("Again".into()));
    assert!(w.error.is_none(), "trying again clears the error");
    w.notice = Some("The saved state was damaged.".into());
    w.apply(Action::DismissNotice);
    assert_eq!(w.notice, None);
    w.apply(Action::Failed(ErrorInfo::new("x", "y", None)));
    w.apply(Action::DismissError);
    assert!(w.error.is_none());
    assert_eq!(w.step, Step::Validating);
}

#[test]
fn an_error_shown_leaves_the_state_as_it_was() {
    let mut w = at_challenges();
    let before = serde_json::to_value(&w).unwrap();
    w.apply(Action::Busy("Checking".into()));
    w.apply(Action::Failed(ErrorInfo::from_error(
        "Could not check the DNS",
        &Error::NotReady("not now".into()),
        Some(Task::CheckDns),
    )));
    assert_eq!(
        w.error,
        Some(ErrorInfo {
            message: "Could not check the DNS: not now".into(),
            hint: Error::NotReady("not now".into()).hint(),
            problem: None,
            retry: Some(Task::CheckDns),
        })
    );
    assert_eq!(
        serde_json::to_value(&w).unwrap(),
        before,
        "keys and order kept"
    );
}

#[test]
fn forget_wipes_the_order_but_keeps_the_account() {
    let mut w = at_challenges();
    w.apply(Action::ForgetOrder);
    assert_eq!(w.step, Step::Names);
    assert!(w.order.is_none() && w.cert_key.is_none() && w.names_input.is_empty());
    assert!(w.account.is_some() && w.directory.is_some());
    let saved = serde_json::to_string(&w).unwrap();
    assert!(!saved.contains("authz"), "{saved}");
    assert!(!saved.contains("ca.test/order/1"), "{saved}");
}

#[test]
fn change_ca_forgets_the_account() {
    let mut w = at_challenges();
    w.apply(Action::ChangeCa);
    assert_eq!(w.step, Step::Ca);
    assert!(w.account.is_none() && w.order.is_none() && w.directory.is_none());
    assert!(w.cert_key.is_none() && w.connected_url.is_none());
    assert_eq!(w.names_input, "example.test, *.example.test");
}

#[test]
fn stale_results_are_ignored() {
    let mut w = at_challenges();
    let mut old = w.order.clone().unwrap();
    w.apply(Action::ForgetOrder);
    // Without an order, a late result of the old one changes nothing.
    old.confirm_placed();
    w.apply(Action::Advanced(old.clone()));
    w.apply(Action::ChainDownloaded {
        order_id: 1,
        chain: chain("u", &[]),
    });
    assert_eq!(w.step, Step::Names);
    assert!(w.order.is_none() && w.chains.is_empty());

    // Nor with a newer order: only the same id replaces it.
    w.apply(Action::SetNames("other.test".into()));
    start_order(&mut w, 2);
    let current = w.order.clone().unwrap();
    w.apply(Action::Advanced(old));
    w.apply(Action::OrderRefused { id: 1 });
    assert_eq!(w.order, Some(current));
    assert_eq!(w.step, Step::Names);
    let request = new_order_request(&w);
    reply(
        &mut w,
        request,
        order_reply(order(OrderStatus::Pending, &["other.test"])),
        None,
        t(0),
    );
    reply(
        &mut w,
        authz_request(0),
        authz_reply(0, "other.test", AuthorizationStatus::Pending),
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Challenges);
    assert_eq!(w.order.as_ref().unwrap().id, 2);
    // An alternate chain of another order, or before this one is done.
    w.apply(Action::ChainDownloaded {
        order_id: 2,
        chain: chain("u", &[]),
    });
    assert!(w.chains.is_empty());
}

#[test]
fn order_refused_goes_back_to_the_names_with_the_key() {
    let mut w = at_names();
    w.apply(Action::SetNames("example.test".into()));
    start_order(&mut w, 5);
    let key = w.cert_key.clone().unwrap();
    assert_eq!(w.step, Step::Names);
    // Another issuance's refusal changes nothing.
    w.apply(Action::OrderRefused { id: 4 });
    assert!(w.order.is_some());
    w.apply(Action::SetNames("locked.test".into()));
    assert_eq!(w.names_input, "example.test");

    w.apply(Action::OrderRefused { id: 5 });
    assert_eq!(w.step, Step::Names);
    assert!(w.order.is_none());
    assert_eq!(w.cert_key.as_ref(), Some(&key), "a retry reuses the key");
    assert!(w.account.is_some());
    // The names can be corrected now.
    w.apply(Action::SetNames("fixed.test".into()));
    assert_eq!(w.names_input, "fixed.test");

    // Once the CA created the order, newOrder was not refused.
    let mut w = at_challenges();
    w.apply(Action::OrderRefused { id: 1 });
    assert_eq!(w.step, Step::Challenges);
    assert!(w.order.is_some());
}

#[test]
fn choose_challenge_after_the_challenges_are_placed_is_ignored() {
    let mut w = at_challenges();
    let record = w.dns_records().remove(0);
    let rows = vec![DohRow {
        resolver: LOCAL_RESOLVER.into(),
        record_name: record.name,
        expected: record.values,
        outcome: DohOutcome::Visible,
        persist_until: None,
    }];
    w.apply(Action::DohChecked(rows.clone()));
    w.apply(Action::ChallengesPlaced);
    assert_eq!(w.step, Step::Validating);
    w.apply(Action::ChooseChallenge {
        index: 0,
        challenge_type: ChallengeType::Http01,
    });
    assert_eq!(
        chosen_types(&w),
        [Some(ChallengeType::Dns01), Some(ChallengeType::Dns01)]
    );
    assert_eq!(w.doh, rows, "the check is kept");
    assert_eq!(
        next(&w, t(0)),
        Next::Send(answer_request(0, &ChallengeType::Dns01))
    );
    // The flow itself refuses too, whatever the page does.
    let mut issuance = w.order.clone().unwrap();
    assert!(!issuance.choose_challenge(0, &ChallengeType::Http01));
    assert_eq!(issuance, w.order.clone().unwrap());
    // A second "placed" changes nothing either.
    let placed = w.clone();
    w.apply(Action::ChallengesPlaced);
    assert_eq!(w, placed);
}

#[test]
fn names_are_locked_once_the_order_exists() {
    let mut w = at_challenges();
    let key = w.cert_key.clone();
    w.apply(Action::SetNames("other.test".into()));
    w.apply(Action::SetKeyChoice(KeyChoice::Csr));
    w.apply(Action::SetCsrInput(
        "-----BEGIN CERTIFICATE REQUEST-----".into(),
    ));
    w.apply(Action::SetProfile(Some("shortlived".into())));
    w.apply(Action::CertKeyReady(
        PrivateKey::generate(KeyType::P256).unwrap(),
    ));
    assert_eq!(w.names_input, "example.test, *.example.test");
    assert_eq!(w.key_choice, KeyChoice::Generate(KeyType::P256));
    assert_eq!(w.csr_input, "");
    assert_eq!(w.profile, None);
    assert_eq!(w.cert_key, key);
    // A second order cannot start over the first.
    let id = w.order.as_ref().unwrap().id;
    let other = Issuance::new(9, NewOrder::default(), vec![], vec![]);
    w.apply(Action::OrderStarted {
        issuance: other,
        csr: None,
    });
    assert_eq!(w.order.as_ref().unwrap().id, id);
    assert_eq!(w.step, Step::Challenges);
}

#[test]
fn an_order_with_a_csr_drops_the_generated_key() {
    let mut w = at_names();
    w.apply(Action::SetNames("a.example".into()));
    w.apply(Action::SetKeyChoice(KeyChoice::Csr));
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let der = crate::pki::csr::build_csr(&key, &[Identifier::dns("a.example")]).unwrap();
    w.apply(Action::SetCsrInput(pem_of(&der)));
    w.apply(Action::CertKeyReady(key));
    let issuance = Issuance::new(
        3,
        NewOrder {
            identifiers: vec![Identifier::dns("a.example")],
            ..NewOrder::default()
        },
        der.clone(),
        vec![],
    );
    w.apply(Action::OrderStarted {
        issuance,
        csr: Some(pem_of(&der)),
    });
    assert_eq!(w.order.as_ref().unwrap().csr, der);
    assert_eq!(w.order_csr, Some(pem_of(&der)));
    assert_eq!(w.cert_key, None);
    // Not at the names step (no account): no order.
    let mut w = Wizard::new(None);
    w.apply(Action::OrderStarted {
        issuance: Issuance::new(1, NewOrder::default(), vec![], vec![]),
        csr: None,
    });
    assert!(w.order.is_none());
    assert_eq!(w.step, Step::Ca);
}

#[test]
fn order_blocker_explains_bad_names_and_csr() {
    let mut w = Wizard::new(None);
    w.apply(Action::NewOrder);
    assert_eq!(w.step, Step::Ca, "no account, no order");
    assert_eq!(
        w.order_blocker().as_deref(),
        Some("Create or import an account first.")
    );
    let mut w = at_names();
    assert_eq!(
        w.order_blocker().as_deref(),
        Some("Enter at least one name.")
    );
    w.apply(Action::SetNames("good.example, bad..example".into()));
    assert_eq!(w.parsed_names().unwrap_err().len(), 1);
    assert_eq!(
        w.order_blocker().as_deref(),
        Some("Correct the names marked above.")
    );
    w.apply(Action::SetNames("a.example, b.example".into()));
    assert_eq!(w.order_blocker(), None);
    w.apply(Action::SetKeyChoice(KeyChoice::Csr));
    assert_eq!(w.order_blocker().as_deref(), Some("Paste your CSR."));
    assert!(!w.csr_needs_reading(), "nothing to read");
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let der = crate::pki::csr::build_csr(&key, &[Identifier::dns("a.example")]).unwrap();
    w.apply(Action::SetCsrInput(pem_of(&der)));
    // Pasted, not read yet: the page asks the jobs module, and the order waits.
    assert_eq!(w.csr_status(), CsrStatus::Reading);
    assert!(w.csr_needs_reading());
    assert_eq!(w.order_blocker().as_deref(), Some("Reading the CSR…"));
    read_csr(&mut w);
    assert!(!w.csr_needs_reading());
    let CsrStatus::Read(Err(mismatch)) = w.csr_status() else {
        panic!("{:?}", w.csr_status())
    };
    assert!(mismatch.contains("b.example"), "{mismatch}");
    assert_eq!(
        w.order_blocker().as_deref(),
        Some("Correct the CSR (see above).")
    );
    w.apply(Action::SetNames("a.example".into()));
    assert_eq!(w.order_blocker(), None);
    let CsrStatus::Read(Ok(csr)) = w.csr_status() else {
        panic!("{:?}", w.csr_status())
    };
    assert_eq!(csr.der, der);
    // A reading that comes back after the person changed the CSR is dropped; the new input is read next.
    let stale = CsrRead {
        input: w.csr_input.clone(),
        result: Err("stale".into()),
    };
    w.apply(Action::SetCsrInput("garbage".into()));
    w.apply(Action::CsrRead(stale));
    assert_eq!(w.csr_status(), CsrStatus::Reading);
    read_csr(&mut w);
    assert!(
        matches!(w.csr_status(), CsrStatus::Read(Err(why)) if why.contains("certificate signing request"))
    );
    // Not saved: a reload reads the CSR again.
    let restored = restore(serde_json::to_value(&w).unwrap()).unwrap();
    assert_eq!(restored.csr_input, "garbage");
    assert!(restored.csr_needs_reading());
}

/// What the page's jobs module does for [`Task::ReadCsr`], natively.
fn read_csr(w: &mut Wizard) {
    let input = w.csr_input.clone();
    let result = crate::pki::csr::parse_csr(input.as_bytes()).map_err(|e| e.to_string());
    w.apply(Action::CsrRead(CsrRead { input, result }));
}

fn pem_of(der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    format!("-----BEGIN CERTIFICATE REQUEST-----\n{b64}\n-----END CERTIFICATE REQUEST-----\n")
}

#[test]
fn serialization_round_trip_restores_step_keys_and_order() {
    let mut w = at_challenges();
    w.apply(Action::ChallengesPlaced);
    reply(
        &mut w,
        answer_request(0, &ChallengeType::Dns01),
        Reply::Challenge(challenge(
            ChallengeType::Dns01,
            0,
            ChallengeStatus::Processing,
        )),
        None,
        t(0),
    );
    reply(
        &mut w,
        answer_request(1, &ChallengeType::Dns01),
        Reply::Challenge(challenge(
            ChallengeType::Dns01,
            1,
            ChallengeStatus::Processing,
        )),
        Some(Duration::from_secs(30)),
        t(0),
    );
    w.apply(Action::Waiting {
        label: "polling".into(),
        until_ms: 1_700_000_030_000,
    });
    let saved = serde_json::to_value(&w).unwrap();
    assert_eq!(saved["version"], 2);
    assert_eq!(saved["step"], "validating");
    assert_eq!(
        saved["order"]["authorizations"][1]["challenge_type"],
        "dns-01"
    );
    let restored = restore(saved.clone()).unwrap();
    assert_eq!(restored.step, Step::Validating);
    assert!(restored.cert_key.is_some());
    assert_eq!(restored.cert_key, w.cert_key);
    assert_eq!(
        restored.account.as_ref().unwrap().key,
        w.account.as_ref().unwrap().key
    );
    assert_eq!(restored.order, w.order);
    assert_eq!(restored.names_input, w.names_input);
    assert!(
        restored.busy.is_none() && restored.busy_until_ms.is_none(),
        "busy is not saved"
    );
    assert_eq!(serde_json::to_value(&restored).unwrap(), saved);
    // The wait survives the reload: the flow waits out the rest.
    assert_eq!(
        next(&restored, t(10)),
        Next::Wait {
            until: t(30),
            why: WaitReason::Validating
        }
    );
    assert_eq!(next(&restored, t(30)), Next::Send(poll_request()));

    // At the challenges step, the records come back the same.
    let w = at_challenges();
    let restored = restore(serde_json::to_value(&w).unwrap()).unwrap();
    assert_eq!(restored.step, Step::Challenges);
    assert_eq!(restored.dns_records(), w.dns_records());
    assert_eq!(restored.dns_records()[0].values.len(), 2);
}

#[test]
fn corrupt_or_old_saved_state_is_refused() {
    assert_eq!(
        restore(serde_json::json!({"step": "names"})).unwrap_err(),
        RestoreError::OtherVersion { found: None }
    );
    assert_eq!(
        restore(serde_json::json!({"version": 0})).unwrap_err(),
        RestoreError::OtherVersion { found: Some(0) }
    );
    // A state of the format before the issuance flow.
    let mut old = serde_json::to_value(at_challenges()).unwrap();
    old["version"] = 1.into();
    let error = restore(old).unwrap_err();
    assert_eq!(error, RestoreError::OtherVersion { found: Some(1) });
    assert_eq!(
        error.to_string(),
        "it was saved by another version of Certsmith (format 1, this one reads 2)"
    );
    assert_eq!(
        RestoreError::OtherVersion { found: None }.to_string(),
        "it was saved by another version of Certsmith (format unknown, this one reads 2)"
    );
    let mut saved = serde_json::to_value(at_challenges()).unwrap();
    saved["cert_key"] = Value::String("not a key".into());
    assert!(matches!(
        restore(saved).unwrap_err(),
        RestoreError::Corrupt(_)
    ));
    let mut saved = serde_json::to_value(at_challenges()).unwrap();
    saved["order"]["authorizations"] = Value::String("x".into());
    assert!(matches!(
        restore(saved).unwrap_err(),
        RestoreError::Corrupt(_)
    ));
    assert_eq!(
        restore(Value::String("garbage".into())).unwrap_err(),
        RestoreError::OtherVersion { found: None }
    );
    assert_eq!(
        restore(serde_json::json!({"version": "2"})).unwrap_err(),
        RestoreError::OtherVersion { found: None }
    );
    // Cut short (a storage quota hit mid-write, an edit by hand): not JSON at all.
    let text = serde_json::to_string(&at_challenges().saved().unwrap()).unwrap();
    assert!(matches!(
        Wizard::restore(&text[..text.len() / 2]).unwrap_err(),
        RestoreError::Corrupt(_)
    ));
    assert!(Wizard::restore(&text).is_ok());
}

#[test]
fn inconsistent_saved_state_falls_back_to_what_it_supports() {
    let mut saved = serde_json::to_value(at_challenges()).unwrap();
    saved["order"] = Value::Null;
    let w = restore(saved).unwrap();
    assert_eq!(w.step, Step::Names);
    assert!(w.cert_key.is_none());

    let mut saved = serde_json::to_value(at_challenges()).unwrap();
    saved["directory"] = Value::Null;
    let w = restore(saved).unwrap();
    assert_eq!(w.step, Step::Ca);
    assert!(w.account.is_none() && w.order.is_none() && w.connected_url.is_none());

    let mut saved = serde_json::to_value(at_challenges()).unwrap();
    saved["account"] = Value::Null;
    let w = restore(saved).unwrap();
    assert_eq!(w.step, Step::Account);
    assert!(w.order.is_none() && w.cert_key.is_none() && w.directory.is_some());

    // A reload that kept an alternate chain but lost the primary puts the primary first again.
    let mut w = at_names();
    w.apply(Action::SetNames("example.test".into()));
    start_order(&mut w, 1);
    let mut done = w.order.clone().unwrap();
    done.chain = Some(chain(CERT_URL, &[ALTERNATE_URL]));
    w.apply(Action::Advanced(done));
    assert_eq!(w.step, Step::Done);
    w.apply(Action::ChainDownloaded {
        order_id: 1,
        chain: chain(ALTERNATE_URL, &[]),
    });
    let mut saved = serde_json::to_value(&w).unwrap();
    saved["chains"] = serde_json::to_value([chain(ALTERNATE_URL, &[])]).unwrap();
    let w = restore(saved).unwrap();
    assert_eq!(
        w.chains,
        [chain(CERT_URL, &[ALTERNATE_URL]), chain(ALTERNATE_URL, &[])]
    );

    // The step follows the order, whatever the saved step says.
    for step in ["done", "ca", "failed"] {
        let mut saved = serde_json::to_value(at_challenges()).unwrap();
        saved["step"] = Value::String(step.into());
        assert_eq!(restore(saved).unwrap().step, Step::Challenges, "{step}");
    }
}

#[test]
fn ip_identifiers_only_offer_http() {
    let ip = authz(0, "192.0.2.1", AuthorizationStatus::Pending);
    assert_eq!(usable_challenge_types(&ip), [ChallengeType::Http01]);
    let wildcard = authz(1, "*.example.test", AuthorizationStatus::Pending);
    assert_eq!(usable_challenge_types(&wildcard), [ChallengeType::Dns01]);
    let mut name = authz(2, "example.test", AuthorizationStatus::Pending);
    name.challenges.push(challenge(
        ChallengeType::Unknown("foo-01".into()),
        2,
        ChallengeStatus::Pending,
    ));
    assert_eq!(
        usable_challenge_types(&name),
        [ChallengeType::Dns01, ChallengeType::Http01]
    );

    // In an order, dns-01 is preferred but the IP address gets http-01.
    let mut w = at_names();
    w.apply(Action::SetNames("192.0.2.1".into()));
    start_order(&mut w, 1);
    let request = new_order_request(&w);
    reply(
        &mut w,
        request,
        order_reply(order(OrderStatus::Pending, &["192.0.2.1"])),
        None,
        t(0),
    );
    reply(
        &mut w,
        authz_request(0),
        authz_reply(0, "192.0.2.1", AuthorizationStatus::Pending),
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Challenges);
    assert_eq!(chosen_types(&w), [Some(ChallengeType::Http01)]);
    let token = token(0, &ChallengeType::Http01);
    assert!(matches!(
        w.placement(0),
        Some(Ok(Placement::Http01 { url, .. })) if url == format!("http://192.0.2.1/.well-known/acme-challenge/{token}")
    ));
    assert!(w.dns_records().is_empty());
    assert!(w.has_pending_http());
    w.apply(Action::ChooseChallenge {
        index: 0,
        challenge_type: ChallengeType::Dns01,
    });
    assert_eq!(chosen_types(&w), [Some(ChallengeType::Http01)]);
}

#[test]
fn an_authorization_without_a_usable_challenge_fails_the_order() {
    let mut w = at_names();
    w.apply(Action::SetNames("example.test".into()));
    start_order(&mut w, 1);
    let request = new_order_request(&w);
    reply(
        &mut w,
        request,
        order_reply(order(OrderStatus::Pending, &["example.test"])),
        None,
        t(0),
    );
    let mut only_alpn = authz(0, "example.test", AuthorizationStatus::Pending);
    only_alpn
        .challenges
        .retain(|c| c.challenge_type == ChallengeType::TlsAlpn01);
    reply(
        &mut w,
        authz_request(0),
        Reply::Authorization {
            url: authz_url(0),
            authorization: only_alpn,
        },
        None,
        t(0),
    );
    assert_eq!(w.step, Step::Failed);
    assert_eq!(chosen_types(&w), [None]);
    assert_eq!(
        w.failure(),
        Some(Failure {
            message: "The CA offers no challenge this page can complete for example.test (only DNS-01 and \
                      HTTP-01 can be placed by hand). Remove these names and start a new order."
                .into(),
            problems: vec![],
        })
    );
}

#[test]
fn log_keeps_the_last_entries() {
    let mut log = ProtocolLog::default();
    for n in 0..(LOG_LIMIT + 5) {
        log.push(Exchange {
            kind: "newNonce".into(),
            method: "HEAD".into(),
            url: format!("https://ca.test/{n}"),
            status: Some(200),
            protected: None,
            payload: None,
            response_headers: vec![],
            response_body: String::new(),
            transport_error: None,
        });
    }
    assert_eq!(log.entries.len(), LOG_LIMIT);
    assert_eq!(log.entries[0].url, "https://ca.test/5");
    assert_eq!(
        log.entries[LOG_LIMIT - 1].url,
        format!("https://ca.test/{}", LOG_LIMIT + 4)
    );
}

#[test]
fn key_and_ca_choices_round_trip_their_names() {
    for choice in KeyChoice::all() {
        assert_eq!(KeyChoice::from_name(choice.as_str()), Some(choice));
    }
    assert_eq!(KeyChoice::from_name("dsa"), None);
    assert_eq!(
        KeyChoice::all()
            .iter()
            .map(|c| c.label())
            .collect::<Vec<_>>(),
        [
            "ECDSA P-256",
            "ECDSA P-384",
            "RSA 2048",
            "RSA 3072",
            "RSA 4096",
            "I have a CSR"
        ]
    );
    for kind in [
        CaKind::LetsEncrypt,
        CaKind::LetsEncryptStaging,
        CaKind::Local,
        CaKind::Other,
    ] {
        assert_eq!(CaKind::from_name(kind.as_str()), Some(kind));
    }
    assert_eq!(CaKind::from_name("local"), Some(CaKind::Local));
    assert_eq!(
        short_name("CN=Pebble Root CA 1a2b3c, O=Pebble"),
        "Pebble Root CA 1a2b3c"
    );
    assert_eq!(short_name("O=No Common Name"), "O=No Common Name");
}

#[test]
fn the_eab_hmac_key_is_never_saved() {
    let mut w = Wizard::new(None);
    w.apply(Action::SetEabKid("kid-1".into()));
    w.apply(Action::SetEabHmac("c2VjcmV0LWhtYWMta2V5".into()));
    let saved = serde_json::to_value(&w).unwrap();
    assert!(
        !saved.to_string().contains("c2VjcmV0LWhtYWMta2V5"),
        "{saved}"
    );
    assert_eq!(saved["eab_kid"], "kid-1");
    let restored = restore(saved).unwrap();
    assert_eq!(restored.eab_hmac, "");
}

#[test]
fn deleting_everything_starts_afresh_and_says_so() {
    let mut w = at_names();
    w.apply(Action::SetNames("example.test".into()));
    w.apply(Action::DeletedEverything {
        local_ca: Some("https://127.0.0.1:14000/dir".into()),
    });
    assert_eq!(w.step, Step::Ca);
    assert!(w.account.is_none() && w.order.is_none() && w.cert_key.is_none());
    assert_eq!(w.names_input, "");
    assert_eq!(w.ca_kind, CaKind::Local);
    assert!(w.notice.as_deref().unwrap_or_default().contains("deleted"));
}

/// A directory without termsOfService has nothing to agree to: "Create account" does not wait for a box.
#[test]
fn a_ca_without_terms_of_service_asks_no_agreement() {
    let mut w = Wizard::new(None);
    let mut bare = directory();
    bare.meta.terms_of_service = None;
    w.apply(Action::Connected {
        url: LETS_ENCRYPT.into(),
        directory: bare,
    });
    assert_eq!(w.terms_to_agree(), None);
    assert!(!Wizard::must_agree(w.terms_to_agree(), false));
    let mut with_terms = Wizard::new(None);
    with_terms.apply(Action::Connected {
        url: LETS_ENCRYPT.into(),
        directory: directory(),
    });
    assert_eq!(with_terms.terms_to_agree(), Some("https://ca.test/terms"));
    assert!(Wizard::must_agree(with_terms.terms_to_agree(), false));
    assert!(!Wizard::must_agree(with_terms.terms_to_agree(), true));
}

#[test]
fn a_locked_account_key_is_saved_only_sealed_and_the_order_waits_for_the_passphrase() {
    use crate::pki::sealed::SealedKey;
    let mut w = at_challenges();
    let account = w.account.clone().unwrap();
    let clear = crate::b64::encode(account.key.to_pkcs8_der());
    let sealed = SealedKey::seal(&account.key, "a long passphrase").unwrap();
    let lock = AccountLock {
        url: account.url.clone(),
        key: sealed,
    };
    // A lock for another account is not taken.
    w.apply(Action::AccountLocked(AccountLock {
        url: "https://ca.test/acct/other".into(),
        key: lock.key.clone(),
    }));
    assert!(w.account_lock.is_none());
    w.apply(Action::AccountLocked(lock.clone()));
    assert!(!w.is_locked(), "locking keeps this visit's key open");

    let saved = w.saved().unwrap();
    assert!(saved["account"].is_null());
    assert!(
        !saved.to_string().contains(&clear),
        "no clear account key saved"
    );
    assert!(
        serde_json::to_value(&w)
            .unwrap()
            .to_string()
            .contains(&clear),
        "the check above can fail: a full serialization does hold the clear key"
    );

    // After a reload: locked, at the same step, the order kept; nothing can be ordered or signed.
    let mut restored = restore(saved).unwrap();
    assert!(restored.is_locked());
    assert_eq!(restored.step, Step::Challenges);
    assert_eq!(restored.order, w.order);
    assert!(restored.placement(0).is_none());
    restored.apply(Action::NewOrder);
    assert_eq!(
        restored.order_blocker().as_deref(),
        Some("Unlock the account key first (at the top of the page).")
    );

    // Only the sealed account's credentials unlock it.
    restored.apply(Action::AccountUnlocked(AccountCredentials {
        url: "https://ca.test/acct/other".into(),
        key: account.key.clone(),
    }));
    assert!(restored.is_locked());
    let opened = lock.key.open("a long passphrase").unwrap();
    restored.apply(Action::AccountUnlocked(AccountCredentials {
        url: account.url.clone(),
        key: opened,
    }));
    assert!(!restored.is_locked());
    assert_eq!(restored.account.as_ref().unwrap().key, account.key);
    assert!(restored.placement(0).is_some());
    // Still saved sealed after unlocking.
    assert!(restored.saved().unwrap()["account"].is_null());

    // Removing the lock saves the key in the clear again; changing the CA forgets both.
    restored.apply(Action::AccountLockRemoved);
    assert!(restored.account_lock.is_none());
    assert!(restored.saved().unwrap().to_string().contains(&clear));
    restored.apply(Action::AccountLocked(lock));
    restored.apply(Action::ChangeCa);
    assert!(restored.account.is_none() && restored.account_lock.is_none());
}

#[test]
fn a_key_change_replaces_the_key_and_drops_a_lock_and_deactivation_forgets_the_account() {
    use crate::pki::sealed::SealedKey;
    let mut w = at_challenges();
    let account = w.account.clone().unwrap();
    w.apply(Action::AccountLocked(AccountLock {
        url: account.url.clone(),
        key: SealedKey::seal(&account.key, "a long passphrase").unwrap(),
    }));
    let new_key = PrivateKey::generate(KeyType::P256).unwrap();
    // Another account's change is not taken.
    w.apply(Action::AccountKeyChanged(AccountCredentials {
        url: "https://ca.test/acct/other".into(),
        key: new_key.clone(),
    }));
    assert_eq!(w.account.as_ref().unwrap().key, account.key);
    w.apply(Action::AccountKeyChanged(AccountCredentials {
        url: account.url.clone(),
        key: new_key.clone(),
    }));
    assert_eq!(w.account.as_ref().unwrap().key, new_key);
    assert!(w.account_lock.is_none(), "the old key's lock is gone");
    assert_eq!(w.step, Step::Challenges, "the order goes on");

    w.apply(Action::AccountDeactivated);
    assert!(w.account.is_none() && w.order.is_none());
    assert_eq!(w.step, Step::Account);
    assert!(w
        .notice
        .as_deref()
        .unwrap()
        .starts_with("The account is deactivated"));
    assert!(w.directory.is_some(), "the CA stays connected");
}

#[test]
fn a_renewal_takes_the_names_and_key_kind_and_never_replaces_an_order_under_way() {
    let renewing = Renewing {
        old_id: "AA:BB".into(),
        names: vec!["example.test".into(), "*.example.test".into()],
        cert_id: Some("aki.serial".into()),
    };
    let renew = |w: &mut Wizard| {
        w.apply(Action::Renew {
            renewing: renewing.clone(),
            key_choice: Some(KeyChoice::Generate(KeyType::Rsa2048)),
            profile: Some("shortlived".into()),
        })
    };
    // An order waiting for records is not thrown away by a click in the list.
    let mut busy = at_challenges();
    renew(&mut busy);
    assert!(busy.renewing.is_none() && busy.order.is_some());
    assert_eq!(busy.step, Step::Challenges);

    let mut w = at_names();
    renew(&mut w);
    assert_eq!(w.renewing.as_ref(), Some(&renewing));
    assert_eq!(w.names_input, "example.test\n*.example.test");
    assert_eq!(w.key_choice, KeyChoice::Generate(KeyType::Rsa2048));
    assert_eq!(w.profile.as_deref(), Some("shortlived"));
    assert_eq!(w.step, Step::Names);
    // It survives a reload before the order starts, and the order keeps it.
    let mut w = restore(w.saved().unwrap()).unwrap();
    assert_eq!(w.renewing.as_ref(), Some(&renewing));
    start_order(&mut w, 7);
    assert_eq!(w.renewing.as_ref(), Some(&renewing));
    // Forgetting the order forgets the renewal.
    w.apply(Action::ForgetOrder);
    assert!(w.renewing.is_none());
}

// ----- dns-persist-01 (draft-ietf-acme-dns-persist-01) -----

/// Authorization `n` for `name` as [`authz`] makes it, also offering dns-persist-01 (no token, the
/// CA's issuer domain names instead, §3.1).
fn authz_with_persist(n: usize, name: &str) -> Authorization {
    let mut authorization = authz(n, name, AuthorizationStatus::Pending);
    authorization.challenges.push(Challenge {
        token: None,
        issuer_domain_names: vec!["ca.test".into(), "ca.example.net".into()],
        ..challenge(ChallengeType::DnsPersist01, n, ChallengeStatus::Pending)
    });
    authorization
}

/// [`at_challenges`] with authorizations that offer dns-persist-01 too.
fn at_challenges_with_persist() -> Wizard {
    let mut w = at_names();
    w.apply(Action::SetNames("example.test, *.example.test".into()));
    start_order(&mut w, 1);
    let names = ["example.test", "*.example.test"];
    let request = new_order_request(&w);
    reply(
        &mut w,
        request,
        order_reply(order(OrderStatus::Pending, &names)),
        None,
        t(0),
    );
    for (n, name) in names.iter().enumerate() {
        let authorization = authz_with_persist(n, name);
        let reply_ = Reply::Authorization {
            url: authz_url(n),
            authorization,
        };
        reply(&mut w, authz_request(n), reply_, None, t(0));
    }
    assert_eq!(w.step, Step::Challenges);
    w
}

fn choose(w: &mut Wizard, index: usize, challenge_type: ChallengeType) {
    w.apply(Action::ChooseChallenge {
        index,
        challenge_type,
    });
}

fn choose_persist(w: &mut Wizard, index: usize, wildcard: bool, persist_until: Option<i64>) {
    w.apply(Action::ChoosePersist {
        index,
        choice: crate::acme::persist::PersistChoice {
            wildcard,
            persist_until,
        },
    });
}

/// The dns-persist-01 record the wizard shows for authorization `index`.
fn persist_value(w: &Wizard, index: usize) -> (String, String) {
    match w.placement(index) {
        Some(Ok(Placement::DnsPersist01 {
            record_name,
            record,
            issuer_domain_names,
        })) => {
            assert_eq!(issuer_domain_names, ["ca.test", "ca.example.net"]);
            (record_name, record.value())
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn choosing_dns_persist_01_shows_the_persist_record_and_the_wildcard_choice() {
    let mut w = at_challenges_with_persist();
    // dns-01 stays the default; dns-persist-01 is offered beside it, for the wildcard too.
    assert_eq!(
        chosen_types(&w),
        [Some(ChallengeType::Dns01), Some(ChallengeType::Dns01)]
    );
    let order = w.order.as_ref().unwrap();
    let wildcard_authz = order.authorizations[1].authorization.as_ref().unwrap();
    assert_eq!(
        usable_challenge_types(wildcard_authz),
        [ChallengeType::Dns01, ChallengeType::DnsPersist01]
    );

    choose(&mut w, 0, ChallengeType::DnsPersist01);
    let account = "https://ca.test/acct/1";
    assert_eq!(
        persist_value(&w, 0),
        (
            "_validation-persist.example.test".into(),
            format!("ca.test; accounturi={account}")
        )
    );
    // The DNS check covers it beside the wildcard's dns-01 record.
    let records = w.dns_records();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].name, "_validation-persist.example.test");
    assert_eq!(
        records[0].persist_issuers.as_deref(),
        Some(&["ca.test".to_string(), "ca.example.net".to_string()][..])
    );
    assert_eq!(
        records[0].zone_lines(),
        [format!(
            "_validation-persist.example.test. 3600 IN TXT \"ca.test; accounturi={account}\""
        )]
    );
    assert_eq!(records[1].name, "_acme-challenge.example.test");

    // The checkbox adds policy=wildcard, and takes it away again.
    choose_persist(&mut w, 0, true, None);
    assert_eq!(
        persist_value(&w, 0).1,
        format!("ca.test; accounturi={account}; policy=wildcard")
    );
    choose_persist(&mut w, 0, false, None);
    assert_eq!(
        persist_value(&w, 0).1,
        format!("ca.test; accounturi={account}")
    );

    // The wildcard with dns-persist-01 forces it, on its own record and on the apex's, which is the
    // same record: one value at one name, proving both.
    choose(&mut w, 1, ChallengeType::DnsPersist01);
    let wildcard_value = format!("ca.test; accounturi={account}; policy=wildcard");
    assert_eq!(persist_value(&w, 1).1, wildcard_value);
    assert_eq!(persist_value(&w, 0).1, wildcard_value);
    assert!(w.order.as_ref().unwrap().persist_wildcard_required(0));
    let records = w.dns_records();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].values, [wildcard_value]);
    assert_eq!(records[0].proves, ["example.test", "*.example.test"]);
    // Back to dns-01 for the wildcard: the apex's record is the person's choice again.
    choose(&mut w, 1, ChallengeType::Dns01);
    assert!(!w.order.as_ref().unwrap().persist_wildcard_required(0));
    assert_eq!(
        persist_value(&w, 0).1,
        format!("ca.test; accounturi={account}")
    );
}

#[test]
fn persist_until_is_chosen_warned_about_and_kept_over_a_reload() {
    let mut w = at_challenges_with_persist();
    choose(&mut w, 0, ChallengeType::DnsPersist01);
    let now = t(0);
    let unix = |time: SystemTime| time.duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    assert_eq!(
        w.persist_until_near(0, now),
        None,
        "no end, nothing to warn"
    );
    let soon = unix(now) + 10 * 86_400;
    choose_persist(&mut w, 0, false, Some(soon));
    assert!(persist_value(&w, 0)
        .1
        .ends_with(&format!("; persistUntil={soon}")));
    assert_eq!(w.persist_until_near(0, now), Some(soon));
    let later = unix(now) + 60 * 86_400;
    choose_persist(&mut w, 0, false, Some(later));
    assert_eq!(w.persist_until_near(0, now), None);
    assert_eq!(
        w.persist_until_near(0, now + Duration::from_secs(31 * 86_400)),
        Some(later)
    );

    let restored = restore(w.saved().unwrap()).unwrap();
    assert_eq!(restored.placement(0), w.placement(0));
    assert_eq!(
        restored.order.as_ref().unwrap().authorizations[0]
            .persist
            .persist_until,
        Some(later)
    );
    // Once the challenges are submitted the record is what it was.
    w.apply(Action::ChallengesPlaced);
    let placed = w.placement(0);
    choose_persist(&mut w, 0, true, None);
    assert_eq!(w.placement(0), placed);
}

/// The DNS check counts a persist record when it grants what the CA looks for (draft §4.2), however
/// it is spelled; another account's record does not count, and says why. A renewal that finds the
/// record needs nothing placed, and is warned when the record seen ends within 30 days.
#[test]
fn the_dns_check_counts_a_persist_record_however_it_is_spelled() {
    let mut w = at_challenges_with_persist();
    choose(&mut w, 0, ChallengeType::DnsPersist01);
    choose_persist(&mut w, 0, true, None);
    let records = w.dns_records();
    let persist = records[0].clone();
    let now = t(0);
    let respelled = "  CA.Example.NET. ;AccountURI = https://ca.test/acct/1 ;\tPOLICY=WILDCARD ";
    let row = persist.check(LOCAL_RESOLVER, Ok(vec![respelled.into()]), now);
    assert_eq!(row.outcome, DohOutcome::Visible);
    assert_eq!(row.expected, persist.values);
    assert_eq!(row.persist_until, None);
    let other_account = "ca.test; accounturi=https://ca.test/acct/2; policy=wildcard";
    let refused = persist.check(LOCAL_RESOLVER, Ok(vec![other_account.into()]), now);
    assert_eq!(
        refused.outcome,
        DohOutcome::NotVisible {
            found: vec![other_account.into()]
        }
    );
    let no_policy = "ca.test; accounturi=https://ca.test/acct/1";
    assert!(matches!(
        persist
            .check(LOCAL_RESOLVER, Ok(vec![no_policy.into()]), now)
            .outcome,
        DohOutcome::NotVisible { .. }
    ));
    assert!(matches!(
        persist
            .check(LOCAL_RESOLVER, Err("timeout".into()), now)
            .outcome,
        DohOutcome::Error { .. }
    ));
    // A dns-01 record is still compared exactly.
    let dns01 = records[1].clone();
    assert!(matches!(
        dns01
            .check(
                LOCAL_RESOLVER,
                Ok(vec![dns01.values[0].to_uppercase()]),
                now
            )
            .outcome,
        DohOutcome::NotVisible { .. }
    ));
    let dns01_row = dns01.check(LOCAL_RESOLVER, Ok(dns01.values.clone()), now);
    assert_eq!(dns01_row.outcome, DohOutcome::Visible);

    w.apply(Action::DohChecked(vec![refused, dns01_row.clone()]));
    assert_eq!(w.doh.len(), 2);
    assert!(w.persist_seen(0).is_empty());
    assert_eq!(
        w.persist_refusals(0, now),
        [(
            LOCAL_RESOLVER.to_string(),
            "the record names another account: https://ca.test/acct/2".to_string()
        )]
    );
    assert!(!w.dns_seen_everywhere_needed());

    // The record from an earlier certificate, with a persistUntil 20 days away: seen, nothing to
    // place, and a warning.
    let until = t(20 * 86_400).duration_since(UNIX_EPOCH).unwrap().as_secs() as i64;
    let old = format!(
        "ca.test; accounturi=https://ca.test/acct/1; policy=wildcard; persistUntil={until}"
    );
    let seen = persist.check(LOCAL_RESOLVER, Ok(vec![old]), now);
    assert_eq!(
        (&seen.outcome, seen.persist_until),
        (&DohOutcome::Visible, Some(until))
    );
    w.apply(Action::DohChecked(vec![seen, dns01_row]));
    assert_eq!(w.persist_seen(0).len(), 1);
    assert!(w.persist_refusals(0, now).is_empty());
    assert!(w.dns_seen_everywhere_needed());
    assert_eq!(w.submit_warnings(), Vec::<String>::new());
    assert_eq!(w.persist_until_near(0, now), Some(until));

    // Changing the record drops its check and keeps the dns-01 one.
    choose_persist(&mut w, 0, false, None);
    assert_eq!(w.doh.len(), 1);
    assert_eq!(w.doh[0].record_name, "_acme-challenge.example.test");
    assert!(w.persist_seen(0).is_empty());
}

/// The key of a newAccount without an answer is saved, comes back after a reload, and goes once the
/// account is there (or the CA is changed): the next "Create account" sends the same key.
#[test]
fn the_key_of_an_unanswered_new_account_is_kept_until_the_account_is_there() {
    let mut w = Wizard::new(Some("https://127.0.0.1:14000/dir"));
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    w.apply(Action::NewAccountSent(key.clone()));
    assert!(
        w.pending_account_key.is_none(),
        "no CA connected: nothing is sent"
    );
    w.apply(Action::Connected {
        url: "https://127.0.0.1:14000/dir".into(),
        directory: directory(),
    });
    w.apply(Action::NewAccountSent(key.clone()));
    let text = serde_json::to_string(&w.saved().unwrap()).unwrap();
    let mut reloaded = Wizard::restore(&text).unwrap();
    assert_eq!(reloaded.pending_account_key.as_ref(), Some(&key));
    let mut changed = reloaded.clone();
    changed.apply(Action::ChangeCa);
    assert!(changed.pending_account_key.is_none());
    reloaded.apply(Action::AccountReady(account()));
    assert!(reloaded.pending_account_key.is_none());
    reloaded.apply(Action::NewAccountSent(key));
    assert!(
        reloaded.pending_account_key.is_none(),
        "an account is open: nothing to keep"
    );
}
