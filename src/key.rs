//! Private keys for ACME accounts and certificates: generation, import, export, JWK and JWS signatures.
//!
//! An ACME account key signs every request as a JWS (RFC 8555 §6.2) and is identified by its JWK
//! (RFC 7517, RFC 7518 §6) and the JWK thumbprint (RFC 7638) that goes into key authorizations
//! (RFC 8555 §8.1). A certificate key signs the CSR (RFC 8555 §7.4). Both are a [`PrivateKey`]: ECDSA
//! P-256 (ES256), ECDSA P-384 (ES384) or RSA (RS256), the algorithms every ACME CA accepts.
//!
//! Keys come from people as files in whatever format their tools wrote, so [`PrivateKey::parse`] accepts
//! PEM (PKCS#8, SEC1, PKCS#1), DER and JWK, and says precisely what is wrong with anything else.

use std::fmt;
use std::str::FromStr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use der::asn1::{AnyRef, OctetStringRef};
use der::oid::ObjectIdentifier;
use der::pem::LineEnding;
use der::zeroize::Zeroizing;
use der::Decode;
use pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey};
use rsa::pkcs1::{DecodeRsaPrivateKey, EncodeRsaPrivateKey};
use rsa::traits::PublicKeyParts;
use rsa::{BoxedUint, Pkcs1v15Sign};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use signature::{Signer, Verifier};

use crate::b64;

/// Smallest RSA modulus we accept: CAs refuse less (CA/Browser Forum Baseline Requirements §6.1.5).
pub const MIN_RSA_BITS: usize = 2048;
/// Largest RSA modulus we accept (and the largest the `rsa` crate handles).
pub const MAX_RSA_BITS: usize = 8192;

/// Why a key could not be made, read, written or used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The input is some other kind of object (a certificate, a public key, a CSR, …).
    #[error("this {format} holds {found}, not a private key")]
    NotAPrivateKey { format: &'static str, found: String },
    /// The key is protected with a password, which we do not ask for.
    #[error(
        "this private key is encrypted with a password; decrypt it first (for example \
         `openssl pkey -in key.pem -out key-plain.pem`) and use the unencrypted file"
    )]
    Encrypted,
    /// An elliptic curve other than P-256 and P-384.
    #[error("unsupported curve {0}; use P-256, P-384 or RSA")]
    UnsupportedCurve(String),
    /// A key algorithm other than ECDSA and RSA.
    #[error("unsupported key type {0}; use ECDSA P-256, P-384 or RSA")]
    UnsupportedAlgorithm(String),
    /// An RSA key below [`MIN_RSA_BITS`].
    #[error("this RSA key has only {bits} bits; at least 2048 are required")]
    RsaTooSmall { bits: usize },
    /// An RSA key above [`MAX_RSA_BITS`].
    #[error("this RSA key has {bits} bits; at most 8192 are supported")]
    RsaTooLarge { bits: usize },
    /// The input has the right shape but its contents are broken.
    #[error("malformed {format} key: {detail}")]
    Malformed {
        format: &'static str,
        detail: String,
    },
    /// A JWK that is not a usable key.
    #[error("invalid JWK: {0}")]
    InvalidJwk(String),
    /// Nothing in the input looks like a key.
    #[error("{0}")]
    Unrecognized(String),
    /// A key type name we do not know.
    #[error("unknown key type \"{0}\"; use one of p256, p384, rsa2048, rsa3072, rsa4096")]
    UnknownKeyType(String),
    /// Key generation failed (for example, no randomness available).
    #[error("could not generate the key: {0}")]
    Generation(String),
    /// Encoding a key failed (should not happen for a valid key).
    #[error("could not encode the key: {0}")]
    Encoding(String),
    /// Signing failed.
    #[error("could not sign: {0}")]
    Signing(String),
    /// A JWS `alg` we do not implement.
    #[error("unsupported JWS algorithm \"{0}\"; expected ES256, ES384 or RS256")]
    UnsupportedJwsAlgorithm(String),
    /// The JWK does not fit the JWS algorithm (e.g. ES256 with a P-384 key).
    #[error("{0}")]
    AlgorithmMismatch(String),
    /// The signature is not valid for this key and message.
    #[error("the signature does not verify: {0}")]
    BadSignature(String),
}

/// The kinds of key we generate. Imported RSA keys may have other sizes; see [`PrivateKey::describe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    P256,
    P384,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

impl KeyType {
    /// Every key type, in the order a UI should offer them (the recommended one first).
    pub const ALL: [KeyType; 5] = [
        KeyType::P256,
        KeyType::P384,
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
    ];

