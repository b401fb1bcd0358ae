//! The browser's WebCrypto (`crypto.subtle`) for the page's keys: it makes them ([`generate`]; RSA natively
//! and off the main thread, where the `rsa` crate in wasm holds it for seconds) and signs every JWS with
//! them ([`WebCryptoSigner`]), so that the page's wasm holds no curve or big-integer code at all.
//!
//! A new key is made extractable and handed to the core as its PKCS#8 export; from there on it is an
//! ordinary [`PrivateKey`]. To sign, its PKCS#8 is imported once as a non-extractable CryptoKey. Nothing
//! leaves the page.
//!
//! `crypto.subtle` exists only in secure contexts (https, or http on localhost): elsewhere the jobs module
//! (src/jobs.rs) makes and signs instead, in the page's worker.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::{js, worker};
use crate::acme::jws::Signer;
use crate::pki::job::{Der, Job};
use crate::pki::key::{KeyError, KeyType, PrivateKey};

/// The page's (or worker's) `crypto.subtle`, when it has one.
fn subtle() -> Result<web_sys::SubtleCrypto, String> {
    let crypto = Reflect::get(&js_sys::global(), &"crypto".into()).unwrap_or(JsValue::UNDEFINED);
    let subtle = Reflect::get(&crypto, &"subtle".into()).unwrap_or(JsValue::UNDEFINED);
    if subtle.is_undefined() || subtle.is_null() {
        return Err(
            "this browser offers no WebCrypto here (crypto.subtle needs https or localhost)".into(),
        );
    }
    Ok(subtle.unchecked_into())
}

fn set(object: &Object, name: &str, value: impl Into<JsValue>) -> Result<(), String> {
    Reflect::set(object, &name.into(), &value.into())
        .map(|_| ())
        .map_err(|e| js::message(&e))
}

fn failed(what: &str, e: JsValue) -> String {
    format!("WebCrypto could not {what}: {}", js::message(&e))
}

/// A fresh key of `kind`: from WebCrypto, or where the page has none, from the jobs module.
pub async fn generate(kind: KeyType) -> (Result<PrivateKey, String>, &'static str) {
    match from_webcrypto(kind).await {
        Ok(key) => (Ok(key), "WebCrypto"),
        Err(why) => {
            web_sys::console::warn_1(
                &format!("No key from WebCrypto ({why}): the jobs module makes it").into(),
            );
            let key = worker::run(Job::Generate { kind }).await.key();
            (key.map_err(|e| e.to_string()), "the jobs module")
        }
    }
}

async fn from_webcrypto(kind: KeyType) -> Result<PrivateKey, String> {
    let subtle = subtle()?;
    let private = generate_pair(&subtle, kind).await?;
    let exported = subtle
        .export_key("pkcs8", &private)
        .map_err(|e| failed("export the key", e))?;
    let pkcs8 = JsFuture::from(exported)
        .await
        .map_err(|e| failed("export the key", e))?;
    let exported = Uint8Array::new(&pkcs8);
    let der = der::zeroize::Zeroizing::new(exported.to_vec());
    exported.fill(0, 0, exported.length());
    let unreadable =
        |e: &dyn std::fmt::Display| format!("the key WebCrypto made cannot be read: {e}");
    let key = match PrivateKey::from_stored_pkcs8(&der) {
        Ok(key) => key,
        // A browser whose EC export leaves out the public point (RFC 5915 makes it optional): the jobs
        // module reads the key, computes the point and writes it in.
        Err(_) if kind.rsa_bits().is_none() => worker::run(Job::ReadKey {
            input: Der(der.to_vec()),
        })
        .await
        .key()
        .map_err(|e| unreadable(&e))?,
        Err(e) => return Err(unreadable(&e)),
    };
    if key.key_type() != Some(kind) {
        return Err(format!(
            "WebCrypto made a {} key where {} was asked for",
            key.describe(),
            kind.label()
        ));
    }
    Ok(key)
}

/// The WebCrypto algorithm of a key of type `kind` (`None`: an RSA key of another size), for importing it
/// and, with the RSA key's size added, for generating it: ECDSA on its curve (ES256, ES384), or
/// RSASSA-PKCS1-v1_5 with SHA-256 (RS256).
fn key_algorithm(kind: Option<KeyType>) -> Result<Object, String> {
    let algorithm = Object::new();
    let curve = match kind {
        Some(KeyType::P256) => Some("P-256"),
        Some(KeyType::P384) => Some("P-384"),
        _ => None,
    };
    if let Some(curve) = curve {
        set(&algorithm, "name", "ECDSA")?;
        set(&algorithm, "namedCurve", curve)?;
    } else {
        set(&algorithm, "name", "RSASSA-PKCS1-v1_5")?;
        set(&algorithm, "hash", "SHA-256")?;
    }
    Ok(algorithm)
}

