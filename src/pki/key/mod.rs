//! Private keys for ACME accounts and certificates: generation, import, export, JWK and JWS signatures.
//!
//! An ACME account key signs every request as a JWS (RFC 8555 §6.2) and is identified by its JWK
//! (RFC 7517, RFC 7518 §6) and the JWK thumbprint (RFC 7638) that goes into key authorizations
//! (RFC 8555 §8.1). A certificate key signs the CSR (RFC 8555 §7.4). Both are a [`PrivateKey`]: ECDSA
//! P-256 (ES256), ECDSA P-384 (ES384) or RSA (RS256), the algorithms every ACME CA accepts.
//!
//! Keys come from people as files in whatever format their tools wrote, so [`PrivateKey::parse`] accepts
//! PEM (PKCS#8, SEC1, PKCS#1), DER and JWK, and says precisely what is wrong with anything else.
//!
//! Every key passes through one constructor that computes all its encodings (`encodings`), so exporting
//! never fails. The submodules follow the standards one at a time: `generate` makes keys of a [`KeyType`],
//! `pem` (RFC 7468) and `asn1` (PKCS#8, SEC1, PKCS#1) read files, `jwk` reads and writes JWKs and computes
//! RFC 7638 thumbprints, `sign` makes and checks JWS signatures, and `parse` tells the formats apart.

use std::fmt;
use std::sync::OnceLock;

use der::zeroize::Zeroizing;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::b64;

mod asn1;
mod encodings;
mod generate;
mod jwk;
mod parse;
mod pem;
mod sign;
#[cfg(test)]
pub(crate) mod test_support;

pub(crate) use asn1::{algorithm_name, curve_name};
pub use generate::KeyType;
pub use jwk::jwk_thumbprint;
pub(crate) use pem::pem_blocks;
#[cfg(test)]
pub(crate) use sign::verify_jws_signature;

use encodings::Encodings;

/// Smallest RSA modulus we accept: CAs refuse less (CA/Browser Forum Baseline Requirements §6.1.5).
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus we accept (and the largest the `rsa` crate handles).
pub const MAX_RSA_BITS: usize = 8192;

/// Why a key could not be made, read, written or used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The input is some other kind of object (a certificate, a public key, a CSR, …).
    #[error(
        "{}",
        crate::t!("this {format} holds {found}, not a private key", format = .format, found = .found)
    )]
    NotAPrivateKey { format: &'static str, found: String },
    /// The key is protected with a password, which we do not ask for.
    #[error(
        "{}",
        crate::t!(
            "this private key is encrypted with a password; decrypt it first (for example \
             `openssl pkey -in key.pem -out key-plain.pem`) and use the unencrypted file"
        )
    )]
    Encrypted,
    /// An elliptic curve other than P-256 and P-384.
    #[error("{}", crate::t!("unsupported curve {curve}; use P-256, P-384 or RSA", curve = .0))]
    UnsupportedCurve(String),
    /// A key algorithm other than ECDSA and RSA.
    #[error(
        "{}",
        crate::t!("unsupported key type {algorithm}; use ECDSA P-256, P-384 or RSA", algorithm = .0)
    )]
    UnsupportedAlgorithm(String),
    /// An RSA key below [`MIN_RSA_BITS`].
    #[error(
        "{}",
        crate::t!("this RSA key has only {bits} bits; at least 2048 are required", bits = .bits)
    )]
    RsaTooSmall { bits: usize },
    /// An RSA key above [`MAX_RSA_BITS`].
    #[error(
        "{}",
        crate::t!("this RSA key has {bits} bits; at most 8192 are supported", bits = .bits)
    )]
    RsaTooLarge { bits: usize },
    /// The input has the right shape but its contents are broken.
    #[error("{}", crate::t!("malformed {format} key: {detail}", format = .format, detail = .detail))]
    Malformed {
        format: &'static str,
        detail: String,
    },
    /// A JWK that is not a usable key.
    #[error("{}", crate::t!("invalid JWK: {why}", why = .0))]
    InvalidJwk(String),
    /// Nothing in the input looks like a key.
    #[error("{0}")]
    Unrecognized(String),
    /// A key type name we do not know.
    #[error(
        "{}",
        crate::t!(
            "unknown key type \"{name}\"; use one of p256, p384, rsa2048, rsa3072, rsa4096",
            name = .0
        )
    )]
    UnknownKeyType(String),
    /// Key generation failed (for example, no randomness available).
    #[error("{}", crate::t!("could not generate the key: {why}", why = .0))]
    Generation(String),
    /// Encoding a key failed (should not happen for a valid key).
    #[error("{}", crate::t!("could not encode the key: {why}", why = .0))]
    Encoding(String),
    /// Signing failed.
    #[error("{}", crate::t!("could not sign: {why}", why = .0))]
    Signing(String),
    /// A JWS `alg` we do not implement.
    #[error(
        "{}",
        crate::t!("unsupported JWS algorithm \"{alg}\"; expected ES256, ES384 or RS256", alg = .0)
    )]
    UnsupportedJwsAlgorithm(String),
    /// The JWK does not fit the JWS algorithm (e.g. ES256 with a P-384 key).
    #[error("{0}")]
    AlgorithmMismatch(String),
    /// The signature is not valid for this key and message.
    #[error("{}", crate::t!("the signature does not verify: {why}", why = .0))]
    BadSignature(String),
}

