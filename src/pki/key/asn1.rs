//! Reading DER private keys in the three ASN.1 structures tools write: PKCS#8 (RFC 5958), SEC1 (RFC 5915)
//! and PKCS#1 (RFC 8017 §A.1.2), and saying what any other DER object is (X.509 certificate, CSR, public
//! key, encrypted PKCS#8) when it is not one of them.

use std::fmt;

use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1};
use der::asn1::{AnyRef, OctetStringRef};
use der::oid::ObjectIdentifier;
use der::Decode;
use pkcs8::DecodePrivateKey;
use rsa::pkcs1::DecodeRsaPrivateKey;

use super::{bit_length, Inner, KeyError, PrivateKey, MAX_RSA_BITS, MIN_RSA_BITS};

/// Names of the key algorithms people might bring, for messages.
pub(crate) fn algorithm_name(oid: ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.10" => {
            crate::t!("RSASSA-PSS (an RSA key restricted to PSS signatures)").into()
        }
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.3.101.110" => "X25519".into(),
        "1.3.101.111" => "X448".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        "1.2.840.10046.2.1" => "Diffie-Hellman".into(),
        other => crate::t!("with algorithm OID {oid}", oid = other),
    }
}

/// Names of the curves people might bring, for messages.
pub(crate) fn curve_name(oid: ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.3.132.0.35" => "secp521r1 (P-521)".into(),
        "1.3.132.0.10" => "secp256k1".into(),
        "1.3.132.0.33" => "secp224r1 (P-224)".into(),
        "1.2.840.10045.3.1.1" => "prime192v1 (P-192)".into(),
        "1.3.36.3.3.2.8.1.1.7" => "brainpoolP256r1".into(),
        "1.3.36.3.3.2.8.1.1.11" => "brainpoolP384r1".into(),
        "1.3.36.3.3.2.8.1.1.13" => "brainpoolP512r1".into(),
        other => crate::t!("with OID {oid}", oid = other),
    }
}

impl PrivateKey {
    /// Reads a DER private key: PKCS#8 (RFC 5958), SEC1 (RFC 5915) or PKCS#1 (RFC 8017 §A.1.2).
    pub fn from_der(der: &[u8]) -> Result<Self, KeyError> {
        if pkcs8::PrivateKeyInfoRef::from_der(der).is_ok() {
            return Self::from_pkcs8_der(der);
        }
        if sec1::EcPrivateKey::from_der(der).is_ok() {
            return Self::from_sec1_der(der);
        }
        if pkcs1::RsaPrivateKeyRef::from_der(der).is_ok() {
            return Self::from_pkcs1_der(der);
        }
        Err(identify_other_der(der))
    }

    /// Reads a PKCS#8 (RFC 5958) DER private key, checked: its material is read and the key written again
    /// as this crate writes it (with an EC key's public point, which RFC 5915 leaves optional). The page
    /// reads only what it wrote itself, with [`from_stored_pkcs8`](Self::from_stored_pkcs8).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_inner(Inner::from_pkcs8(der)?)
    }

    pub(super) fn from_sec1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = sec1::EcPrivateKey::from_der(der).map_err(|e| malformed("SEC1", e))?;
        // The curve is normally named; without it, the scalar's length is the only hint.
        let curve = match key.parameters.and_then(|p| p.named_curve()) {
            Some(oid) => oid,
            None if key.private_key.len() == 32 => SECP_256_R_1,
            None if key.private_key.len() == 48 => SECP_384_R_1,
            None => {
                return Err(malformed(
                    "SEC1",
                    crate::t!("the curve is not named and cannot be inferred"),
                ))
            }
        };
        let inner = match curve {
            SECP_256_R_1 => Inner::P256(
                p256::SecretKey::try_from(key)
                    .map_err(|e| malformed("SEC1", e))?
                    .into(),
            ),
            SECP_384_R_1 => Inner::P384(
                p384::SecretKey::try_from(key)
                    .map_err(|e| malformed("SEC1", e))?
                    .into(),
            ),
            other => return Err(KeyError::UnsupportedCurve(curve_name(other))),
        };
        Self::from_inner(inner)
    }

    pub(super) fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        Self::from_inner(Inner::from_pkcs1(der)?)
    }
}