    /// A name for people, e.g. "ECDSA P-256".
    pub fn label(self) -> &'static str {
        match self {
            KeyType::P256 => "ECDSA P-256",
            KeyType::P384 => "ECDSA P-384",
            KeyType::Rsa2048 => "RSA 2048",
            KeyType::Rsa3072 => "RSA 3072",
            KeyType::Rsa4096 => "RSA 4096",
        }
    }

    /// The short, stable name used in settings and serialization, e.g. "p256".
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::P256 => "p256",
            KeyType::P384 => "p384",
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
        }
    }

    /// The JWS algorithm a key of this type signs with (RFC 7518 §3.1).
    pub fn jws_alg(self) -> &'static str {
        match self {
            KeyType::P256 => "ES256",
            KeyType::P384 => "ES384",
            _ => "RS256",
        }
    }

    /// The RSA modulus size, for the RSA types.
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            KeyType::Rsa2048 => Some(2048),
            KeyType::Rsa3072 => Some(3072),
            KeyType::Rsa4096 => Some(4096),
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyType {
    type Err = KeyError;

    /// Accepts the usual spellings: "p256", "P-256", "ec256", "ES256", "secp256r1", "prime256v1",
    /// "rsa2048", "RSA-2048", "rsa_4096", …
    fn from_str(text: &str) -> Result<Self, KeyError> {
        let squashed: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        match squashed.as_str() {
            "p256" | "ec256" | "ecp256" | "ecdsap256" | "es256" | "secp256r1" | "prime256v1" => {
                Ok(KeyType::P256)
            }
            "p384" | "ec384" | "ecp384" | "ecdsap384" | "es384" | "secp384r1" => Ok(KeyType::P384),
            "rsa2048" | "rsa2k" => Ok(KeyType::Rsa2048),
            "rsa3072" | "rsa3k" => Ok(KeyType::Rsa3072),
            "rsa4096" | "rsa4k" => Ok(KeyType::Rsa4096),
            _ => Err(KeyError::UnknownKeyType(text.trim().to_string())),
        }
    }
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

/// Every encoding of the key, computed once when the key is made so that exporting can never fail.
#[derive(Clone)]
struct Encodings {
    pkcs8_der: Zeroizing<Vec<u8>>,
    pkcs8_pem: Zeroizing<String>,
    sec1_pem: Option<Zeroizing<String>>,
    private_jwk: Zeroizing<String>,
    spki_der: Vec<u8>,
    public_jwk: Value,
    thumbprint: String,
}

/// A private key: ECDSA P-256, ECDSA P-384 or RSA (2048 to 8192 bits).
///
/// Serializes (serde) as the base64url of its PKCS#8 DER, so that application state can be persisted.
/// `Debug` shows only the type and the thumbprint, never the key material.
#[derive(Clone)]
pub struct PrivateKey {
    inner: Inner,
    enc: Encodings,
}

// ---------------------------------------------------------------------------------------------------------
// Generation and description
// ---------------------------------------------------------------------------------------------------------

impl PrivateKey {
    /// Generates a fresh key from the operating system's randomness (getrandom; in a browser,
    /// `crypto.getRandomValues`).
    pub fn generate(kind: KeyType) -> Result<Self, KeyError> {
        use elliptic_curve::Generate;
        let failed = |e: &dyn fmt::Display| KeyError::Generation(e.to_string());
        let inner = match kind {
            KeyType::P256 => {
                Inner::P256(p256::ecdsa::SigningKey::try_generate().map_err(|e| failed(&e))?)
            }
            KeyType::P384 => {
                Inner::P384(p384::ecdsa::SigningKey::try_generate().map_err(|e| failed(&e))?)
            }
            KeyType::Rsa2048 | KeyType::Rsa3072 | KeyType::Rsa4096 => {
                let bits = kind.rsa_bits().unwrap_or(MIN_RSA_BITS);
                let key =
                    rsa::PrivateKey::new(&mut getrandom::SysRng, bits).map_err(|e| failed(&e))?;
                Inner::Rsa(Box::new(key))
            }
        };
        Self::from_inner(inner)
    }

    /// The generation type this key corresponds to; `None` for an imported RSA key of an unusual size.
    pub fn key_type(&self) -> Option<KeyType> {
        match &self.inner {
            Inner::P256(_) => Some(KeyType::P256),
            Inner::P384(_) => Some(KeyType::P384),
            Inner::Rsa(_) => match self.bits() {
                2048 => Some(KeyType::Rsa2048),
                3072 => Some(KeyType::Rsa3072),
                4096 => Some(KeyType::Rsa4096),
                _ => None,
            },
        }
    }

    /// The key size in bits: the curve size for ECDSA, the modulus size for RSA.
    pub fn bits(&self) -> usize {
        match &self.inner {
            Inner::P256(_) => 256,
            Inner::P384(_) => 384,
            Inner::Rsa(key) => bit_length(&key.n_bytes()),
        }
    }

    /// A name for people, e.g. "ECDSA P-256" or "RSA 2048"; works for RSA keys of any size.
    pub fn describe(&self) -> String {
        match self.key_type() {
            Some(kind) => kind.label().to_string(),
            None => format!("RSA {}", self.bits()),
        }
    }

    /// The JWS `alg` this key signs with (RFC 7518 §3.1; RFC 8555 §6.2 requires ES256 or RS256 support).
    pub fn jws_alg(&self) -> &'static str {
        match &self.inner {
            Inner::P256(_) => "ES256",
            Inner::P384(_) => "ES384",
            Inner::Rsa(_) => "RS256",
        }
    }

    /// The key material, for signing a CSR (see [`crate::csr::build_csr`]).
    pub(crate) fn key_ref(&self) -> KeyRef<'_> {
        match &self.inner {
            Inner::P256(key) => KeyRef::P256(key),
            Inner::P384(key) => KeyRef::P384(key),
            Inner::Rsa(key) => KeyRef::Rsa(key),
        }
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

// ---------------------------------------------------------------------------------------------------------
// Construction: every key passes through here, so every key has all its encodings
// ---------------------------------------------------------------------------------------------------------

impl PrivateKey {
    fn from_inner(inner: Inner) -> Result<Self, KeyError> {
        let enc = match &inner {
            Inner::P256(key) => ec_encodings(
                key,
                "P-256",
                p256::SecretKey::from(key).to_sec1_pem(LineEnding::LF),
            )?,
            Inner::P384(key) => ec_encodings(
                key,
                "P-384",
                p384::SecretKey::from(key).to_sec1_pem(LineEnding::LF),
            )?,
            Inner::Rsa(key) => rsa_encodings(key)?,
        };
        Ok(PrivateKey { inner, enc })
    }
}

fn encoding_error(e: impl fmt::Display) -> KeyError {
    KeyError::Encoding(e.to_string())
}

/// Encodings shared by both curves; `key` gives PKCS#8, SPKI and the raw scalar and point.
fn ec_encodings<K>(
    key: &K,
    crv: &str,
    sec1_pem: Result<Zeroizing<String>, elliptic_curve::Error>,
) -> Result<Encodings, KeyError>
where
    K: EncodePrivateKey + EcParts,
{
    let (x, y) = key.point_xy()?;
    let public_jwk = ec_public_jwk(crv, &x, &y);
    let mut private = json_object(&public_jwk);
    private.insert(
        "d".into(),
        Value::String(b64::encode(key.scalar_bytes().as_slice())),
    );
    let spki_der = key.spki_der()?;
    common_encodings(
        key,
        public_jwk,
        Value::Object(private),
        spki_der,
        Some(sec1_pem.map_err(encoding_error)?),
    )
}

fn rsa_encodings(key: &rsa::PrivateKey) -> Result<Encodings, KeyError> {
    let pkcs1 = key.to_pkcs1_der().map_err(encoding_error)?;
    let parts = pkcs1::RsaPrivateKeyRef::from_der(pkcs1.as_bytes()).map_err(encoding_error)?;
    let public_jwk = rsa_public_jwk(parts.modulus.as_bytes(), parts.public_exponent.as_bytes());
    let mut private = json_object(&public_jwk);
    for (name, value) in [
        ("d", parts.private_exponent),
        ("p", parts.prime1),
        ("q", parts.prime2),
        ("dp", parts.exponent1),
        ("dq", parts.exponent2),
        ("qi", parts.coefficient),
    ] {
        private.insert(name.into(), Value::String(b64::encode(value.as_bytes())));
    }
    let spki_der = key
        .to_public_key()
        .to_public_key_der()
        .map_err(encoding_error)?
        .into_vec();
    common_encodings(key, public_jwk, Value::Object(private), spki_der, None)
}

fn common_encodings(
    key: &impl EncodePrivateKey,
    public_jwk: Value,
    private_jwk: Value,
    spki_der: Vec<u8>,
    sec1_pem: Option<Zeroizing<String>>,
) -> Result<Encodings, KeyError> {
    let pkcs8 = key.to_pkcs8_der().map_err(encoding_error)?;
    let pkcs8_pem = key.to_pkcs8_pem(LineEnding::LF).map_err(encoding_error)?;
    let thumbprint = jwk_thumbprint(&public_jwk)?;
    Ok(Encodings {
        pkcs8_der: Zeroizing::new(pkcs8.as_bytes().to_vec()),
        pkcs8_pem,
        sec1_pem,
        private_jwk: Zeroizing::new(private_jwk.to_string()),
        spki_der,
        public_jwk,
        thumbprint,
    })
}

/// What the JWK code needs from an ECDSA key, for both curves.
trait EcParts {
    fn point_xy(&self) -> Result<(Vec<u8>, Vec<u8>), KeyError>;
    fn scalar_bytes(&self) -> Zeroizing<Vec<u8>>;
    fn spki_der(&self) -> Result<Vec<u8>, KeyError>;
}

macro_rules! impl_ec_parts {
    ($curve:ident) => {
        impl EcParts for $curve::ecdsa::SigningKey {
            fn point_xy(&self) -> Result<(Vec<u8>, Vec<u8>), KeyError> {
                // The uncompressed SEC1 point has fixed-size coordinates (SEC 1 §2.3.3), exactly what the
                // JWK "x" and "y" members hold (RFC 7518 §6.2.1.2, §6.2.1.3).
                let point = self.verifying_key().to_sec1_point(false);
                match (point.x(), point.y()) {
                    (Some(x), Some(y)) => Ok((x.to_vec(), y.to_vec())),
                    _ => Err(KeyError::Encoding(
                        "the public key is the point at infinity".into(),
                    )),
                }
            }

            fn scalar_bytes(&self) -> Zeroizing<Vec<u8>> {
                Zeroizing::new(self.to_bytes().to_vec())
            }

            fn spki_der(&self) -> Result<Vec<u8>, KeyError> {
                Ok(self
                    .verifying_key()
                    .to_public_key_der()
                    .map_err(encoding_error)?
                    .into_vec())
            }
        }
    };
}

impl_ec_parts!(p256);
impl_ec_parts!(p384);

fn json_object(value: &Value) -> Map<String, Value> {
    value.as_object().cloned().unwrap_or_default()
}

/// The public JWK of an EC key with exactly the required members (RFC 7518 §6.2.1), inserted in
/// lexicographic order so the serialization is the RFC 7638 canonical form whatever map type serde_json uses.
fn ec_public_jwk(crv: &str, x: &[u8], y: &[u8]) -> Value {
    let mut jwk = Map::new();
    jwk.insert("crv".into(), Value::String(crv.into()));
    jwk.insert("kty".into(), Value::String("EC".into()));
    jwk.insert("x".into(), Value::String(b64::encode(x)));
    jwk.insert("y".into(), Value::String(b64::encode(y)));
    Value::Object(jwk)
}

/// The public JWK of an RSA key with exactly the required members (RFC 7518 §6.3.1), in lexicographic order.
/// The integers are unsigned big-endian without leading zeros (RFC 7518 §2 "Base64urlUInt").
fn rsa_public_jwk(n: &[u8], e: &[u8]) -> Value {
    let mut jwk = Map::new();
    jwk.insert(
        "e".into(),
        Value::String(b64::encode(strip_leading_zeros(e))),
    );
    jwk.insert("kty".into(), Value::String("RSA".into()));
    jwk.insert(
        "n".into(),
        Value::String(b64::encode(strip_leading_zeros(n))),
    );
    Value::Object(jwk)
}

// ---------------------------------------------------------------------------------------------------------
// Export
// ---------------------------------------------------------------------------------------------------------

impl PrivateKey {
    /// PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----", RFC 5958, RFC 7468 §10), readable by every tool.
    pub fn to_pkcs8_pem(&self) -> String {
        self.enc.pkcs8_pem.as_str().to_string()
    }

    /// PKCS#8 DER (RFC 5958).
    pub fn to_pkcs8_der(&self) -> Vec<u8> {
        self.enc.pkcs8_der.to_vec()
    }

    /// SEC1 PEM ("-----BEGIN EC PRIVATE KEY-----", RFC 5915) for ECDSA keys; `None` for RSA.
    pub fn to_sec1_pem(&self) -> Option<String> {
        self.enc
            .sec1_pem
            .as_ref()
            .map(|pem| pem.as_str().to_string())
    }

    /// The private JWK as JSON (RFC 7518 §6.2.2 for EC: crv, kty, x, y, d; §6.3.2 for RSA: n, e, d, p, q,
    /// dp, dq, qi).
    pub fn to_private_jwk(&self) -> String {
        self.enc.private_jwk.as_str().to_string()
    }

    /// The DER SubjectPublicKeyInfo of the public key (RFC 5280 §4.1.2.7).
    pub fn public_key_spki_der(&self) -> Vec<u8> {
        self.enc.spki_der.clone()
    }

    /// The public JWK with exactly the required members: EC crv, kty, x, y; RSA e, kty, n (RFC 7518 §6).
    /// This is the `jwk` of a JWS protected header (RFC 8555 §6.2).
    pub fn public_jwk(&self) -> Value {
        self.enc.public_jwk.clone()
    }

    /// The RFC 7638 JWK thumbprint (SHA-256, base64url), as used in key authorizations (RFC 8555 §8.1).
    pub fn thumbprint(&self) -> String {
        self.enc.thumbprint.clone()
    }
}

/// Computes the RFC 7638 §3 thumbprint of a public (or private) JWK: SHA-256 over the JSON object of the
/// required members only, in lexicographic order, without whitespace, then base64url.
pub fn jwk_thumbprint(jwk: &Value) -> Result<String, KeyError> {
    let members: &[&str] = match jwk_str(jwk, "kty")? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        other => {
            return Err(KeyError::InvalidJwk(format!(
                "cannot compute a thumbprint for kty \"{other}\""
            )))
        }
    };
    let mut canonical = Map::new();
    for name in members {
        canonical.insert(
            (*name).to_string(),
            Value::String(jwk_str(jwk, name)?.to_string()),
        );
    }
    // Member names and base64url values need no escaping, so serde_json's compact output is canonical.
    let json = Value::Object(canonical).to_string();
    Ok(b64::encode(Sha256::digest(json.as_bytes())))
}

