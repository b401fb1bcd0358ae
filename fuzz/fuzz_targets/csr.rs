//! A CSR a person brings (PEM or DER): `parse_csr`. Invariant: an accepted CSR's DER, and that DER as
//! PEM under either label, parse to the same result; it matches its own names in any order and case.
#![no_main]

use certsmith::acme::identifier::Identifier;
use certsmith::pki::csr::parse_csr;
use certsmith_fuzz::pem;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(csr) = parse_csr(data) else { return };
    assert_eq!(parse_csr(&csr.der).unwrap(), csr, "DER");
    for label in ["CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST"] {
        let text = format!("some text\n{}", pem(label, &csr.der));
        assert_eq!(parse_csr(text.as_bytes()).unwrap(), csr, "{label}");
    }
    assert!(!csr.key_description.is_empty() && !csr.public_key_spki.is_empty());
    let shuffled: Vec<Identifier> = csr
        .identifiers
        .iter()
        .rev()
        .map(|id| Identifier {
            kind: id.kind,
            value: id.value.to_ascii_uppercase(),
        })
        .collect();
    csr.check_matches(&shuffled).unwrap();
    if let Some(first) = csr.identifiers.first() {
        let more = [
            csr.identifiers.clone(),
            vec![Identifier::dns(format!("x{}", first.value))],
        ]
        .concat();
        assert!(csr.check_matches(&more).is_err());
    }
});
