//! JSON Web Signatures as ACME uses them (RFC 8555 §6.2): flattened JSON serialization (RFC 7515 §7.2.2),
//! a protected header with `alg`, `nonce`, `url` and exactly one of `jwk` or `kid`, and External Account
//! Binding (§7.3.4).

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::b64;
use crate::pki::key::{KeyError, PrivateKey};

/// How the protected header names the signing key (RFC 8555 §6.2).
#[derive(Clone, Copy, Debug)]
pub enum KeyRef<'a> {
    /// The public key itself, for newAccount, for revocation by certificate key, and for the inner JWS
    /// of keyChange.
    Jwk,
    /// The account URL, for every other request.
    Kid(&'a str),
}

/// A JWS in flattened JSON serialization, ready to POST as `application/jose+json`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jws {
    pub protected: String,
    pub payload: String,
    pub signature: String,
}

impl Jws {
    /// The decoded protected header, for the protocol log.
    pub fn protected_header(&self) -> Option<Value> {
        decode_json(&self.protected)
    }

    /// The decoded payload, for the protocol log: `None` for POST-as-GET's empty payload.
    pub fn payload_json(&self) -> Option<Value> {
        decode_json(&self.payload)
    }
}

fn decode_json(part: &str) -> Option<Value> {
    if part.is_empty() {
        return None;
    }
    serde_json::from_slice(&b64::decode(part).ok()?).ok()
}

/// What a request carries: a JSON object, or nothing (POST-as-GET, RFC 8555 §6.3, whose payload is the
/// empty string).
#[derive(Clone, Copy, Debug)]
pub enum Payload<'a> {
    Json(&'a Value),
    PostAsGet,
}

/// Who computes a JWS signature (RFC 7515 §5.1) with an ACME key: [`LocalSigner`], this crate with the
/// key's own material, or in the page the browser's WebCrypto (src/web/webcrypto.rs), so that the page's
/// wasm holds no curve or RSA code. The signature has the JWS form either way: ECDSA's fixed-size r ‖ s
/// (RFC 7518 §3.4), RSASSA-PKCS1-v1_5 with SHA-256 (§3.3).
#[allow(async_fn_in_trait)]
pub trait Signer {
    async fn sign(&self, key: &PrivateKey, signing_input: &[u8]) -> Result<Vec<u8>, KeyError>;
}

/// Signs with [`PrivateKey::sign`], in this process: natively, in tests and in the jobs module.
#[derive(Clone, Copy, Debug, Default)]
pub struct LocalSigner;

impl Signer for LocalSigner {
    async fn sign(&self, key: &PrivateKey, signing_input: &[u8]) -> Result<Vec<u8>, KeyError> {
        key.sign(signing_input)
    }
}

/// Signs one ACME request. `nonce` is `None` only for the inner JWS of keyChange (§7.3.5), which has none.
pub async fn sign(
    signer: &impl Signer,
    key: &PrivateKey,
    key_ref: KeyRef<'_>,
    url: &str,
    nonce: Option<&str>,
    payload: Payload<'_>,
) -> Result<Jws, KeyError> {
    let mut header = json!({ "alg": key.jws_alg(), "url": url });
    match key_ref {
        KeyRef::Jwk => header["jwk"] = key.public_jwk(),
        KeyRef::Kid(kid) => header["kid"] = Value::String(kid.to_string()),
    }
    if let Some(nonce) = nonce {
        header["nonce"] = Value::String(nonce.to_string());
    }
    let protected = b64::encode(header.to_string());
    let payload = match payload {
        Payload::Json(value) => b64::encode(value.to_string()),
        Payload::PostAsGet => String::new(),
    };
    let signing_input = format!("{protected}.{payload}");
    let signature = b64::encode(signer.sign(key, signing_input.as_bytes()).await?);
    Ok(Jws {
        protected,
        payload,
        signature,
    })
}

/// Credentials for External Account Binding (RFC 8555 §7.3.4), as a CA's dashboard hands them out.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalAccountKey {
    pub kid: String,
    /// The MAC key, decoded from the base64url the CA shows.
    #[serde(with = "crate::b64::serde_bytes")]
    pub hmac_key: Vec<u8>,
}

impl std::fmt::Debug for ExternalAccountKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalAccountKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl ExternalAccountKey {
    /// Takes the key ID and the base64url HMAC key as typed (standard base64 is accepted too, since some
    /// CAs show that).
    pub fn new(kid: &str, hmac_key_b64: &str) -> Result<Self, KeyError> {
        let kid = kid.trim();
        if kid.is_empty() {
            return Err(eab_error(crate::t!("the key ID is empty")));
        }
        let cleaned: String = hmac_key_b64.trim().replace('+', "-").replace('/', "_");
        let hmac_key = b64::decode(&cleaned).map_err(|e| {
            eab_error(&crate::t!(
                "the HMAC key is not base64url ({error})",
                error = e
            ))
        })?;
        if hmac_key.is_empty() {
            return Err(eab_error(crate::t!("the HMAC key is empty")));
        }
        Ok(ExternalAccountKey {
            kid: kid.to_string(),
            hmac_key,
        })
    }