// ---------------------------------------------------------------------------------------------------------
// Signing and verification (JWS, RFC 7515 §5; RFC 7518 §3.3, §3.4)
// ---------------------------------------------------------------------------------------------------------

impl PrivateKey {
    /// Signs a JWS signing input and returns the JWS signature: for ECDSA the fixed-size r ‖ s (RFC 7518
    /// §3.4; 64 bytes for ES256, 96 for ES384), for RSA the RSASSA-PKCS1-v1_5 SHA-256 signature (§3.3).
    pub fn sign(&self, signing_input: &[u8]) -> Result<Vec<u8>, KeyError> {
        let failed = |e: signature::Error| KeyError::Signing(e.to_string());
        match &self.inner {
            Inner::P256(key) => {
                let sig: p256::ecdsa::Signature = key.try_sign(signing_input).map_err(failed)?;
                Ok(sig.to_bytes().to_vec())
            }
            Inner::P384(key) => {
                let sig: p384::ecdsa::Signature = key.try_sign(signing_input).map_err(failed)?;
                Ok(sig.to_bytes().to_vec())
            }
            Inner::Rsa(key) => key
                .sign(
                    Pkcs1v15Sign::new::<Sha256>(),
                    &Sha256::digest(signing_input),
                )
                .map_err(|e| KeyError::Signing(e.to_string())),
        }
    }
}

/// Verifies a JWS signature (ES256, ES384 or RS256) over `signing_input` with a public JWK.
///
/// The ECDSA signature is the fixed-size r ‖ s of RFC 7518 §3.4, not DER.
pub fn verify_jws_signature(
    jwk: &Value,
    alg: &str,
    signing_input: &[u8],
    sig: &[u8],
) -> Result<(), KeyError> {
    let bad = |e: signature::Error| KeyError::BadSignature(e.to_string());
    match alg {
        "ES256" => {
            let point = ec_point_from_jwk(jwk, alg, "P-256", 32)?;
            let key =
                p256::ecdsa::VerifyingKey::from_sec1_bytes(&point).map_err(|_| invalid_point())?;
            let sig = p256::ecdsa::Signature::from_slice(sig)
                .map_err(|_| bad_ecdsa_length(alg, 64, sig.len()))?;
            key.verify(signing_input, &sig).map_err(bad)
        }
        "ES384" => {
            let point = ec_point_from_jwk(jwk, alg, "P-384", 48)?;
            let key =
                p384::ecdsa::VerifyingKey::from_sec1_bytes(&point).map_err(|_| invalid_point())?;
            let sig = p384::ecdsa::Signature::from_slice(sig)
                .map_err(|_| bad_ecdsa_length(alg, 96, sig.len()))?;
            key.verify(signing_input, &sig).map_err(bad)
        }
        "RS256" => {
            let key = rsa_public_from_jwk(jwk)?;
            key.verify(
                Pkcs1v15Sign::new::<Sha256>(),
                &Sha256::digest(signing_input),
                sig,
            )
            .map_err(|e| KeyError::BadSignature(e.to_string()))
        }
        other => Err(KeyError::UnsupportedJwsAlgorithm(other.to_string())),
    }
}

fn invalid_point() -> KeyError {
    KeyError::InvalidJwk("x and y are not a point on the curve".into())
}

fn bad_ecdsa_length(alg: &str, expected: usize, got: usize) -> KeyError {
    KeyError::BadSignature(format!(
        "an {alg} signature is {expected} bytes (r ‖ s), this one is {got}"
    ))
}

/// The uncompressed SEC1 point (0x04 ‖ x ‖ y) of an EC JWK, checking its curve fits the algorithm.
fn ec_point_from_jwk(jwk: &Value, alg: &str, crv: &str, size: usize) -> Result<Vec<u8>, KeyError> {
    let kty = jwk_str(jwk, "kty")?;
    let found = if kty == "EC" {
        jwk_str(jwk, "crv")?.to_string()
    } else {
        kty.to_string()
    };
    if found != crv {
        return Err(KeyError::AlgorithmMismatch(format!(
            "{alg} needs a {crv} key, but the JWK is {found}"
        )));
    }
    let mut point = vec![0x04];
    point.extend_from_slice(&jwk_uint(jwk, "x", size)?);
    point.extend_from_slice(&jwk_uint(jwk, "y", size)?);
    Ok(point)
}

fn rsa_public_from_jwk(jwk: &Value) -> Result<rsa::PublicKey, KeyError> {
    let kty = jwk_str(jwk, "kty")?;
    if kty != "RSA" {
        return Err(KeyError::AlgorithmMismatch(format!(
            "RS256 needs an RSA key, but the JWK is {kty}"
        )));
    }
    let n = jwk_bytes(jwk, "n")?;
    let e = jwk_bytes(jwk, "e")?;
    rsa::PublicKey::new(big_uint(&n)?, big_uint(&e)?)
        .map_err(|err| KeyError::InvalidJwk(format!("not a usable RSA public key: {err}")))
}

/// A non-empty big-endian integer as a `BoxedUint`, sized from its own length (public values only).
fn big_uint(bytes: &[u8]) -> Result<BoxedUint, KeyError> {
    let trimmed = strip_leading_zeros(bytes);
    if trimmed.is_empty() {
        return Err(KeyError::InvalidJwk("an RSA integer is zero".into()));
    }
    Ok(BoxedUint::from_be_slice_vartime(trimmed))
}