impl Inner {
    /// The material of a PKCS#8 (RFC 5958) key, checked as RustCrypto reads it.
    pub(super) fn from_pkcs8(der: &[u8]) -> Result<Inner, KeyError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| malformed("PKCS#8", e))?;
        match info.algorithm.oid {
            ID_EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .map_err(|e| malformed("PKCS#8", e))?;
                match curve {
                    SECP_256_R_1 => Ok(Inner::P256(
                        p256::SecretKey::from_pkcs8_der(der)
                            .map_err(|e| malformed("PKCS#8", e))?
                            .into(),
                    )),
                    SECP_384_R_1 => Ok(Inner::P384(
                        p384::SecretKey::from_pkcs8_der(der)
                            .map_err(|e| malformed("PKCS#8", e))?
                            .into(),
                    )),
                    other => Err(KeyError::UnsupportedCurve(curve_name(other))),
                }
            }
            RSA_ENCRYPTION => Inner::from_pkcs1(info.private_key.as_bytes()),
            other => Err(KeyError::UnsupportedAlgorithm(algorithm_name(other))),
        }
    }

    fn from_pkcs1(der: &[u8]) -> Result<Inner, KeyError> {
        let parts = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|e| malformed("RSA", e))?;
        // Check the size before the rsa crate does, to say precisely what is wrong.
        check_rsa_bits(bit_length(parts.modulus.as_bytes()))?;
        let key = rsa::PrivateKey::from_pkcs1_der(der).map_err(|e| malformed("RSA", e))?;
        Ok(Inner::Rsa(Box::new(key)))
    }
}

pub(super) fn malformed(format: &'static str, detail: impl fmt::Display) -> KeyError {
    KeyError::Malformed {
        format,
        detail: detail.to_string(),
    }
}

pub(super) fn check_rsa_bits(bits: usize) -> Result<(), KeyError> {
    if bits < MIN_RSA_BITS {
        Err(KeyError::RsaTooSmall { bits })
    } else if bits > MAX_RSA_BITS {
        Err(KeyError::RsaTooLarge { bits })
    } else {
        Ok(())
    }
}

/// Says what a DER object that is not a private key is, when we can tell.
fn identify_other_der(der: &[u8]) -> KeyError {
    let found = |what: &str| KeyError::NotAPrivateKey {
        format: crate::t!("DER file"),
        found: what.to_string(),
    };
    if is_encrypted_pkcs8(der) {
        KeyError::Encrypted
    } else if x509_cert::Certificate::from_der(der).is_ok() {
        found(crate::t!("a certificate"))
    } else if x509_cert::request::CertReq::from_der(der).is_ok() {
        found(crate::t!("a certificate signing request"))
    } else if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        found(crate::t!("only a public key"))
    } else {
        KeyError::Unrecognized(
            crate::t!(
                "not a private key in any format we know (PEM, DER PKCS#8/SEC1/PKCS#1, or JWK)"
            )
            .into(),
        )
    }
}

/// EncryptedPrivateKeyInfo ::= SEQUENCE { encryptionAlgorithm AlgorithmIdentifier, encryptedData OCTET
/// STRING } (RFC 5958 §3). Recognized only to say "encrypted"; we never decrypt.
fn is_encrypted_pkcs8(der: &[u8]) -> bool {
    let Ok(outer) = AnyRef::from_der(der) else {
        return false;
    };
    outer
        .sequence(|reader| {
            spki::AlgorithmIdentifierRef::decode(reader)?;
            <&OctetStringRef>::decode(reader)?;
            Ok::<_, der::Error>(())
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use crate::pki::key::test_support::{openssl_key, openssl_spki, Scratch};
    use crate::pki::key::PrivateKey;

    #[test]
    fn reads_keys_openssl_writes() {
        let scratch = Scratch::new("reads-openssl");
        let cases: [(&str, &[&str], &str); 4] = [
            (
                "p256.pem",
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                ],
                "-----BEGIN PRIVATE KEY-----",
            ),
            (
                "p384-sec1.pem",
                &["ecparam", "-genkey", "-name", "secp384r1", "-noout"],
                "-----BEGIN EC PRIVATE KEY-----",
            ),
            (
                "rsa-pkcs1.pem",
                &["genrsa", "-traditional", "2048"],
                "-----BEGIN RSA PRIVATE KEY-----",
            ),
            (
                "rsa-pkcs8.pem",
                &[
                    "genpkey",
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    "rsa_keygen_bits:2048",
                ],
                "-----BEGIN PRIVATE KEY-----",
            ),
        ];
        for (name, args, first_line) in cases {
            let (key, bytes) = openssl_key(&scratch, name, args);
            assert!(
                String::from_utf8_lossy(&bytes).starts_with(first_line),
                "{name}"
            );
            assert_eq!(
                key.public_key_spki_der(),
                openssl_spki(&scratch, name),
                "{name}"
            );
            // The same key as DER, in the same structure (-traditional keeps PKCS#1/SEC1).
            let der_name = format!("{name}.der");
            let mut der_args = vec!["pkey", "-in", name, "-outform", "DER", "-out", &der_name];
            if !first_line.contains("BEGIN PRIVATE KEY") {
                der_args.push("-traditional");
            }
            scratch.openssl(&der_args);
            assert_eq!(
                PrivateKey::parse(&scratch.read(&der_name)).unwrap(),
                key,
                "{der_name}"
            );
        }
    }
}