    /// The `externalAccountBinding` member of a newAccount payload: a JWS over the account's public JWK,
    /// MACed with HS256, whose header has `kid` = the EAB key ID, `url` = newAccount and no nonce.
    pub fn binding(
        &self,
        account_key: &PrivateKey,
        new_account_url: &str,
    ) -> Result<Jws, KeyError> {
        let header = json!({ "alg": "HS256", "kid": self.kid, "url": new_account_url });
        let protected = b64::encode(header.to_string());
        let payload = b64::encode(account_key.public_jwk().to_string());
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&self.hmac_key)
            .map_err(|e| eab_error(&crate::t!("unusable HMAC key ({error})", error = e)))?;
        mac.update(format!("{protected}.{payload}").as_bytes());
        let signature = b64::encode(mac.finalize().into_bytes());
        Ok(Jws {
            protected,
            payload,
            signature,
        })
    }
}

fn eab_error(detail: &str) -> KeyError {
    KeyError::Malformed {
        format: "External Account Binding",
        detail: detail.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::{verify_jws_signature, KeyType};

    fn local_sign(
        key: &PrivateKey,
        key_ref: KeyRef<'_>,
        url: &str,
        nonce: Option<&str>,
        payload: Payload<'_>,
    ) -> Result<Jws, KeyError> {
        pollster::block_on(sign(&LocalSigner, key, key_ref, url, nonce, payload))
    }

    fn verify(jws: &Jws, jwk: &Value) {
        let alg = jws.protected_header().unwrap()["alg"]
            .as_str()
            .unwrap()
            .to_string();
        let signature = b64::decode(&jws.signature).unwrap();
        let input = format!("{}.{}", jws.protected, jws.payload);
        verify_jws_signature(jwk, &alg, input.as_bytes(), &signature).expect("signature verifies");
    }

    #[test]
    fn new_account_request_carries_jwk_nonce_and_url() {
        for kind in [KeyType::P256, KeyType::P384, KeyType::Rsa2048] {
            let key = PrivateKey::generate(kind).unwrap();
            let payload = json!({ "termsOfServiceAgreed": true });
            let jws = local_sign(
                &key,
                KeyRef::Jwk,
                "https://ca.example/new-acct",
                Some("n0nce"),
                Payload::Json(&payload),
            )
            .unwrap();
            let header = jws.protected_header().unwrap();
            assert_eq!(header["alg"], key.jws_alg());
            assert_eq!(header["nonce"], "n0nce");
            assert_eq!(header["url"], "https://ca.example/new-acct");
            assert_eq!(header["jwk"], key.public_jwk());
            assert!(
                header.get("kid").is_none(),
                "jwk and kid are mutually exclusive (RFC 8555 §6.2)"
            );
            assert_eq!(jws.payload_json().unwrap(), payload);
            verify(&jws, &key.public_jwk());
        }
    }

    #[test]
    fn post_as_get_has_kid_and_empty_payload() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let jws = local_sign(
            &key,
            KeyRef::Kid("https://ca.example/acct/1"),
            "https://ca.example/order/2",
            Some("n"),
            Payload::PostAsGet,
        )
        .unwrap();
        assert_eq!(jws.payload, "");
        let header = jws.protected_header().unwrap();
        assert_eq!(header["kid"], "https://ca.example/acct/1");
        assert!(header.get("jwk").is_none());
        verify(&jws, &key.public_jwk());
    }

    #[test]
    fn keychange_inner_jws_has_no_nonce() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let jws = local_sign(
            &key,
            KeyRef::Jwk,
            "https://ca.example/key-change",
            None,
            Payload::Json(&json!({})),
        )
        .unwrap();
        assert!(jws.protected_header().unwrap().get("nonce").is_none());
    }

    #[test]
    fn eab_is_hs256_over_the_account_jwk() {
        let account = PrivateKey::generate(KeyType::P256).unwrap();
        let eab = ExternalAccountKey::new(
            "kid-1",
            "zWNDZM6eQGHWpSRTPal5eIUYFTu7EajVIoguysqZ9wG44nMEtx3MUAsUDkMTQ12W",
        )
        .unwrap();
        let jws = eab
            .binding(&account, "https://ca.example/new-acct")
            .unwrap();
        let header = jws.protected_header().unwrap();
        assert_eq!(
            header,
            json!({ "alg": "HS256", "kid": "kid-1", "url": "https://ca.example/new-acct" })
        );
        assert_eq!(jws.payload_json().unwrap(), account.public_jwk());
        let mut mac = hmac::Hmac::<Sha256>::new_from_slice(&eab.hmac_key).unwrap();
        mac.update(format!("{}.{}", jws.protected, jws.payload).as_bytes());
        mac.verify_slice(&b64::decode(&jws.signature).unwrap())
            .expect("HMAC verifies");
    }

    #[test]
    fn eab_refuses_bad_input_clearly() {
        assert!(ExternalAccountKey::new("", "abcd")
            .unwrap_err()
            .to_string()
            .contains("key ID"));
        assert!(ExternalAccountKey::new("k", "!!!")
            .unwrap_err()
            .to_string()
            .contains("base64"));
        assert!(
            ExternalAccountKey::new("k", "ab+/cw==").is_ok(),
            "standard base64 accepted"
        );
    }

    #[test]
    fn debug_never_shows_the_hmac_key() {
        let eab = ExternalAccountKey::new("kid", "c2VjcmV0LWtleQ").unwrap();
        assert!(!format!("{eab:?}").contains("c2Vjc"));
    }
}
