//! The encodings of a key and the export methods that hand them out: PKCS#8 (RFC 5958) as DER and PEM
//! (RFC 7468 §10), the SubjectPublicKeyInfo (RFC 5280 §4.1.2.7), the public JWK (RFC 7518 §6) and the
//! RFC 7638 thumbprint, computed once when the key is made; SEC1 PEM (RFC 5915) for ECDSA keys and the
//! private JWK, written when asked.
//!
//! All of them come from the PKCS#8 alone, by DER decoding and encoding, with no key arithmetic: an RSA
//! key's PKCS#8 carries n and e (RFC 8017 §A.1.2), an EC key's the public point when its writer put it in
//! (RFC 5915 §3 makes `publicKey` optional; [`PrivateKey::from_inner`] always writes it, and a key the
//! page holds comes from there or from WebCrypto, whose export has it). That is what lets the
//! page hold keys without linking curve or big-integer code: WebCrypto signs for it.

use std::fmt;

use der::asn1::{AnyRef, BitStringRef};
use der::oid::ObjectIdentifier;
use der::pem::LineEnding;
use der::zeroize::Zeroizing;
use der::{Decode, Encode, EncodePem};
use pkcs8::EncodePrivateKey;
use serde_json::{Map, Value};
use spki::{AlgorithmIdentifierRef, SubjectPublicKeyInfoRef};

use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1};

use super::asn1::{algorithm_name, check_rsa_bits, curve_name, malformed};
use super::jwk::{ec_public_jwk, jwk_thumbprint, rsa_public_jwk};
use super::{bit_length, Inner, KeyError, PrivateKey, Shape};
use crate::b64;

/// The encodings of the key the page uses, computed once when the key is made so that exporting them can
/// never fail. The SEC1 PEM and the private JWK are written when asked (by the native tools and the jobs
/// module; the page never asks), so that their encoders stay out of the page's wasm.
#[derive(Clone)]
pub(super) struct Encodings {
    pub(super) pkcs8_der: Zeroizing<Vec<u8>>,
    pkcs8_pem: Zeroizing<String>,
    spki_der: Vec<u8>,
    public_jwk: Value,
    pub(super) thumbprint: String,
}

impl PrivateKey {
    /// A key from its material: written as PKCS#8 by the RustCrypto encoder (which always includes an EC
    /// key's public point), then described from that PKCS#8 like any other.
    pub(super) fn from_inner(inner: Inner) -> Result<Self, KeyError> {
        let pkcs8 = match &inner {
            Inner::P256(key) => key.to_pkcs8_der(),
            Inner::P384(key) => key.to_pkcs8_der(),
            Inner::Rsa(key) => key.to_pkcs8_der(),
        }
        .map_err(encoding_error)?;
        let key = Self::from_stored_pkcs8(pkcs8.as_bytes())?;
        // The material is at hand: keep it for signing rather than reading it again.
        let _ = key.material.set(inner);
        Ok(key)
    }

    /// Reads a PKCS#8 (RFC 5958) key that carries its public key, as this crate writes it (saved state, a
    /// job's answer) and as WebCrypto exports the keys it makes, without checking that the public key
    /// belongs to the private one: DER only, no key arithmetic, which is why the page reads keys with this
    /// and nothing else. A key someone brings goes through
    /// [`parse`](Self::parse) or [`from_pkcs8_der`](Self::from_pkcs8_der), which do check.
    pub fn from_stored_pkcs8(der: &[u8]) -> Result<Self, KeyError> {
        let (shape, enc) = Encodings::from_pkcs8(der)?;
        Ok(PrivateKey {
            shape,
            enc,
            material: Default::default(),
        })
    }
}

