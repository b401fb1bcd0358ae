//! Private keys as a person drops them (PEM, DER, base64 DER, JWK): `PrivateKey::parse` and the
//! format-specific readers. Invariant: every key read re-exports to PKCS#8 DER/PEM, SEC1 and JWK, each of
//! which reads back as the same key; its thumbprint is the RFC 7638 thumbprint of its public JWK; and a
//! CSR it signs verifies with the same public key. A sealed key (encrypted PKCS#8) that reads re-exports as
//! PEM and serde that read back the same (it is not opened: that runs hundreds of thousands of PBKDF2
//! rounds). The page's reader of stored PKCS#8 (DER only, trusting the public key it carries) takes anything
//! without panicking, and reads every key the checked readers accept as the same key.
#![no_main]

use certsmith::acme::identifier::Identifier;
use certsmith::pki::csr::{build_csr, parse_csr};
use certsmith::pki::key::{jwk_thumbprint, PrivateKey};
use certsmith::pki::sealed::SealedKey;
use libfuzzer_sys::fuzz_target;

fn check(key: &PrivateKey) {
    let der = key.to_pkcs8_der();
    assert_eq!(&PrivateKey::from_der(&der).unwrap(), key, "PKCS#8 DER");
    assert_eq!(&PrivateKey::parse(&der).unwrap(), key, "parse DER");
    assert_eq!(
        &PrivateKey::from_pem(&key.to_pkcs8_pem()).unwrap(),
        key,
        "PKCS#8 PEM"
    );
    assert_eq!(
        &PrivateKey::from_jwk(&key.to_private_jwk().unwrap()).unwrap(),
        key,
        "JWK"
    );
    if let Some(sec1) = key.to_sec1_pem().unwrap() {
        assert_eq!(&PrivateKey::parse(sec1.as_bytes()).unwrap(), key, "SEC1");
    }
    assert_eq!(
        &PrivateKey::from_stored_pkcs8(&der).unwrap(),
        key,
        "stored PKCS#8"
    );
    let stored = serde_json::to_string(key).unwrap();
    assert_eq!(
        &serde_json::from_str::<PrivateKey>(&stored).unwrap(),
        key,
        "serde"
    );
    assert_eq!(jwk_thumbprint(&key.public_jwk()).unwrap(), key.thumbprint());
    assert!(key.bits() >= 256 && !key.describe().is_empty());
    let csr = build_csr(key, &[Identifier::dns("fuzz.example")]).unwrap();
    let parsed = parse_csr(&csr).unwrap();
    assert_eq!(parsed.public_key_spki, key.public_key_spki_der());
    assert_eq!(parsed.identifiers, [Identifier::dns("fuzz.example")]);
}

fn check_sealed(sealed: &SealedKey) {
    assert_eq!(
        &SealedKey::parse(sealed.to_pem().as_bytes()).unwrap(),
        sealed,
        "sealed PEM"
    );
    let stored = serde_json::to_string(sealed).unwrap();
    assert_eq!(
        &serde_json::from_str::<SealedKey>(&stored).unwrap(),
        sealed,
        "sealed serde"
    );
}

fuzz_target!(|data: &[u8]| {
    if let Ok(sealed) = SealedKey::parse(data) {
        check_sealed(&sealed);
    }
    if let Ok(key) = PrivateKey::parse(data) {
        check(&key);
    }
    if let Ok(key) = PrivateKey::from_der(data) {
        check(&key);
    }
    if let Ok(key) = PrivateKey::from_stored_pkcs8(data) {
        assert!(key.bits() >= 256 && !key.thumbprint().is_empty());
    }
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(key) = PrivateKey::from_pem(text) {
            check(&key);
        }
        if let Ok(key) = PrivateKey::from_jwk(text) {
            check(&key);
        }
    }
});
