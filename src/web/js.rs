//! Small bindings and helpers shared by the web modules.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch` (a window's or a worker's).
    #[wasm_bindgen(js_name = fetch)]
    pub(crate) fn global_fetch(request: &web_sys::Request) -> js_sys::Promise;

    /// The global `setTimeout`; the handle is a number in browsers.
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &js_sys::Function, millis: i32) -> JsValue;

    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(handle: &JsValue);

    /// `performance.now()`: monotonic milliseconds since the page (or worker) started.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    pub(crate) fn performance_now() -> f64;
}

/// Milliseconds for `setTimeout`, rounded up (a wait is never shorter than asked) and capped at the
/// largest delay timers accept (about 24.8 days).
pub(crate) fn timer_millis(duration: std::time::Duration) -> i32 {
    let millis = duration.as_nanos().div_ceil(1_000_000);
    millis.min(i32::MAX as u128) as i32
}

/// What a JS exception or rejection says, as text: `TypeError: Failed to fetch`,
/// `QuotaExceededError: ...`.
pub(crate) fn message(value: &JsValue) -> String {
    if let Some(e) = value.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    if let Some(e) = value.dyn_ref::<js_sys::Error>() {
        let name = String::from(e.name());
        let message = String::from(e.message());
        return if name.is_empty() {
            message
        } else {
            format!("{name}: {message}")
        };
    }
    if let Some(text) = value.as_string() {
        return text;
    }
    // Anything else thrown (a number, a plain object, undefined): its JSON, or at least its type, never
    // wasm-bindgen's `JsValue(…)`.
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|json| json.as_string())
        .or_else(|| value.js_typeof().as_string())
        .unwrap_or_default()
}

/// The name of a DOMException (`QuotaExceededError`, `AbortError`, ...), if the value is one.
pub(crate) fn dom_exception_name(value: &JsValue) -> Option<String> {
    value.dyn_ref::<web_sys::DomException>().map(|e| e.name())
}

/// Whether the page runs cross-origin isolated (COOP + COEP); then no-cors answers may be blocked.
pub(crate) fn cross_origin_isolated() -> bool {
    js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crossOriginIsolated"))
        .is_ok_and(|v| v.is_truthy())
}

/// The window, when there is one (not in a worker).
pub(crate) fn window() -> Result<web_sys::Window, String> {
    web_sys::window()
        .ok_or_else(|| crate::t!("this needs a browser window (it was called in a worker)").into())
}

/// Whether a URL's host is this machine (where a test CA or a local resolver runs).
pub(crate) fn is_loopback_host(hostname: &str) -> bool {
    let host = hostname.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3 && rest.split('.').all(|p| p.parse::<u8>().is_ok())
        })
}

/// Checks a URL the page will fetch from: absolute, https (or http on this machine only), without
/// credentials or a fragment. Returns the parsed URL.
pub(crate) fn check_service_url(url: &str) -> Result<web_sys::Url, String> {
    if url.trim().is_empty() {
        return Err(crate::t!("the URL is empty").into());
    }
    let parsed = web_sys::Url::new(url.trim()).map_err(|_| {
        crate::t!("it is not a complete URL (it must start with https://)").to_string()
    })?;
    match parsed.protocol().as_str() {
        "https:" => {}
        "http:" if is_loopback_host(&parsed.hostname()) => {}
        "http:" => {
            return Err(crate::t!(
                "it uses http://, which is allowed only for a CA on this machine (localhost, 127.0.0.1): use \
                 https://"
            )
            .into())
        }
        other => {
            return Err(crate::t!(
                "it uses {scheme}// where https:// is needed",
                scheme = other
            ))
        }
    }
    if !parsed.username().is_empty() || !parsed.password().is_empty() {
        return Err(crate::t!(
            "it contains a user name or password, which browsers refuse to send this way"
        )
        .into());
    }
    Ok(parsed)
}
