//! The certificate chain a CA sends (`application/pem-certificate-chain`): `parse_pem_chain` and
//! `CertificateInfo::from_der`. Invariants: the input as DER wrapped in PEM parses exactly as `from_der`
//! does; an accepted chain written back out with `to_pem` parses to the same chain; each certificate's
//! fields agree with each other (fingerprint, serial, validity).
#![no_main]

use certsmith::pki::cert::{ari_cert_id, parse_pem_chain, CertError, CertificateInfo};
use certsmith_fuzz::pem;
use libfuzzer_sys::fuzz_target;

fn check(cert: &CertificateInfo) {
    assert_eq!(&CertificateInfo::from_der(&cert.der).unwrap(), cert);
    assert_eq!(cert.sha256_fingerprint.len(), 32 * 3 - 1);
    assert!(cert
        .serial_hex
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    assert_eq!(
        cert.is_valid_at(cert.not_before),
        cert.not_before <= cert.not_after
    );
    assert!(!cert.is_valid_at(cert.not_after.saturating_add(1)) || cert.not_after == i64::MAX);
    let _ = ari_cert_id(cert);
}

fuzz_target!(|data: &[u8]| {
    // The input as one DER certificate, read directly and through PEM.
    let direct = CertificateInfo::from_der(data);
    let wrapped = parse_pem_chain(&pem("CERTIFICATE", data));
    match (&direct, &wrapped) {
        (Ok(cert), Ok(chain)) => {
            assert_eq!(chain.as_slice(), std::slice::from_ref(cert));
            check(cert);
        }
        (
            Err(CertError::Malformed { detail: a, .. }),
            Err(CertError::Malformed {
                detail: b,
                position: 1,
            }),
        ) => {
            assert_eq!(a, b)
        }
        _ => panic!("DER and PEM disagree: {direct:?} vs {wrapped:?}"),
    }
    // The input as a PEM chain.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(chain) = parse_pem_chain(text) else {
        return;
    };
    assert!(!chain.is_empty());
    let written: String = chain.iter().map(CertificateInfo::to_pem).collect();
    assert_eq!(parse_pem_chain(&written).unwrap(), chain);
    chain.iter().for_each(check);
});
