//! JSON Web Keys: the public JWK of a key with exactly the required members (RFC 7517, RFC 7518 §6), its
//! RFC 7638 thumbprint, and reading a private JWK or a one-key JWK Set (RFC 7517 §5) someone brings.

use der::zeroize::Zeroizing;
use rsa::BoxedUint;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::asn1::check_rsa_bits;
use super::sign::big_uint;
use super::{bit_length, strip_leading_zeros, Inner, KeyError, PrivateKey};
use crate::b64;

/// The public JWK of an EC key with exactly the required members (RFC 7518 §6.2.1), inserted in
/// lexicographic order so the serialization is the RFC 7638 canonical form whatever map type serde_json uses.
pub(super) fn ec_public_jwk(crv: &str, x: &[u8], y: &[u8]) -> Value {
    let mut jwk = Map::new();
    jwk.insert("crv".into(), Value::String(crv.into()));
    jwk.insert("kty".into(), Value::String("EC".into()));
    jwk.insert("x".into(), Value::String(b64::encode(x)));
    jwk.insert("y".into(), Value::String(b64::encode(y)));
    Value::Object(jwk)
}

/// The public JWK of an RSA key with exactly the required members (RFC 7518 §6.3.1), in lexicographic order.
/// The integers are unsigned big-endian without leading zeros (RFC 7518 §2 "Base64urlUInt").
pub(super) fn rsa_public_jwk(n: &[u8], e: &[u8]) -> Value {
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

/// Computes the RFC 7638 §3 thumbprint of a public (or private) JWK: SHA-256 over the JSON object of the
/// required members only, in lexicographic order, without whitespace, then base64url.
pub fn jwk_thumbprint(jwk: &Value) -> Result<String, KeyError> {
    let members: &[&str] = match jwk_str(jwk, "kty")? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        other => {
            return Err(KeyError::InvalidJwk(crate::t!(
                "cannot compute a thumbprint for kty \"{kty}\"",
                kty = other
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

pub(super) fn jwk_str<'a>(jwk: &'a Value, name: &str) -> Result<&'a str, KeyError> {
    match jwk.get(name) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(KeyError::InvalidJwk(crate::t!(
            "member \"{name}\" must be a string",
            name = name
        ))),
        None => Err(KeyError::InvalidJwk(crate::t!(
            "member \"{name}\" is missing",
            name = name
        ))),
    }
}

pub(super) fn jwk_bytes(jwk: &Value, name: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let text = jwk_str(jwk, name)?;
    b64::decode(text).map(Zeroizing::new).map_err(|_| {
        KeyError::InvalidJwk(crate::t!("member \"{name}\" is not base64url", name = name))
    })
}

/// A fixed-size member (EC coordinate or scalar): RFC 7518 §6.2.1.2 requires the full length; shorter
/// values (leading zeros dropped by a sloppy encoder) are padded, longer ones refused.
pub(super) fn jwk_uint(
    jwk: &Value,
    name: &str,
    size: usize,
) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    let bytes = jwk_bytes(jwk, name)?;
    if bytes.len() > size {
        return Err(KeyError::InvalidJwk(crate::t!(
            "member \"{name}\" is {length} bytes; this curve needs {size}",
            name = name,
            length = bytes.len(),
            size = size
        )));
    }
    let mut padded = Zeroizing::new(vec![0u8; size - bytes.len()]);
    padded.extend_from_slice(&bytes);
    Ok(padded)
}

impl PrivateKey {
    /// Reads a private JWK: EC P-256/P-384 with "d" (RFC 7518 §6.2.2), or RSA with n, e, d, p, q; dp, dq,
    /// qi are optional and checked when present (§6.3.2). A JWK Set with a single key is accepted too.
    pub fn from_jwk(json: &str) -> Result<Self, KeyError> {
        let value: Value = crate::json::from_text(json)
            .map_err(|e| KeyError::InvalidJwk(crate::t!("not valid JSON ({why})", why = e)))?;
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
                found: crate::t!("a symmetric (oct) key").into(),
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
                    KeyError::InvalidJwk(crate::t!("\"d\" is not a valid P-256 private key").into())
                })?,
            ),
            "P-384" => Inner::P384(
                p384::ecdsa::SigningKey::from_slice(&jwk_uint(jwk, "d", 48)?).map_err(|_| {
                    KeyError::InvalidJwk(crate::t!("\"d\" is not a valid P-384 private key").into())
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
                KeyError::InvalidJwk(crate::t!(
                    "member \"{name}\" is larger than the modulus",
                    name = name
                ))
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
                KeyError::InvalidJwk(crate::t!(
                    "the RSA members do not form a valid key ({why})",
                    why = err
                ))
            })?;
        let key = Self::from_inner(Inner::Rsa(Box::new(key)))?;
        key.check_jwk_members(jwk, &["dp", "dq", "qi"])?;
        Ok(key)
    }

    /// Optional members present in an imported JWK must agree with the ones derived from the key.
    fn check_jwk_members(&self, jwk: &Value, names: &[&str]) -> Result<(), KeyError> {
        let ours = self.private_jwk_value()?;
        for name in names {
            if jwk.get(*name).is_none() {
                continue;
            }
            let theirs = jwk_bytes(jwk, name)?;
            let expected = jwk_bytes(&ours, name)?;
            if strip_leading_zeros(&theirs) != strip_leading_zeros(&expected) {
                return Err(KeyError::InvalidJwk(crate::t!(
                    "member \"{name}\" does not match the private key",
                    name = name
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
        None => Err(KeyError::InvalidJwk(
            crate::t!("expected a JSON object").into(),
        )),
        Some(Value::Array(keys)) if keys.len() == 1 => Ok(&keys[0]),
        Some(Value::Array(keys)) => Err(KeyError::InvalidJwk(crate::t!(
            "this JWK Set holds {count} keys; give exactly one",
            count = keys.len()
        ))),
        Some(_) => Err(KeyError::InvalidJwk(
            crate::t!("\"keys\" must be an array").into(),
        )),
    }
}

fn require_private(jwk: &Value) -> Result<(), KeyError> {
    if jwk.get("d").is_none() {
        return Err(KeyError::NotAPrivateKey {
            format: "JWK",
            found: crate::t!("only a public key (it has no \"d\" member)").into(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::test_support::{openssl_key, Scratch};
    use crate::pki::key::KeyType;
    use serde_json::json;

    /// The RSA JWK of RFC 7638 §3.1 (the key of RFC 7517 Appendix A.1).
    const RFC7638_JWK: &str = r#"{
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29"
    }"#;
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
                jwk_thumbprint(&serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap())
                    .unwrap()
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
    fn rsa_jwk_with_optional_members_left_out() {
        let scratch = Scratch::new("rsa-jwk");
        let (key, _) = openssl_key(&scratch, "r.pem", &["genpkey", "-algorithm", "RSA"]);
        let mut jwk: Value = serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
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

        let mut wrong: Value = serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
        wrong["dp"] = wrong["dq"].clone();
        let err = PrivateKey::from_jwk(&wrong.to_string()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid JWK: member \"dp\" does not match the private key"
        );
        let set = json!({ "keys": [serde_json::from_str::<Value>(&key.to_private_jwk().unwrap()).unwrap()] });
        assert_eq!(PrivateKey::from_jwk(&set.to_string()).unwrap(), key);
    }
    #[test]
    fn refuses_unusable_jwks() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let private: Value = serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
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
}
