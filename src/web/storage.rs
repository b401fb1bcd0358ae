//! `localStorage` as JSON. Nothing is silently lost: a value that no longer parses is kept aside (see
//! [`keep_aside`]) before `load` reports it absent, and a full storage is an error with advice.

use serde::de::DeserializeOwned;
use serde::Serialize;

use super::js;

/// The suffix of the key a corrupt value is copied to.
pub const CORRUPT_SUFFIX: &str = ".corrupt";

fn local_storage() -> Result<web_sys::Storage, String> {
    let unavailable = |why: String| {
        crate::t!(
            "this browser does not let the page store data ({why}); private windows and blocked site data \
             do that. Download what you need to keep.",
            why = why
        )
    };
    js::window()?
        .local_storage()
        .map_err(|e| unavailable(js::message(&e)))?
        .ok_or_else(|| unavailable(crate::t!("localStorage is missing").into()))
}

/// Stores `value` as JSON under `key`.
pub fn save<T: Serialize>(key: &str, value: &T) -> Result<(), String> {
    let json = serde_json::to_string(value).map_err(|e| {
        crate::t!(
            "could not encode {key} for storage: {why}",
            key = key,
            why = e
        )
    })?;
    save_text(key, &json)
}

/// Stores `text` as it is under `key` (a JSON text the page keeps without reading it).
pub fn save_text(key: &str, text: &str) -> Result<(), String> {
    local_storage()?
        .set_item(key, text)
        .map_err(|e| save_error(key, text, &e))
}

/// What a failed `setItem` of `text` under `key` says to the person.
fn save_error(key: &str, text: &str, e: &wasm_bindgen::JsValue) -> String {
    if is_full(e) {
        crate::t!(
            "the browser's storage for this page is full, so {key} ({size} KB) was not saved. Download \
             the certificates and keys you need, then remove old orders or accounts to make room.",
            key = key,
            size = crate::i18n::number(text.len().div_ceil(1024) as u64)
        )
    } else {
        crate::t!(
            "could not save {key}: {why}",
            key = key,
            why = js::message(e)
        )
    }
}

/// Whether a failed `setItem` failed because the page's storage is full.
fn is_full(e: &wasm_bindgen::JsValue) -> bool {
    js::dom_exception_name(e).as_deref() == Some("QuotaExceededError")
}

/// The value stored under `key`, or `None` when there is none, storage is unavailable, or it does not
/// parse (then the raw text is first kept aside under `<key>.corrupt`, see [`keep_aside`]).
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let raw = load_text(key)?;
    match crate::json::from_text(&raw) {
        Ok(value) => Some(value),
        Err(e) => {
            let kept = match keep_aside(key, CORRUPT_SUFFIX, &raw) {
                Ok(copy) => format!("its text was copied to {copy}"),
                Err(why) => format!("it could not be copied aside ({why})"),
            };
            web_sys::console::warn_1(&format!("stored {key} does not parse ({e}); {kept}").into());
            None
        }
    }
}

/// Keeps `text`, a stored value the page cannot use (it may hold keys someone wants back), beside `key`:
/// under `<key><suffix>`, or `<key><suffix>.2`, `.3`, … when an earlier copy with other text is there, so
/// an earlier copy is not replaced (past [`MAX_COPIES`], the last one is). When the browser's storage is
/// full, the protocol log (a record, nothing more) is dropped to make room, once, unless the text kept
/// aside is the log's own. Returns the key the copy is under.
pub fn keep_aside(key: &str, suffix: &str, text: &str) -> Result<String, String> {
    let storage = local_storage()?;
    let first = format!("{key}{suffix}");
    let last = format!("{first}.{MAX_COPIES}");
    let copy = std::iter::once(first.clone())
        .chain((2..MAX_COPIES).map(|n| format!("{first}.{n}")))
        .find(|name| match storage.get_item(name) {
            Ok(None) => true,
            Ok(Some(earlier)) => earlier == text,
            Err(_) => false,
        })
        .unwrap_or(last);
    let log = crate::wizard::LOG_STORAGE_KEY;
    if let Err(e) = storage.set_item(&copy, text) {
        if !is_full(&e) || key == log {
            return Err(save_error(&copy, text, &e));
        }
        remove(log);
        save_text(&copy, text)?;
    }
    Ok(copy)
}

/// How many copies of one key [`keep_aside`] keeps apart before it reuses the last.
const MAX_COPIES: usize = 20;

/// The text stored under `key`, or `None` when there is none or storage is unavailable.
pub fn load_text(key: &str) -> Option<String> {
    local_storage().ok()?.get_item(key).ok()?
}

/// Removes `key` (nothing happens when it is absent or storage is unavailable).
pub fn remove(key: &str) {
    if let Ok(storage) = local_storage() {
        let _ = storage.remove_item(key);
    }
}

/// Removes every key that starts with `prefix` (the state, the log, and the copies kept aside), and
/// returns how many there were.
pub fn remove_all(prefix: &str) -> Result<usize, String> {
    let storage = local_storage()?;
    let count = storage.length().map_err(|e| js::message(&e))?;
    let keys: Vec<String> = (0..count)
        .filter_map(|i| storage.key(i).ok().flatten())
        .filter(|key| key.starts_with(prefix))
        .collect();
    for key in &keys {
        storage.remove_item(key).map_err(|e| js::message(&e))?;
    }
    Ok(keys.len())
}