// ---------------------------------------------------------------------------------------------------------
// JWK members
// ---------------------------------------------------------------------------------------------------------

fn jwk_str<'a>(jwk: &'a Value, name: &str) -> Result<&'a str, KeyError> {
    match jwk.get(name) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(KeyError::InvalidJwk(format!(
            "member \"{name}\" must be a string"
        ))),
        None => Err(KeyError::InvalidJwk(format!(
            "member \"{name}\" is missing"
        ))),
    }
}

fn jwk_bytes(jwk: &Value, name: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let text = jwk_str(jwk, name)?;
    b64::decode(text)
        .map(Zeroizing::new)
        .map_err(|_| KeyError::InvalidJwk(format!("member \"{name}\" is not base64url")))
}

/// A fixed-size member (EC coordinate or scalar): RFC 7518 §6.2.1.2 requires the full length; shorter
/// values (leading zeros dropped by a sloppy encoder) are padded, longer ones refused.
fn jwk_uint(jwk: &Value, name: &str, size: usize) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let bytes = jwk_bytes(jwk, name)?;
    if bytes.len() > size {
        return Err(KeyError::InvalidJwk(format!(
            "member \"{name}\" is {} bytes; this curve needs {size}",
            bytes.len()
        )));
    }
    let mut padded = Zeroizing::new(vec![0u8; size - bytes.len()]);
    padded.extend_from_slice(&bytes);
    Ok(padded)
}

// ---------------------------------------------------------------------------------------------------------
// Import: PEM
// ---------------------------------------------------------------------------------------------------------

/// One PEM block found in a text (RFC 7468 §2), with its label and decoded contents.
pub(crate) struct PemBlock {
    pub(crate) label: String,
    /// Legacy RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED" (used by OpenSSL's encrypted PKCS#1/SEC1).
    pub(crate) headers: Vec<String>,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Finds every PEM block in `text`, tolerating surrounding text, indentation, CRLF and odd line widths
/// (people paste keys from emails and terminals). Decoding the base64 is left to the base64 crate.
pub(crate) fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
        else {
            continue;
        };
        blocks.push(read_pem_body(label, &mut lines)?);
    }
    Ok(blocks)
}

fn read_pem_body<'a>(
    label: &str,
    lines: &mut impl Iterator<Item = &'a str>,
) -> Result<PemBlock, String> {
    let end = format!("-----END {label}-----");
    let mut headers = Vec::new();
    let mut body = Zeroizing::new(String::new());
    for line in lines.by_ref() {
        if line == end {
            let der = STANDARD
                .decode(body.as_bytes())
                .map_err(|e| format!("the PEM block \"{label}\" is not valid base64 ({e})"))?;
            return Ok(PemBlock {
                label: label.to_string(),
                headers,
                der: Zeroizing::new(der),
            });
        }
        if line.contains(':') {
            headers.push(line.to_string());
        } else {
            body.extend(line.chars().filter(|c| !c.is_whitespace()));
        }
    }
    Err(format!(
        "the PEM block \"{label}\" has no \"{end}\" line; the file may be cut short"
    ))
}

/// What a PEM label says the block is, for the "this PEM holds …, not a private key" message.
fn describe_pem_label(label: &str) -> String {
    match label {
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => "a certificate".into(),
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => "a certificate signing request".into(),
        "PUBLIC KEY" | "RSA PUBLIC KEY" | "EC PUBLIC KEY" => "only a public key".into(),
        "EC PARAMETERS" => "only EC parameters".into(),
        "X509 CRL" => "a certificate revocation list".into(),
        other => format!("a \"{other}\" block"),
    }
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#8 "PRIVATE KEY", SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY".
    /// Other blocks in the text (a certificate next to the key, EC parameters) are ignored.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let malformed = |detail: String| KeyError::Malformed {
            format: "PEM",
            detail,
        };
        let blocks = pem_blocks(text).map_err(malformed)?;
        let mut keys = blocks.iter().filter(|b| is_private_key_label(&b.label));
        let Some(block) = keys.next() else {
            return Err(match blocks.first() {
                Some(first) => KeyError::NotAPrivateKey { format: "PEM", found: describe_pem_label(&first.label) },
                None => KeyError::Unrecognized(
                    "no PEM block found; a PEM key starts with a line like \"-----BEGIN PRIVATE KEY-----\"".into(),
                ),
            });
        };
        if keys.next().is_some() {
            return Err(malformed(
                "the text holds more than one private key; give one at a time".into(),
            ));
        }
        Self::from_pem_block(block)
    }

    fn from_pem_block(block: &PemBlock) -> Result<Self, KeyError> {
        if block
            .headers
            .iter()
            .any(|h| h.to_ascii_uppercase().contains("ENCRYPTED"))
        {
            return Err(KeyError::Encrypted);
        }
        match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&block.der),
            "EC PRIVATE KEY" => Self::from_sec1_der(&block.der),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&block.der),
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::Encrypted),
            "OPENSSH PRIVATE KEY" => Err(KeyError::UnsupportedAlgorithm(
                "OpenSSH private key format (convert it with `ssh-keygen -p -m PKCS8 -f <file>`)"
                    .into(),
            )),
            "DSA PRIVATE KEY" => Err(KeyError::UnsupportedAlgorithm("DSA".into())),
            other => Err(KeyError::UnsupportedAlgorithm(format!("\"{other}\""))),
        }
    }
}

fn is_private_key_label(label: &str) -> bool {
    label.ends_with("PRIVATE KEY")
}

// ---------------------------------------------------------------------------------------------------------
// Import: DER (PKCS#8, SEC1, PKCS#1)
// ---------------------------------------------------------------------------------------------------------

const ID_EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const RSA_ENCRYPTION: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const SECP256R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const SECP384R1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// Names of the key algorithms people might bring, for messages.
pub(crate) fn algorithm_name(oid: ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.10" => "RSASSA-PSS (an RSA key restricted to PSS signatures)".into(),
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.3.101.110" => "X25519".into(),
        "1.3.101.111" => "X448".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        "1.2.840.10046.2.1" => "Diffie-Hellman".into(),
        other => format!("with algorithm OID {other}"),
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
        other => format!("with OID {other}"),
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

    fn from_pkcs8_der(der: &[u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| malformed("PKCS#8", e))?;
        match info.algorithm.oid {
            ID_EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .map_err(|e| malformed("PKCS#8", e))?;
                let inner = match curve {
                    SECP256R1 => Inner::P256(
                        p256::SecretKey::from_pkcs8_der(der)
                            .map_err(|e| malformed("PKCS#8", e))?
                            .into(),
                    ),
                    SECP384R1 => Inner::P384(
                        p384::SecretKey::from_pkcs8_der(der)
                            .map_err(|e| malformed("PKCS#8", e))?
                            .into(),
                    ),
                    other => return Err(KeyError::UnsupportedCurve(curve_name(other))),
                };
                Self::from_inner(inner)
            }
            RSA_ENCRYPTION => Self::from_pkcs1_der(info.private_key.as_bytes()),
            other => Err(KeyError::UnsupportedAlgorithm(algorithm_name(other))),
        }
    }

    fn from_sec1_der(der: &[u8]) -> Result<Self, KeyError> {
        let key = sec1::EcPrivateKey::from_der(der).map_err(|e| malformed("SEC1", e))?;
        // The curve is normally named; without it, the scalar's length is the only hint.
        let curve = match key.parameters.and_then(|p| p.named_curve()) {
            Some(oid) => oid,
            None if key.private_key.len() == 32 => SECP256R1,
            None if key.private_key.len() == 48 => SECP384R1,
            None => {
                return Err(malformed(
                    "SEC1",
                    "the curve is not named and cannot be inferred",
                ))
            }
        };
        let inner = match curve {
            SECP256R1 => Inner::P256(
                p256::SecretKey::try_from(key)
                    .map_err(|e| malformed("SEC1", e))?
                    .into(),
            ),
            SECP384R1 => Inner::P384(
                p384::SecretKey::try_from(key)
                    .map_err(|e| malformed("SEC1", e))?
                    .into(),
            ),
            other => return Err(KeyError::UnsupportedCurve(curve_name(other))),
        };
        Self::from_inner(inner)
    }

    fn from_pkcs1_der(der: &[u8]) -> Result<Self, KeyError> {
        let parts = pkcs1::RsaPrivateKeyRef::from_der(der).map_err(|e| malformed("RSA", e))?;
        // Check the size before the rsa crate does, to say precisely what is wrong.
        check_rsa_bits(bit_length(parts.modulus.as_bytes()))?;
        let key = rsa::PrivateKey::from_pkcs1_der(der).map_err(|e| malformed("RSA", e))?;
        Self::from_inner(Inner::Rsa(Box::new(key)))
    }
}

