//! RSA key generation by the browser's WebCrypto (`crypto.subtle`): native code that runs off the page's
//! main thread, where the `rsa` crate in wasm holds it for seconds (RSA-4096: 4 to 18 s on a slow machine).
//! The key is made extractable, exported as PKCS#8 (RFC 5208) and read by the core's own parser, so it is
//! an ordinary [`PrivateKey`] from there on; it never leaves the page.
//!
//! `crypto.subtle` exists only in secure contexts (https, or http on localhost): elsewhere [`generate_rsa`]
//! says so and the caller generates otherwise.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::js;
use crate::pki::key::{KeyType, PrivateKey};

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

/// A fresh RSA key of `kind` (2048, 3072 or 4096 bits, public exponent 65537) from WebCrypto.
pub async fn generate_rsa(kind: KeyType) -> Result<PrivateKey, String> {
    let bits = kind
        .rsa_bits()
        .ok_or_else(|| format!("{} is not an RSA key type", kind.label()))?;
    let subtle = subtle()?;
    let failed =
        |what: &str, e: JsValue| format!("WebCrypto could not {what}: {}", js::message(&e));
    // RSASSA-PKCS1-v1_5 with SHA-256 (RS256): what the key signs with later, though WebCrypto only makes it.
    let algorithm = Object::new();
    set(&algorithm, "name", "RSASSA-PKCS1-v1_5")?;
    set(&algorithm, "modulusLength", bits as u32)?;
    set(
        &algorithm,
        "publicExponent",
        Uint8Array::from(&[1u8, 0, 1][..]),
    )?;
    set(&algorithm, "hash", "SHA-256")?;
    let usages = Array::of1(&"sign".into());
    let promise = subtle
        .generate_key_with_object(&algorithm, true, &usages)
        .map_err(|e| failed("start generating the key", e))?;
    let pair = JsFuture::from(promise)
        .await
        .map_err(|e| failed("generate the key", e))?;
    let private: web_sys::CryptoKey = Reflect::get(&pair, &"privateKey".into())
        .map_err(|e| failed("hand over the key", e))?
        .dyn_into()
        .map_err(|_| "WebCrypto answered without a private key".to_string())?;
    let exported = subtle
        .export_key("pkcs8", &private)
        .map_err(|e| failed("export the key", e))?;
    let pkcs8 = JsFuture::from(exported)
        .await
        .map_err(|e| failed("export the key", e))?;
    let der = der::zeroize::Zeroizing::new(Uint8Array::new(&pkcs8).to_vec());
    let key = PrivateKey::from_pkcs8_der(&der)
        .map_err(|e| format!("the key WebCrypto made cannot be read: {e}"))?;
    if key.key_type() != Some(kind) {
        return Err(format!(
            "WebCrypto made a {} key where {} was asked for",
            key.describe(),
            kind.label()
        ));
    }
    Ok(key)
}