/// The key material itself.
#[derive(Clone)]
enum Inner {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    // Boxed: an RSA key is much larger than an EC key.
    Rsa(Box<rsa::PrivateKey>),
}

/// Borrowed access to the key material, for the CSR builder in this crate.
pub(crate) enum KeyRef<'a> {
    P256(&'a p256::ecdsa::SigningKey),
    P384(&'a p384::ecdsa::SigningKey),
    Rsa(&'a rsa::PrivateKey),
}

/// What a key is, known without its material: the curve, or RSA and its modulus size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    P256,
    P384,
    Rsa { bits: usize },
}

impl Shape {
    /// The curve size for ECDSA, the modulus size for RSA.
    pub(crate) fn bits(self) -> usize {
        match self {
            Shape::P256 => 256,
            Shape::P384 => 384,
            Shape::Rsa { bits } => bits,
        }
    }

    /// The JWK `crv` (RFC 7518 §6.2.1.1); empty for RSA.
    fn crv(self) -> &'static str {
        match self {
            Shape::P256 => "P-256",
            Shape::P384 => "P-384",
            Shape::Rsa { .. } => "",
        }
    }
}

/// A private key: ECDSA P-256, ECDSA P-384 or RSA (2048 to 8192 bits).
///
/// It is its PKCS#8 and what that says (the shape, the encodings, all read by DER alone); the material a
/// signature needs is read from the PKCS#8 the first time this crate signs with the key and kept. The page
/// never does: WebCrypto signs for it ([`crate::acme::jws::Signer`]), so its wasm holds no curve or RSA code.
///
/// Serializes (serde) as the base64url of its PKCS#8 DER, so that application state can be persisted.
/// `Debug` shows only the type and the thumbprint, never the key material.
#[derive(Clone)]
pub struct PrivateKey {
    shape: Shape,
    enc: Encodings,
    material: OnceLock<Inner>,
}

impl PrivateKey {
    /// The key material, for signing (a JWS here, a CSR, a PFX): read the first time and kept.
    fn material(&self) -> Result<&Inner, KeyError> {
        if let Some(inner) = self.material.get() {
            return Ok(inner);
        }
        let inner = Inner::from_pkcs8(&self.enc.pkcs8_der)?;
        Ok(self.material.get_or_init(|| inner))
    }