async fn generate_pair(
    subtle: &web_sys::SubtleCrypto,
    kind: KeyType,
) -> Result<web_sys::CryptoKey, String> {
    let algorithm = key_algorithm(Some(kind))?;
    if let Some(bits) = kind.rsa_bits() {
        set(&algorithm, "modulusLength", bits as u32)?;
        // The public exponent 65537.
        set(
            &algorithm,
            "publicExponent",
            Uint8Array::from(&[1u8, 0, 1][..]),
        )?;
    }
    let usages = Array::of1(&"sign".into());
    let promise = subtle
        .generate_key_with_object(&algorithm, true, &usages)
        .map_err(|e| failed("start generating the key", e))?;
    let pair = JsFuture::from(promise)
        .await
        .map_err(|e| failed("generate the key", e))?;
    Reflect::get(&pair, &"privateKey".into())
        .map_err(|e| failed("hand over the key", e))?
        .dyn_into()
        .map_err(|_| "WebCrypto answered without a private key".to_string())
}

/// Signs the page's JWS with WebCrypto ([`Signer`]), each key imported once (non-extractable); where the
/// page has no WebCrypto, or WebCrypto refuses the key, the jobs module signs.
#[derive(Default)]
pub struct WebCryptoSigner {
    /// Imported keys by RFC 7638 thumbprint: a session uses one account key, now and then another.
    imported: RefCell<Vec<(String, web_sys::CryptoKey)>>,
}

impl Signer for WebCryptoSigner {
    async fn sign(&self, key: &PrivateKey, signing_input: &[u8]) -> Result<Vec<u8>, KeyError> {
        let Ok(subtle) = subtle() else {
            return sign_in_jobs_module(key, signing_input).await;
        };
        let crypto_key = match self.imported(&subtle, key).await {
            Ok(crypto_key) => crypto_key,
            // A key the browser will not take (an RSA key of a form it refuses, say) still signs.
            Err(why) => {
                web_sys::console::warn_1(
                    &format!(
                        "WebCrypto cannot use this key ({why}): the jobs module signs with it"
                    )
                    .into(),
                );
                return sign_in_jobs_module(key, signing_input).await;
            }
        };
        let algorithm = Object::new();
        let hash = if key.jws_alg() == "ES384" {
            "SHA-384"
        } else {
            "SHA-256"
        };
        let name = if key.jws_alg() == "RS256" {
            "RSASSA-PKCS1-v1_5"
        } else {
            "ECDSA"
        };
        set(&algorithm, "name", name).map_err(KeyError::Signing)?;
        set(&algorithm, "hash", hash).map_err(KeyError::Signing)?;
        let promise = subtle
            .sign_with_object_and_u8_array(&algorithm, &crypto_key, signing_input)
            .map_err(|e| KeyError::Signing(failed("sign", e)))?;
        // ECDSA's signature is r ‖ s, RFC 7518 §3.4's form (WebCrypto, §23.4 of the spec), not DER.
        let signature = JsFuture::from(promise)
            .await
            .map_err(|e| KeyError::Signing(failed("sign", e)))?;
        Ok(Uint8Array::new(&signature).to_vec())
    }
}

/// A JWS signature by the jobs module ([`Job::Sign`]), where WebCrypto cannot make it.
async fn sign_in_jobs_module(key: &PrivateKey, signing_input: &[u8]) -> Result<Vec<u8>, KeyError> {
    let job = Job::Sign {
        key: key.clone(),
        input: Der(signing_input.to_vec()),
    };
    worker::run(job)
        .await
        .bytes()
        .map_err(|e| KeyError::Signing(e.to_string()))
}

impl WebCryptoSigner {
    async fn imported(
        &self,
        subtle: &web_sys::SubtleCrypto,
        key: &PrivateKey,
    ) -> Result<web_sys::CryptoKey, String> {
        let thumbprint = key.thumbprint();
        if let Some((_, found)) = self
            .imported
            .borrow()
            .iter()
            .find(|(t, _)| *t == thumbprint)
        {
            return Ok(found.clone());
        }
        let algorithm = key_algorithm(key.key_type())?;
        let der = der::zeroize::Zeroizing::new(key.to_pkcs8_der());
        let pkcs8 = Uint8Array::from(der.as_slice());
        let promise = subtle.import_key_with_object(
            "pkcs8",
            &pkcs8,
            &algorithm,
            false,
            &Array::of1(&"sign".into()),
        );
        // importKey has copied the bytes before it returns: no copy of the key stays in JS memory.
        pkcs8.fill(0, 0, pkcs8.length());
        let promise = promise.map_err(|e| failed("import the key", e))?;
        let crypto_key: web_sys::CryptoKey = JsFuture::from(promise)
            .await
            .map_err(|e| failed("import the key", e))?
            .unchecked_into();
        self.imported
            .borrow_mut()
            .push((thumbprint, crypto_key.clone()));
        Ok(crypto_key)
    }
}