fn malformed(format: &'static str, detail: impl fmt::Display) -> KeyError {
    KeyError::Malformed {
        format,
        detail: detail.to_string(),
    }
}

fn check_rsa_bits(bits: usize) -> Result<(), KeyError> {
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
        format: "DER file",
        found: what.to_string(),
    };
    if is_encrypted_pkcs8(der) {
        KeyError::Encrypted
    } else if x509_cert::Certificate::from_der(der).is_ok() {
        found("a certificate")
    } else if x509_cert::request::CertReq::from_der(der).is_ok() {
        found("a certificate signing request")
    } else if spki::SubjectPublicKeyInfoRef::from_der(der).is_ok() {
        found("only a public key")
    } else {
        KeyError::Unrecognized(
            "not a private key in any format we know (PEM, DER PKCS#8/SEC1/PKCS#1, or JWK)".into(),
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

// ---------------------------------------------------------------------------------------------------------
// Import: JWK (RFC 7517, RFC 7518 §6)
// ---------------------------------------------------------------------------------------------------------

impl PrivateKey {
    /// Reads a private JWK: EC P-256/P-384 with "d" (RFC 7518 §6.2.2), or RSA with n, e, d, p, q; dp, dq,
    /// qi are optional and checked when present (§6.3.2). A JWK Set with a single key is accepted too.
    pub fn from_jwk(json: &str) -> Result<Self, KeyError> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| KeyError::InvalidJwk(format!("not valid JSON ({e})")))?;
        let jwk = single_jwk(&value)?;
        match jwk_str(jwk, "kty")? {
            "EC" => Self::from_ec_jwk(jwk),
            "RSA" => Self::from_rsa_jwk(jwk),
            "OKP" => Err(KeyError::UnsupportedAlgorithm(format!(
                "{} (OKP)",
                jwk_str(jwk, "crv").unwrap_or("EdDSA")
            ))),
            "oct" => Err(KeyError::NotAPrivateKey {
                format: "JWK",
                found: "a symmetric (oct) key".into(),
            }),
            other => Err(KeyError::UnsupportedAlgorithm(format!("\"{other}\""))),
        }
    }

    fn from_ec_jwk(jwk: &Value) -> Result<Self, KeyError> {
        require_private(jwk)?;
        let crv = jwk_str(jwk, "crv")?;
        let inner = match crv {
            "P-256" => Inner::P256(
                p256::ecdsa::SigningKey::from_slice(&jwk_uint(jwk, "d", 32)?).map_err(|_| {
                    KeyError::InvalidJwk("\"d\" is not a valid P-256 private key".into())
                })?,
            ),
            "P-384" => Inner::P384(
                p384::ecdsa::SigningKey::from_slice(&jwk_uint(jwk, "d", 48)?).map_err(|_| {
                    KeyError::InvalidJwk("\"d\" is not a valid P-384 private key".into())
                })?,
            ),
            other => return Err(KeyError::UnsupportedCurve(other.to_string())),
        };
        let key = Self::from_inner(inner)?;
        key.check_jwk_members(jwk, &["x", "y"])?;
        Ok(key)
    }

    fn from_rsa_jwk(jwk: &Value) -> Result<Self, KeyError> {
        require_private(jwk)?;
        let n = jwk_bytes(jwk, "n")?;
        let n = strip_leading_zeros(&n);
        check_rsa_bits(bit_length(n))?;
        // All integers share the modulus' precision, as the rsa crate does when decoding PKCS#1.
        let bits =
            u32::try_from(n.len() * 8).map_err(|_| KeyError::RsaTooLarge { bits: n.len() * 8 })?;
        let uint = |name: &str| -> Result<BoxedUint, KeyError> {
            let bytes = jwk_bytes(jwk, name)?;
            BoxedUint::from_be_slice(strip_leading_zeros(&bytes), bits).map_err(|_| {
                KeyError::InvalidJwk(format!("member \"{name}\" is larger than the modulus"))
            })
        };
        let e = big_uint(&jwk_bytes(jwk, "e")?)?;
        let primes = match (jwk.get("p"), jwk.get("q")) {
            (Some(_), Some(_)) => vec![uint("p")?, uint("q")?],
            // Without the primes the rsa crate recovers them from n, e and d (NIST SP 800-56B App. C.2).
            _ => Vec::new(),
        };
        let key =
            rsa::PrivateKey::from_components(uint("n")?, e, uint("d")?, primes).map_err(|err| {
                KeyError::InvalidJwk(format!("the RSA members do not form a valid key ({err})"))
            })?;
        let key = Self::from_inner(Inner::Rsa(Box::new(key)))?;
        key.check_jwk_members(jwk, &["dp", "dq", "qi"])?;
        Ok(key)
    }

    /// Optional members present in an imported JWK must agree with the ones derived from the key.
    fn check_jwk_members(&self, jwk: &Value, names: &[&str]) -> Result<(), KeyError> {
        let ours: Value = serde_json::from_str(&self.enc.private_jwk).unwrap_or_default();
        for name in names {
            if jwk.get(*name).is_none() {
                continue;
            }
            let theirs = jwk_bytes(jwk, name)?;
            let expected = jwk_bytes(&ours, name)?;
            if strip_leading_zeros(&theirs) != strip_leading_zeros(&expected) {
                return Err(KeyError::InvalidJwk(format!(
                    "member \"{name}\" does not match the private key"
                )));
            }
        }
        Ok(())
    }
}

/// A JWK object, or the only key of a JWK Set (RFC 7517 §5).
fn single_jwk(value: &Value) -> Result<&Value, KeyError> {
    match value.get("keys") {
        None if value.is_object() => Ok(value),
        None => Err(KeyError::InvalidJwk("expected a JSON object".into())),
        Some(Value::Array(keys)) if keys.len() == 1 => Ok(&keys[0]),
        Some(Value::Array(keys)) => Err(KeyError::InvalidJwk(format!(
            "this JWK Set holds {} keys; give exactly one",
            keys.len()
        ))),
        Some(_) => Err(KeyError::InvalidJwk("\"keys\" must be an array".into())),
    }
}

fn require_private(jwk: &Value) -> Result<(), KeyError> {
    if jwk.get("d").is_none() {
        return Err(KeyError::NotAPrivateKey {
            format: "JWK",
            found: "only a public key (it has no \"d\" member)".into(),
        });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// Import: auto-detection
// ---------------------------------------------------------------------------------------------------------

impl PrivateKey {
    /// Reads a key from a file a person dropped, whatever its format: PEM, JWK JSON, DER, or the base64 of
    /// DER (which is also how a [`PrivateKey`] serializes).
    pub fn parse(input: &[u8]) -> Result<Self, KeyError> {
        let text = std::str::from_utf8(input)
            .ok()
            .map(|t| t.trim_start_matches('\u{feff}').trim());
        match text {
            _ if input.iter().all(u8::is_ascii_whitespace) => {
                Err(KeyError::Unrecognized("the input is empty".into()))
            }
            Some(t) if t.contains("-----BEGIN ") => Self::from_pem(t),
            Some(t) if t.starts_with('{') => Self::from_jwk(t),
            Some(t) if looks_like_base64(t) => Self::from_base64_der(t),
            _ if input.first() == Some(&0x30) => Self::from_der(input),
            _ => Err(KeyError::Unrecognized(
                "not a private key in any format we know (PEM, DER PKCS#8/SEC1/PKCS#1, or JWK)"
                    .into(),
            )),
        }
    }

    fn from_base64_der(text: &str) -> Result<Self, KeyError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let der = b64::decode(&compact)
            .or_else(|_| STANDARD.decode(&compact))
            .map_err(|_| {
                KeyError::Unrecognized("the text is neither PEM, JWK nor base64".into())
            })?;
        Self::from_der(&Zeroizing::new(der))
    }
}

fn looks_like_base64(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '+' | '/' | '-' | '_' | '=')
                || c.is_whitespace()
        })
}