    /// The key material, for signing a CSR (see [`crate::pki::csr::build_csr`]).
    pub(crate) fn key_ref(&self) -> Result<KeyRef<'_>, KeyError> {
        Ok(match self.material()? {
            Inner::P256(key) => KeyRef::P256(key),
            Inner::P384(key) => KeyRef::P384(key),
            Inner::Rsa(key) => KeyRef::Rsa(key),
        })
    }
}

/// The number of significant bits of a big-endian unsigned integer.
pub(crate) fn bit_length(bytes: &[u8]) -> usize {
    let trimmed = strip_leading_zeros(bytes);
    match trimmed.first() {
        Some(first) => trimmed.len() * 8 - first.leading_zeros() as usize,
        None => 0,
    }
}

fn strip_leading_zeros(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

impl Serialize for PrivateKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&b64::encode(self.enc.pkcs8_der.as_slice()))
    }
}

impl<'de> Deserialize<'de> for PrivateKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(deserializer)?);
        let der = Zeroizing::new(b64::decode(&text).map_err(serde::de::Error::custom)?);
        // Serialize writes PKCS#8, with the public key.
        PrivateKey::from_stored_pkcs8(&der).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("type", &self.describe())
            .field("thumbprint", &self.enc.thumbprint)
            .finish_non_exhaustive()
    }
}

impl PartialEq for PrivateKey {
    /// Two keys are equal when their PKCS#8 encodings are.
    fn eq(&self, other: &Self) -> bool {
        self.enc.pkcs8_der == other.enc.pkcs8_der
    }
}

impl Eq for PrivateKey {}

#[cfg(test)]
mod tests {
    use super::test_support::{sample_keys, Scratch};
    use super::*;
    use serde_json::Value;

    #[test]
    fn round_trips_through_every_format() {
        let scratch = Scratch::new("roundtrip");
        for key in sample_keys(&scratch) {
            let what = key.describe();
            assert_eq!(
                PrivateKey::from_pem(&key.to_pkcs8_pem()).unwrap(),
                key,
                "{what} PKCS#8 PEM"
            );
            assert_eq!(
                PrivateKey::from_der(&key.to_pkcs8_der()).unwrap(),
                key,
                "{what} PKCS#8 DER"
            );
            assert_eq!(
                PrivateKey::from_jwk(&key.to_private_jwk().unwrap()).unwrap(),
                key,
                "{what} JWK"
            );
            assert_eq!(
                PrivateKey::parse(key.to_pkcs8_pem().as_bytes()).unwrap(),
                key,
                "{what} parse PEM"
            );
            assert_eq!(
                PrivateKey::parse(&key.to_pkcs8_der()).unwrap(),
                key,
                "{what} parse DER"
            );
            assert_eq!(
                PrivateKey::parse(key.to_private_jwk().unwrap().as_bytes()).unwrap(),
                key,
                "{what} parse JWK"
            );
            if let Some(sec1) = key.to_sec1_pem().unwrap() {
                assert!(sec1.starts_with("-----BEGIN EC PRIVATE KEY-----"));
                assert_eq!(PrivateKey::from_pem(&sec1).unwrap(), key, "{what} SEC1");
            }
            let stored = serde_json::to_string(&key).unwrap();
            assert_eq!(stored, format!("\"{}\"", b64::encode(key.to_pkcs8_der())));
            let restored: PrivateKey = serde_json::from_str(&stored).unwrap();
            assert_eq!(restored, key);
            assert_eq!(restored.thumbprint(), key.thumbprint());
            assert_eq!(
                PrivateKey::parse(stored.trim_matches('"').as_bytes()).unwrap(),
                key,
                "{what} base64"
            );
        }
    }
    #[test]
    fn debug_hides_the_key_material() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let shown = format!("{key:?}");
        let jwk: Value = serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
        assert!(
            shown.contains("ECDSA P-256") && shown.contains(&key.thumbprint()),
            "{shown}"
        );
        assert!(!shown.contains(jwk["d"].as_str().unwrap()));
        assert!(!shown.contains(&b64::encode(key.to_pkcs8_der())));
    }
}