impl Encodings {
    /// What the key is and the encodings the page uses, from its PKCS#8 alone (see the module's doc).
    pub(super) fn from_pkcs8(der: &[u8]) -> Result<(Shape, Encodings), KeyError> {
        let contents = Contents::read(der)?;
        let public_jwk = contents.public_jwk();
        let pkcs8_pem = der::pem::encode_string("PRIVATE KEY", LineEnding::LF, der)
            .map(Zeroizing::new)
            .map_err(encoding_error)?;
        let thumbprint = jwk_thumbprint(&public_jwk)?;
        Ok((
            contents.shape(),
            Encodings {
                pkcs8_der: Zeroizing::new(der.to_vec()),
                pkcs8_pem,
                spki_der: contents.spki_der()?,
                public_jwk,
                thumbprint,
            },
        ))
    }
}

/// A PKCS#8 key's contents, read by DER alone: the SEC1 ECPrivateKey (RFC 5915) with its curve and public
/// point, or the PKCS#1 RSAPrivateKey (RFC 8017 §A.1.2).
enum Contents<'a> {
    Ec {
        shape: Shape,
        curve: ObjectIdentifier,
        sec1: sec1::EcPrivateKey<'a>,
        /// The uncompressed point 04 ‖ x ‖ y, with fixed-size coordinates (SEC 1 §2.3.3).
        point: &'a [u8],
    },
    Rsa {
        bits: usize,
        pkcs1: pkcs1::RsaPrivateKeyRef<'a>,
    },
}

impl<'a> Contents<'a> {
    fn read(der: &'a [u8]) -> Result<Self, KeyError> {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|e| malformed("PKCS#8", e))?;
        let private_key = info.private_key.as_bytes();
        match info.algorithm.oid {
            ID_EC_PUBLIC_KEY => {
                let curve = info
                    .algorithm
                    .parameters_oid()
                    .map_err(|e| malformed("PKCS#8", e))?;
                Self::read_ec(curve, private_key)
            }
            RSA_ENCRYPTION => {
                let pkcs1 = pkcs1::RsaPrivateKeyRef::from_der(private_key)
                    .map_err(|e| malformed("RSA", e))?;
                let bits = bit_length(pkcs1.modulus.as_bytes());
                check_rsa_bits(bits)?;
                Ok(Contents::Rsa { bits, pkcs1 })
            }
            other => Err(KeyError::UnsupportedAlgorithm(algorithm_name(other))),
        }
    }

    fn read_ec(curve: ObjectIdentifier, sec1_der: &'a [u8]) -> Result<Self, KeyError> {
        let shape = match curve {
            SECP_256_R_1 => Shape::P256,
            SECP_384_R_1 => Shape::P384,
            other => return Err(KeyError::UnsupportedCurve(curve_name(other))),
        };
        let size = shape.bits() / 8;
        let sec1 = sec1::EcPrivateKey::from_der(sec1_der).map_err(|e| malformed("SEC1", e))?;
        let point = sec1.public_key.ok_or_else(|| {
            malformed(
                "PKCS#8",
                crate::t!("the EC key does not carry its public key"),
            )
        })?;
        let uncompressed = point.len() == 1 + 2 * size && point[0] == 4;
        if !uncompressed || sec1.private_key.len() != size {
            return Err(malformed(
                "SEC1",
                crate::t!(
                    "the key is not an uncompressed {crv} key",
                    crv = shape.crv()
                ),
            ));
        }
        Ok(Contents::Ec {
            shape,
            curve,
            sec1,
            point,
        })
    }

    fn shape(&self) -> Shape {
        match self {
            Contents::Ec { shape, .. } => *shape,
            Contents::Rsa { bits, .. } => Shape::Rsa { bits: *bits },
        }
    }

    /// The public JWK, exactly the required members (RFC 7518 §6.2.1, §6.3.1).
    fn public_jwk(&self) -> Value {
        match self {
            Contents::Ec { shape, point, .. } => {
                let (x, y) = point[1..].split_at(shape.bits() / 8);
                ec_public_jwk(shape.crv(), x, y)
            }
            Contents::Rsa { pkcs1, .. } => {
                rsa_public_jwk(pkcs1.modulus.as_bytes(), pkcs1.public_exponent.as_bytes())
            }
        }
    }