// ---------------------------------------------------------------------------------------------------------
// Serde and Debug
// ---------------------------------------------------------------------------------------------------------

impl Serialize for PrivateKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&b64::encode(self.enc.pkcs8_der.as_slice()))
    }
}

impl<'de> Deserialize<'de> for PrivateKey {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = Zeroizing::new(String::deserialize(deserializer)?);
        let der = Zeroizing::new(b64::decode(&text).map_err(serde::de::Error::custom)?);
        PrivateKey::from_der(&der).map_err(serde::de::Error::custom)
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

/// Scratch directories and an OpenSSL runner for the cross-checks in this crate's tests.
#[cfg(test)]
pub(crate) mod test_support {
    use std::path::PathBuf;
    use std::process::{Command, Output};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A fresh directory under the system temp dir, removed when dropped.
    pub(crate) struct Scratch(PathBuf);

    impl Scratch {
        pub(crate) fn new(tag: &str) -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let dir =
                std::env::temp_dir().join(format!("certsmith-{tag}-{}-{n}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create scratch directory");
            Scratch(dir)
        }

        pub(crate) fn path(&self, name: &str) -> PathBuf {
            self.0.join(name)
        }

        pub(crate) fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
            std::fs::write(self.path(name), bytes).expect("write scratch file");
        }

        pub(crate) fn read(&self, name: &str) -> Vec<u8> {
            std::fs::read(self.path(name)).expect("read scratch file")
        }

        pub(crate) fn read_text(&self, name: &str) -> String {
            String::from_utf8(self.read(name)).expect("scratch file is UTF-8")
        }

        /// Runs `openssl args…` in this directory.
        pub(crate) fn run_openssl(&self, args: &[&str]) -> Output {
            Command::new("openssl")
                .args(args)
                .current_dir(&self.0)
                .output()
                .expect("run openssl")
        }

        /// Runs `openssl args…` in this directory, insists it succeeds, returns its stdout.
        pub(crate) fn openssl(&self, args: &[&str]) -> String {
            let out = self.run_openssl(args);
            assert!(
                out.status.success(),
                "openssl {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8_lossy(&out.stdout).into_owned()
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::Scratch;
    use super::*;
    use serde_json::json;

    /// The RSA JWK of RFC 7638 §3.1 (the key of RFC 7517 Appendix A.1).
    const RFC7638_JWK: &str = r#"{
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    }"#;

    /// One key of every kind. RSA 3072/4096 come from OpenSSL because generating them in an unoptimized
    /// test build takes long; `generate` itself is exercised for P-256, P-384 and RSA 2048 here and for
    /// every type in examples/keygen_bench.rs.
    fn sample_keys(scratch: &Scratch) -> Vec<PrivateKey> {
        let mut keys: Vec<PrivateKey> = [KeyType::P256, KeyType::P384, KeyType::Rsa2048]
            .map(|kind| PrivateKey::generate(kind).unwrap())
            .into();
        for bits in ["3072", "4096"] {
            let name = format!("rsa{bits}.pem");
            let bits_opt = format!("rsa_keygen_bits:{bits}");
            scratch.openssl(&[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                &bits_opt,
                "-out",
                &name,
            ]);
            keys.push(PrivateKey::from_pem(&scratch.read_text(&name)).unwrap());
        }
        keys
    }

    fn openssl_key(scratch: &Scratch, name: &str, args: &[&str]) -> (PrivateKey, Vec<u8>) {
        // "-out" right after the subcommand: genrsa wants the key size as its last argument.
        let mut full = args.to_vec();
        full.splice(1..1, ["-out", name]);
        scratch.openssl(&full);
        let bytes = scratch.read(name);
        (
            PrivateKey::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")),
            bytes,
        )
    }

    fn openssl_spki(scratch: &Scratch, pem_file: &str) -> Vec<u8> {
        let out = format!("{pem_file}.spki.der");
        scratch.openssl(&[
            "pkey", "-in", pem_file, "-pubout", "-outform", "DER", "-out", &out,
        ]);
        scratch.read(&out)
    }

    #[test]
    fn rfc_7638_thumbprint_example() {
        let jwk: Value = serde_json::from_str(RFC7638_JWK).unwrap();
        assert_eq!(
            jwk_thumbprint(&jwk).unwrap(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn public_jwk_has_exactly_the_required_members() {
        for kind in [KeyType::P256, KeyType::P384] {
            let key = PrivateKey::generate(kind).unwrap();
            let jwk = key.public_jwk();
            let names: Vec<&String> = jwk.as_object().unwrap().keys().collect();
            assert_eq!(names, ["crv", "kty", "x", "y"]);
            let size = if kind == KeyType::P256 { 32 } else { 48 };
            assert_eq!(b64::decode(jwk["x"].as_str().unwrap()).unwrap().len(), size);
            assert_eq!(b64::decode(jwk["y"].as_str().unwrap()).unwrap().len(), size);
            // The canonical serialization is the object itself: sorted, no whitespace (RFC 7638 §3.3).
            let canonical = jwk.to_string();
            assert!(canonical.starts_with(r#"{"crv":"P-"#) && !canonical.contains(' '));
            assert_eq!(
                key.thumbprint(),
                b64::encode(Sha256::digest(canonical.as_bytes()))
            );
            assert_eq!(
                key.thumbprint(),
                jwk_thumbprint(&serde_json::from_str(&key.to_private_jwk()).unwrap()).unwrap()
            );
        }
        let scratch = Scratch::new("jwk-members");
        let (rsa, _) = openssl_key(&scratch, "r.pem", &["genpkey", "-algorithm", "RSA"]);
        let jwk = rsa.public_jwk();
        assert_eq!(
            jwk.as_object().unwrap().keys().collect::<Vec<_>>(),
            ["e", "kty", "n"]
        );
        assert_eq!(jwk["e"], "AQAB");
        assert_eq!(b64::decode(jwk["n"].as_str().unwrap()).unwrap().len(), 256);
    }

    #[test]
    fn key_type_names() {
        for (text, kind) in [
            ("p256", KeyType::P256),
            ("P-256", KeyType::P256),
            ("ec256", KeyType::P256),
            ("ES256", KeyType::P256),
            ("prime256v1", KeyType::P256),
            ("p-384", KeyType::P384),
            ("secp384r1", KeyType::P384),
            ("rsa2048", KeyType::Rsa2048),
            ("RSA-3072", KeyType::Rsa3072),
            (" rsa_4096 ", KeyType::Rsa4096),
        ] {
            assert_eq!(text.parse::<KeyType>().unwrap(), kind, "{text}");
        }
        let err = "p521".parse::<KeyType>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown key type \"p521\"; use one of p256, p384, rsa2048, rsa3072, rsa4096"
        );
        for kind in KeyType::ALL {
            assert_eq!(kind.to_string().parse::<KeyType>().unwrap(), kind);
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.to_string()));
            assert_eq!(
                serde_json::from_value::<KeyType>(json!(kind.as_str())).unwrap(),
                kind
            );
        }
        assert_eq!(KeyType::P256.label(), "ECDSA P-256");
        assert_eq!(KeyType::Rsa4096.jws_alg(), "RS256");
    }

    #[test]
    fn signs_and_verifies_with_every_key_type() {
        let scratch = Scratch::new("sign");
        for key in sample_keys(&scratch) {
            let input = b"eyJhbGciOiJFUzI1NiJ9.eyJoZWxsbyI6IndvcmxkIn0";
            let sig = key.sign(input).unwrap();
            let expected_len = match key.jws_alg() {
                "ES256" => 64,
                "ES384" => 96,
                _ => key.bits() / 8,
            };
            assert_eq!(sig.len(), expected_len, "{}", key.describe());
            let jwk = key.public_jwk();
            verify_jws_signature(&jwk, key.jws_alg(), input, &sig).unwrap();

            let mut tampered = sig.clone();
            tampered[5] ^= 1;
            let err = verify_jws_signature(&jwk, key.jws_alg(), input, &tampered).unwrap_err();
            assert!(matches!(err, KeyError::BadSignature(_)), "{err}");
            assert!(verify_jws_signature(&jwk, key.jws_alg(), b"other input", &sig).is_err());
        }
    }

    #[test]
    fn verification_refuses_mismatched_algorithms() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let sig = key.sign(b"x").unwrap();
        let err = verify_jws_signature(&key.public_jwk(), "ES384", b"x", &sig).unwrap_err();
        assert_eq!(
            err.to_string(),
            "ES384 needs a P-384 key, but the JWK is P-256"
        );
        let err = verify_jws_signature(&key.public_jwk(), "RS256", b"x", &sig).unwrap_err();
        assert_eq!(err.to_string(), "RS256 needs an RSA key, but the JWK is EC");
        let err = verify_jws_signature(&key.public_jwk(), "HS256", b"x", &sig).unwrap_err();
        assert!(matches!(err, KeyError::UnsupportedJwsAlgorithm(_)));
        let err = verify_jws_signature(&key.public_jwk(), "ES256", b"x", &sig[..63]).unwrap_err();
        assert!(err.to_string().contains("64 bytes"), "{err}");
    }

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
                PrivateKey::from_jwk(&key.to_private_jwk()).unwrap(),
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
                PrivateKey::parse(key.to_private_jwk().as_bytes()).unwrap(),
                key,
                "{what} parse JWK"
            );
            if let Some(sec1) = key.to_sec1_pem() {
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
    fn describes_keys() {
        let scratch = Scratch::new("describe");
        let (odd, _) = openssl_key(
            &scratch,
            "odd.pem",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2304",
            ],
        );
        assert_eq!(odd.key_type(), None);
        assert_eq!(odd.describe(), "RSA 2304");
        assert_eq!(odd.bits(), 2304);
        assert_eq!(odd.jws_alg(), "RS256");
        let p384 = PrivateKey::generate(KeyType::P384).unwrap();
        assert_eq!(
            (p384.key_type(), p384.describe(), p384.bits()),
            (Some(KeyType::P384), "ECDSA P-384".into(), 384)
        );
    }

    #[test]
    fn debug_hides_the_key_material() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let shown = format!("{key:?}");
        let jwk: Value = serde_json::from_str(&key.to_private_jwk()).unwrap();
        assert!(
            shown.contains("ECDSA P-256") && shown.contains(&key.thumbprint()),
            "{shown}"
        );
        assert!(!shown.contains(jwk["d"].as_str().unwrap()));
        assert!(!shown.contains(&b64::encode(key.to_pkcs8_der())));
    }

