//! Every encoding of a key, computed once when the key is made, and the export methods that hand them
//! out: PKCS#8 (RFC 5958) as DER and PEM (RFC 7468 §10), SEC1 PEM (RFC 5915) for ECDSA keys, the
//! SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), the private and public JWK (RFC 7518 §6) and the RFC 7638
//! thumbprint.

use std::fmt;

use der::pem::LineEnding;
use der::zeroize::Zeroizing;
use der::Decode;
use pkcs8::{EncodePrivateKey, EncodePublicKey};
use rsa::pkcs1::EncodeRsaPrivateKey;
use serde_json::{Map, Value};

use super::jwk::{ec_public_jwk, jwk_thumbprint, rsa_public_jwk};
use super::{Inner, KeyError, PrivateKey};
use crate::b64;

/// Every encoding of the key, computed once when the key is made so that exporting can never fail.
#[derive(Clone)]
pub(super) struct Encodings {
    pub(super) pkcs8_der: Zeroizing<Vec<u8>>,
    pkcs8_pem: Zeroizing<String>,
    sec1_pem: Option<Zeroizing<String>>,
    pub(super) private_jwk: Zeroizing<String>,
    spki_der: Vec<u8>,
    public_jwk: Value,
    pub(super) thumbprint: String,
}

impl PrivateKey {
    /// Every key passes through here, so every key has all its encodings.
    pub(super) fn from_inner(inner: Inner) -> Result<Self, KeyError> {
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
                        crate::t!("the public key is the point at infinity").into(),
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

#[cfg(test)]
mod tests {
    use crate::pki::key::test_support::{openssl_spki, sample_keys, Scratch};

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
}