    /// The private JWK (RFC 7518 §6.2.2 for EC: d; §6.3.2 for RSA: d, p, q, dp, dq, qi).
    fn private_jwk(&self) -> Value {
        let mut jwk = json_object(&self.public_jwk());
        let private: Vec<(&str, &[u8])> = match self {
            Contents::Ec { sec1, .. } => vec![("d", sec1.private_key)],
            Contents::Rsa { pkcs1, .. } => vec![
                ("d", pkcs1.private_exponent.as_bytes()),
                ("p", pkcs1.prime1.as_bytes()),
                ("q", pkcs1.prime2.as_bytes()),
                ("dp", pkcs1.exponent1.as_bytes()),
                ("dq", pkcs1.exponent2.as_bytes()),
                ("qi", pkcs1.coefficient.as_bytes()),
            ],
        };
        for (name, value) in private {
            jwk.insert(name.into(), Value::String(b64::encode(value)));
        }
        Value::Object(jwk)
    }

    fn spki_der(&self) -> Result<Vec<u8>, KeyError> {
        match self {
            Contents::Ec { curve, point, .. } => spki_der(
                AlgorithmIdentifierRef {
                    oid: ID_EC_PUBLIC_KEY,
                    parameters: Some(AnyRef::from(curve)),
                },
                point,
            ),
            Contents::Rsa { pkcs1, .. } => {
                let public_key = pkcs1::RsaPublicKey {
                    modulus: pkcs1.modulus,
                    public_exponent: pkcs1.public_exponent,
                }
                .to_der()
                .map_err(encoding_error)?;
                // rsaEncryption takes an explicit NULL parameter (RFC 3279 §2.3.1).
                spki_der(
                    AlgorithmIdentifierRef {
                        oid: RSA_ENCRYPTION,
                        parameters: Some(AnyRef::NULL),
                    },
                    &public_key,
                )
            }
        }
    }

    /// SEC1 on its own names its curve (RFC 5915 §3), which PKCS#8 says in its algorithm instead.
    fn sec1_pem(&self) -> Result<Option<String>, KeyError> {
        let Contents::Ec { curve, sec1, .. } = self else {
            return Ok(None);
        };
        let named = sec1::EcPrivateKey {
            parameters: Some(sec1::EcParameters::NamedCurve(*curve)),
            ..sec1.clone()
        };
        let pem = named.to_pem(LineEnding::LF).map_err(encoding_error)?;
        Ok(Some(pem))
    }
}

fn spki_der(algorithm: AlgorithmIdentifierRef<'_>, public_key: &[u8]) -> Result<Vec<u8>, KeyError> {
    SubjectPublicKeyInfoRef {
        algorithm,
        subject_public_key: BitStringRef::from_bytes(public_key).map_err(encoding_error)?,
    }
    .to_der()
    .map_err(encoding_error)
}

