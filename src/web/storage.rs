//! `localStorage` as JSON. Nothing is silently lost: a value that no longer parses is copied to
//! `<key>.corrupt` before `load` reports it absent, and a full storage is an error with advice.

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
    local_storage()?.set_item(key, text).map_err(|e| {
        if js::dom_exception_name(&e).as_deref() == Some("QuotaExceededError") {
            crate::t!(
                "the browser's storage for this page is full, so {key} ({size} KB) was not saved. Download \
                 the certificates and keys you need, then remove old orders or accounts to make room.",
                key = key,
                size = crate::i18n::number(text.len().div_ceil(1024) as u64)
            )
        } else {
            crate::t!("could not save {key}: {why}", key = key, why = js::message(&e))
        }
    })
}

/// The value stored under `key`, or `None` when there is none, storage is unavailable, or it does not
/// parse (then the raw text is first copied to `<key>.corrupt`, replacing an older copy).
pub fn load<T: DeserializeOwned>(key: &str) -> Option<T> {
    let raw = load_text(key)?;
    match crate::json::from_text(&raw) {
        Ok(value) => Some(value),
        Err(e) => {
            let backup = format!("{key}{CORRUPT_SUFFIX}");
            let kept = save_text(&backup, &raw).is_ok();
            web_sys::console::warn_1(
                &format!(
                    "stored {key} does not parse ({e}); {}",
                    if kept {
                        format!("its text was copied to {backup}")
                    } else {
                        "it could not be copied aside".to_string()
                    }
                )
                .into(),
            );
            None
        }
    }
}

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