    #[test]
    fn openssl_reads_our_keys() {
        let scratch = Scratch::new("openssl-reads");
        for (i, key) in sample_keys(&scratch).into_iter().enumerate() {
            let mut files = vec![(format!("k{i}.pem"), key.to_pkcs8_pem())];
            files.extend(
                key.to_sec1_pem()
                    .map(|sec1| (format!("k{i}-sec1.pem"), sec1)),
            );
            for (name, pem) in files {
                scratch.write(&name, &pem);
                scratch.openssl(&["pkey", "-in", &name, "-noout"]);
                assert_eq!(
                    openssl_spki(&scratch, &name),
                    key.public_key_spki_der(),
                    "{name}"
                );
            }
        }
    }

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

    #[test]
    fn openssl_verifies_our_signatures() {
        let scratch = Scratch::new("openssl-verifies");
        let data = b"protected.payload";
        scratch.write("data.bin", data);
        for (i, key) in sample_keys(&scratch).into_iter().enumerate() {
            let sig = key.sign(data).unwrap();
            // OpenSSL wants ECDSA signatures in DER, JWS uses r ‖ s (RFC 7518 §3.4).
            let (sig, digest) = match key.jws_alg() {
                "ES256" => (
                    p256::ecdsa::Signature::from_slice(&sig)
                        .unwrap()
                        .to_der()
                        .to_bytes()
                        .to_vec(),
                    "-sha256",
                ),
                "ES384" => (
                    p384::ecdsa::Signature::from_slice(&sig)
                        .unwrap()
                        .to_der()
                        .to_bytes()
                        .to_vec(),
                    "-sha384",
                ),
                _ => (sig, "-sha256"),
            };
            let (pem, public, signature) = (
                format!("k{i}.pem"),
                format!("pub{i}.pem"),
                format!("sig{i}.bin"),
            );
            scratch.write(&pem, key.to_pkcs8_pem());
            scratch.write(&signature, &sig);
            scratch.openssl(&["pkey", "-in", &pem, "-pubout", "-out", &public]);
            let out = scratch.openssl(&[
                "dgst",
                digest,
                "-verify",
                &public,
                "-signature",
                &signature,
                "data.bin",
            ]);
            assert_eq!(out.trim(), "Verified OK", "{}", key.describe());
        }
    }

    #[test]
    fn tolerates_surrounding_text_crlf_and_indentation() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let pasted = format!(
            "Here is the key you asked for:\r\n\r\n{}\r\nBest regards\r\n",
            key.to_pkcs8_pem()
                .lines()
                .map(|l| format!("    {l}  "))
                .collect::<Vec<_>>()
                .join("\r\n")
        );
        assert_eq!(PrivateKey::parse(pasted.as_bytes()).unwrap(), key);
        // One long base64 line, as some web forms produce.
        let body: String = key
            .to_pkcs8_pem()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let joined = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----");
        assert_eq!(PrivateKey::from_pem(&joined).unwrap(), key);
        // A key with its EC parameters first, as `openssl ecparam -genkey` writes without -noout.
        let with_params = format!(
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
            key.to_sec1_pem().unwrap()
        );
        assert_eq!(PrivateKey::from_pem(&with_params).unwrap(), key);
        let two = format!("{}{}", key.to_pkcs8_pem(), key.to_pkcs8_pem());
        assert!(PrivateKey::from_pem(&two)
            .unwrap_err()
            .to_string()
            .contains("more than one private key"));
    }