fn encoding_error(e: impl fmt::Display) -> KeyError {
    KeyError::Encoding(e.to_string())
}

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

    /// SEC1 PEM ("-----BEGIN EC PRIVATE KEY-----", RFC 5915) for ECDSA keys; `None` for RSA. Written when
    /// asked (the page never asks), from the PKCS#8 read when the key was made: an error here would be a
    /// defect.
    pub fn to_sec1_pem(&self) -> Result<Option<String>, KeyError> {
        Contents::read(&self.enc.pkcs8_der)?.sec1_pem()
    }

    /// The private JWK as JSON (RFC 7518 §6.2.2 for EC: crv, kty, x, y, d; §6.3.2 for RSA: n, e, d, p, q,
    /// dp, dq, qi). Written when asked, like [`to_sec1_pem`](Self::to_sec1_pem).
    pub fn to_private_jwk(&self) -> Result<String, KeyError> {
        Ok(self.private_jwk_value()?.to_string())
    }

    pub(super) fn private_jwk_value(&self) -> Result<Value, KeyError> {
        Ok(Contents::read(&self.enc.pkcs8_der)?.private_jwk())
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
    use der::pem::LineEnding;
    use p256::pkcs8::EncodePublicKey;

    use super::super::test_support::{openssl_spki, sample_keys, Scratch};
    use super::super::{Inner, KeyType, PrivateKey};

    #[test]
    fn openssl_reads_our_keys() {
        let scratch = Scratch::new("openssl-reads");
        for (i, key) in sample_keys(&scratch).into_iter().enumerate() {
            let mut files = vec![(format!("k{i}.pem"), key.to_pkcs8_pem())];
            files.extend(
                key.to_sec1_pem()
                    .unwrap()
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

    /// The encodings read from the PKCS#8 alone are those RustCrypto computes from the key material.
    #[test]
    fn encodings_from_the_pkcs8_alone_match_the_material() {
        let scratch = Scratch::new("light-encodings");
        for key in sample_keys(&scratch) {
            let what = key.describe();
            let stored = PrivateKey::from_stored_pkcs8(&key.to_pkcs8_der()).unwrap();
            assert_eq!(stored.to_pkcs8_pem(), key.to_pkcs8_pem(), "{what}");
            assert_eq!(stored.describe(), what);
            let (spki, sec1) = match stored.material().unwrap() {
                Inner::P256(k) => (
                    k.verifying_key().to_public_key_der().unwrap().into_vec(),
                    Some(
                        p256::SecretKey::from(k)
                            .to_sec1_pem(LineEnding::LF)
                            .unwrap(),
                    ),
                ),
                Inner::P384(k) => (
                    k.verifying_key().to_public_key_der().unwrap().into_vec(),
                    Some(
                        p384::SecretKey::from(k)
                            .to_sec1_pem(LineEnding::LF)
                            .unwrap(),
                    ),
                ),
                Inner::Rsa(k) => (
                    k.to_public_key().to_public_key_der().unwrap().into_vec(),
                    None,
                ),
            };
            assert_eq!(stored.public_key_spki_der(), spki, "{what} SPKI");
            assert_eq!(
                stored.to_sec1_pem().unwrap(),
                sec1.map(|pem| pem.to_string()),
                "{what} SEC1"
            );
            assert_eq!(
                PrivateKey::from_jwk(&stored.to_private_jwk().unwrap()).unwrap(),
                key,
                "{what} JWK"
            );
        }
    }

    /// A key without its public point (RFC 5915 makes it optional) is read, and written with it, when it is
    /// brought; a stored key must carry it, and says so when it does not.
    #[test]
    fn an_ec_key_without_its_public_point() {
        let scratch = Scratch::new("no-public-point");
        scratch.genpkey_p256("k.pem");
        scratch.openssl(&["ec", "-in", "k.pem", "-no_public", "-out", "bare-sec1.pem"]);
        scratch.openssl(&[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            "bare-sec1.pem",
            "-outform",
            "DER",
            "-out",
            "bare.der",
        ]);
        let bare = scratch.read("bare.der");
        let full = PrivateKey::from_pem(&scratch.read_text("k.pem")).unwrap();
        let read = PrivateKey::from_pkcs8_der(&bare).unwrap();
        assert_eq!(read, full);
        assert_eq!(read.thumbprint(), full.thumbprint());
        let refused = PrivateKey::from_stored_pkcs8(&bare)
            .unwrap_err()
            .to_string();
        assert!(
            refused.contains("does not carry its public key"),
            "{refused}"
        );
    }

    /// A stored key reads its material only when it signs, and signs like the key it was stored from.
    #[test]
    fn a_stored_key_signs_when_asked() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let restored: PrivateKey =
            serde_json::from_str(&serde_json::to_string(&key).unwrap()).unwrap();
        assert!(restored.material.get().is_none());
        let signature = restored.sign(b"payload").unwrap();
        assert!(restored.material.get().is_some());
        crate::pki::key::verify_jws_signature(&key.public_jwk(), "ES256", b"payload", &signature)
            .unwrap();
    }
}
