//! Names a person types (`parse_identifiers`, `Identifier::parse`). Invariants: accepted names are
//! normalized for good: each parses back to itself, and the list written one per line parses to the same
//! list, without duplicates; a DNS name is lower-case LDH (a leading `*.` at most) and its dns-01 record
//! name can be asked for over DNS; every name has a challenge type; a refused name is refused again for
//! the same reason.
#![no_main]

use std::collections::BTreeSet;

use certsmith::acme::identifier::{
    allowed_challenge_types, parse_identifiers, Identifier, IdentifierKind,
};
use certsmith::dns::wire::txt_query;
use libfuzzer_sys::fuzz_target;

fn check(id: &Identifier) {
    assert_eq!(Identifier::parse(&id.value).as_ref(), Ok(id), "{id:?}");
    assert!(!allowed_challenge_types(id).is_empty());
    match id.kind {
        IdentifierKind::Dns => {
            let base = id.value.strip_prefix("*.").unwrap_or(&id.value);
            assert_eq!(base, id.authorization_name());
            assert!(base.len() <= 253 && base.contains('.'), "{id:?}");
            assert!(
                base.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.'),
                "{id:?}"
            );
            let record = format!("_acme-challenge.{base}");
            if record.len() <= 253 {
                txt_query(&record).unwrap_or_else(|e| panic!("{id:?}: {e}"));
            }
        }
        IdentifierKind::Ip => assert!(id.value.parse::<std::net::IpAddr>().is_ok()),
        _ => panic!("{id:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_identifiers(text) {
        Ok(ids) => {
            let unique: BTreeSet<_> = ids.iter().collect();
            assert_eq!(unique.len(), ids.len());
            ids.iter().for_each(check);
            let lines: Vec<&str> = ids.iter().map(|id| id.value.as_str()).collect();
            assert_eq!(parse_identifiers(&lines.join("\n")), Ok(ids.clone()));
        }
        Err(invalid) => {
            assert!(!invalid.is_empty());
            for e in &invalid {
                let again = Identifier::parse(&e.input).expect_err(&e.input);
                assert_eq!(again.reason, e.reason, "{:?}", e.input);
                assert!(!e.to_string().is_empty());
            }
        }
    }
    if let Ok(id) = Identifier::parse(text) {
        check(&id);
    }
});
