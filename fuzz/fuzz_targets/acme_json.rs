//! The JSON objects a CA sends, chosen by the first byte: `p` problem (RFC 7807 / RFC 8555 §6.7), `d`
//! directory, `o` order, `a` authorization, `c` challenge, `A` account, `r` renewalInfo (RFC 9773); the
//! rest is the body. Invariants: what is read serializes and reads back equal; hints and messages can be
//! built; resolving URLs against the request URL is idempotent and keeps absolute URLs as they are; a
//! renewal window that reads is ordered and the renewal time lies in it (or is now).
#![no_main]

use std::fmt::Debug;
use std::time::{Duration, SystemTime};

use certsmith::acme::account::Account;
use certsmith::acme::ari::RenewalInfo;
use certsmith::acme::authorization::{Authorization, Challenge};
use certsmith::acme::directory::Directory;
use certsmith::acme::flow::usable_challenge_types;
use certsmith::acme::order::Order;
use certsmith::acme::problem::Problem;
use libfuzzer_sys::fuzz_target;
use serde::de::DeserializeOwned;
use serde::Serialize;

const BASE: &str = "https://ca.test/acme/obj/1?x=1";

/// Reads `body` as a `T`; what reads must serialize and read back equal.
fn read<T: Serialize + DeserializeOwned + PartialEq + Debug>(body: &[u8]) -> Option<T> {
    let value: T = serde_json::from_slice(body).ok()?;
    let again: T = serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
    assert_eq!(again, value);
    Some(value)
}

fn check_problem(problem: &Problem) {
    let _ = (problem.kind(), problem.is_bad_nonce());
    assert!(!problem.hint().is_empty());
    assert!(!problem.to_string().is_empty());
}

fn absolute(url: &str) -> bool {
    let url = url.trim();
    url.starts_with("https://") || url.starts_with("http://")
}

fn resolved(before: &str, after: &str) {
    if absolute(before) {
        assert_eq!(after, before.trim());
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&kind, body)) = data.split_first() else {
        return;
    };
    match kind {
        b'p' => {
            if let Some(problem) = read::<Problem>(body) {
                check_problem(&problem);
            }
        }
        b'd' => {
            let _ = read::<Directory>(body);
        }
        b'o' => {
            let Some(order) = read::<Order>(body) else {
                return;
            };
            let _ = (
                order.status.as_str(),
                order.error.as_ref().map(check_problem),
            );
            let mut once = order.clone();
            once.resolve_urls(BASE);
            for (before, after) in order.authorizations.iter().zip(&once.authorizations) {
                resolved(before, after);
            }
            let mut twice = once.clone();
            twice.resolve_urls(BASE);
            assert_eq!(twice, once);
        }
        b'a' => {
            let Some(authz) = read::<Authorization>(body) else {
                return;
            };
            let _ = (authz.display_name(), authz.failure().map(check_problem));
            for challenge_type in usable_challenge_types(&authz) {
                assert!(authz.challenge(&challenge_type).is_some());
            }
            let mut once = authz.clone();
            once.resolve_urls(BASE);
            for (before, after) in authz.challenges.iter().zip(&once.challenges) {
                resolved(&before.url, &after.url);
            }
            let mut twice = once.clone();
            twice.resolve_urls(BASE);
            assert_eq!(twice, once);
        }
        b'c' => {
            if let Some(challenge) = read::<Challenge>(body) {
                let _ = challenge.error.as_ref().map(check_problem);
            }
        }
        b'A' => {
            let _ = read::<Account>(body);
        }
        b'r' => {
            let Some(info) = read::<RenewalInfo>(body) else {
                return;
            };
            let Ok((start, end)) = info.window() else {
                return;
            };
            assert!(start < end);
            for (now, fraction) in [
                (SystemTime::UNIX_EPOCH, 0.5),
                (start, 0.0),
                (end, 1.0),
                (SystemTime::UNIX_EPOCH + Duration::from_secs(1 << 40), 0.25),
            ] {
                let at = info.renewal_time(now, fraction).unwrap();
                assert!(
                    at == now || (start <= at && at <= end),
                    "{at:?} outside {start:?}..{end:?}"
                );
                assert!(at >= now);
            }
        }
        _ => {}
    }
});