    #[test]
    fn reads_the_key_out_of_a_combined_certificate_and_key_file() {
        let scratch = Scratch::new("combined");
        scratch.openssl(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-subj",
            "/CN=x.example",
            "-days",
            "1",
        ]);
        let combined = format!(
            "{}{}",
            scratch.read_text("c.pem"),
            scratch.read_text("k.pem")
        );
        assert_eq!(
            PrivateKey::from_pem(&combined).unwrap(),
            PrivateKey::from_pem(&scratch.read_text("k.pem")).unwrap()
        );
    }

    #[test]
    fn rsa_jwk_with_optional_members_left_out() {
        let scratch = Scratch::new("rsa-jwk");
        let (key, _) = openssl_key(&scratch, "r.pem", &["genpkey", "-algorithm", "RSA"]);
        let mut jwk: Value = serde_json::from_str(&key.to_private_jwk()).unwrap();
        for name in ["dp", "dq", "qi"] {
            jwk.as_object_mut().unwrap().remove(name);
        }
        assert_eq!(PrivateKey::from_jwk(&jwk.to_string()).unwrap(), key);
        for name in ["p", "q"] {
            jwk.as_object_mut().unwrap().remove(name);
        }
        // Without p and q the primes are recovered from n, e and d.
        assert_eq!(
            PrivateKey::from_jwk(&jwk.to_string()).unwrap().public_jwk(),
            key.public_jwk()
        );

        let mut wrong: Value = serde_json::from_str(&key.to_private_jwk()).unwrap();
        wrong["dp"] = wrong["dq"].clone();
        let err = PrivateKey::from_jwk(&wrong.to_string()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid JWK: member \"dp\" does not match the private key"
        );
        let set =
            json!({ "keys": [serde_json::from_str::<Value>(&key.to_private_jwk()).unwrap()] });
        assert_eq!(PrivateKey::from_jwk(&set.to_string()).unwrap(), key);
    }

    fn expect_error(input: &[u8]) -> KeyError {
        match PrivateKey::parse(input) {
            Ok(key) => panic!("accepted as {}", key.describe()),
            Err(e) => e,
        }
    }

    #[test]
    fn refuses_what_is_not_a_usable_private_key() {
        let scratch = Scratch::new("refuse");
        let run = |args: &[&str]| {
            scratch.openssl(args);
        };
        run(&[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-subj",
            "/CN=x.example",
            "-days",
            "1",
        ]);
        run(&["x509", "-in", "c.pem", "-outform", "DER", "-out", "c.der"]);
        run(&[
            "req",
            "-new",
            "-key",
            "k.pem",
            "-subj",
            "/CN=x.example",
            "-out",
            "r.pem",
        ]);
        run(&["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"]);
        run(&[
            "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
        ]);
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-aes256",
            "-pass",
            "pass:secret",
            "-out",
            "enc.pem",
        ]);
        run(&[
            "ec",
            "-in",
            "k.pem",
            "-aes128",
            "-passout",
            "pass:secret",
            "-out",
            "legacy-enc.pem",
        ]);
        run(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
            "-out",
            "rsa1024.pem",
        ]);
        run(&[
            "genrsa",
            "-traditional",
            "-out",
            "rsa1024-pkcs1.pem",
            "1024",
        ]);
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-out",
            "p521.pem",
        ]);
        run(&[
            "ecparam",
            "-genkey",
            "-name",
            "secp521r1",
            "-noout",
            "-out",
            "p521-sec1.pem",
        ]);
        run(&[
            "ecparam",
            "-genkey",
            "-name",
            "secp256k1",
            "-noout",
            "-out",
            "k1-sec1.pem",
        ]);
        run(&["genpkey", "-algorithm", "ed25519", "-out", "ed.pem"]);

        let file = |name: &str| scratch.read(name);
        let text = |e: KeyError| e.to_string();
        assert_eq!(
            text(expect_error(&file("c.pem"))),
            "this PEM holds a certificate, not a private key"
        );
        assert_eq!(
            text(expect_error(&file("c.der"))),
            "this DER file holds a certificate, not a private key"
        );
        assert_eq!(
            text(expect_error(&file("r.pem"))),
            "this PEM holds a certificate signing request, not a private key"
        );
        assert_eq!(
            text(expect_error(&file("pub.pem"))),
            "this PEM holds only a public key, not a private key"
        );
        assert_eq!(
            text(expect_error(&file("pub.der"))),
            "this DER file holds only a public key, not a private key"
        );
        assert_eq!(expect_error(&file("enc.pem")), KeyError::Encrypted);
        assert_eq!(expect_error(&file("legacy-enc.pem")), KeyError::Encrypted);
        let encrypted_der = pem_blocks(&scratch.read_text("enc.pem"))
            .unwrap()
            .remove(0)
            .der;
        assert_eq!(expect_error(&encrypted_der), KeyError::Encrypted);
        assert_eq!(
            expect_error(&file("rsa1024.pem")),
            KeyError::RsaTooSmall { bits: 1024 }
        );
        assert_eq!(
            expect_error(&file("rsa1024-pkcs1.pem")),
            KeyError::RsaTooSmall { bits: 1024 }
        );
        assert_eq!(
            text(expect_error(&file("rsa1024.pem"))),
            "this RSA key has only 1024 bits; at least 2048 are required"
        );
        for name in ["p521.pem", "p521-sec1.pem"] {
            assert_eq!(
                text(expect_error(&file(name))),
                "unsupported curve secp521r1 (P-521); use P-256, P-384 or RSA",
                "{name}"
            );
        }
        assert_eq!(
            expect_error(&file("k1-sec1.pem")),
            KeyError::UnsupportedCurve("secp256k1".into())
        );
        assert_eq!(
            text(expect_error(&file("ed.pem"))),
            "unsupported key type Ed25519; use ECDSA P-256, P-384 or RSA"
        );

        assert!(matches!(expect_error(b""), KeyError::Unrecognized(_)));
        assert!(matches!(expect_error(b"  \n"), KeyError::Unrecognized(_)));
        assert!(matches!(
            expect_error(b"\x01\x02\xffhello"),
            KeyError::Unrecognized(_)
        ));
        assert!(matches!(
            expect_error(b"hello world, this is not a key!"),
            KeyError::Unrecognized(_)
        ));
        assert!(matches!(
            expect_error(&[0x30, 0x03, 0x02, 0x01, 0x00]),
            KeyError::Unrecognized(_)
        ));
        let truncated: String = scratch
            .read_text("k.pem")
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text(expect_error(truncated.as_bytes()))
            .contains("has no \"-----END PRIVATE KEY-----\" line"));
        let bad_base64 = "-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n";
        assert!(text(expect_error(bad_base64.as_bytes())).contains("not valid base64"));
    }

    #[test]
    fn refuses_unusable_jwks() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let private: Value = serde_json::from_str(&key.to_private_jwk()).unwrap();
        let with = |name: &str, value: Value| {
            let mut jwk = private.clone();
            jwk[name] = value;
            PrivateKey::from_jwk(&jwk.to_string())
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            PrivateKey::from_jwk(&key.public_jwk().to_string())
                .unwrap_err()
                .to_string(),
            "this JWK holds only a public key (it has no \"d\" member), not a private key"
        );
        assert_eq!(
            with("x", private["y"].clone()),
            "invalid JWK: member \"x\" does not match the private key"
        );
        assert_eq!(
            with("crv", json!("P-521")),
            "unsupported curve P-521; use P-256, P-384 or RSA"
        );
        assert_eq!(
            with("d", json!("!!")),
            "invalid JWK: member \"d\" is not base64url"
        );
        assert_eq!(
            with("d", json!(b64::encode([0u8; 32]))),
            "invalid JWK: \"d\" is not a valid P-256 private key"
        );
        assert_eq!(
            with("d", json!(b64::encode([1u8; 33]))),
            "invalid JWK: member \"d\" is 33 bytes; this curve needs 32"
        );
        assert_eq!(
            with("kty", json!("oct")),
            "this JWK holds a symmetric (oct) key, not a private key"
        );
        assert_eq!(
            with("kty", json!(7)),
            "invalid JWK: member \"kty\" must be a string"
        );
        assert!(PrivateKey::from_jwk("{not json")
            .unwrap_err()
            .to_string()
            .starts_with("invalid JWK: not valid JSON"));
        assert!(PrivateKey::from_jwk("[]").is_err());
        let rsa_small =
            json!({"kty": "RSA", "n": b64::encode([0xffu8; 128]), "e": "AQAB", "d": "AQAB"});
        assert_eq!(
            PrivateKey::from_jwk(&rsa_small.to_string()).unwrap_err(),
            KeyError::RsaTooSmall { bits: 1024 }
        );
        let rsa_bogus = json!({"kty": "RSA", "n": b64::encode([0xffu8; 256]), "e": "AQAB", "d": "AQAB", "p": "Aw", "q": "BQ"});
        let no_primes =
            json!({"kty": "RSA", "n": b64::encode([0xffu8; 256]), "e": "AQAB", "d": "AQAB"});
        assert!(PrivateKey::from_jwk(&no_primes.to_string()).is_err());
        assert!(PrivateKey::from_jwk(&rsa_bogus.to_string())
            .unwrap_err()
            .to_string()
            .starts_with("invalid JWK: the RSA members"));
    }

    #[test]
    fn damaged_keys_are_refused_without_panicking() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let der = key.to_pkcs8_der();
        for len in 0..der.len() {
            assert!(
                PrivateKey::parse(&der[..len]).is_err(),
                "truncated to {len}"
            );
        }
        for i in 0..der.len() {
            let mut flipped = der.clone();
            flipped[i] ^= 0xff;
            let _ = PrivateKey::parse(&flipped);
        }
        let scratch = Scratch::new("damaged");
        let (rsa, _) = openssl_key(&scratch, "r.pem", &["genrsa", "-traditional", "2048"]);
        let pkcs8 = rsa.to_pkcs8_der();
        for len in (0..pkcs8.len()).step_by(7) {
            assert!(
                PrivateKey::parse(&pkcs8[..len]).is_err(),
                "truncated to {len}"
            );
        }
    }

    /// A measurement, not a benchmark assertion: prints how long EC key generation takes in this build.
    /// RSA numbers come from `cargo run --release --example keygen_bench`.
    #[test]
    fn measures_ec_key_generation() {
        for kind in [KeyType::P256, KeyType::P384] {
            let start = std::time::Instant::now();
            let rounds = 5;
            for _ in 0..rounds {
                PrivateKey::generate(kind).unwrap();
            }
            eprintln!(
                "{}: {:?} per key (unoptimized test build)",
                kind.label(),
                start.elapsed() / rounds
            );
        }
    }
}
