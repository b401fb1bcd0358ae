//! Never a dead page: when the app panics (release builds abort, so nothing of the app runs after it),
//! a plain message goes over the page with what happened, that the keys and the order are still in this
//! browser's storage, a link that downloads that saved state as it is, and a way to reload. Everything it
//! shows is plain DOM, so it keeps working after the abort.
//!
//! Two ways lead to it. The builds visitors get (`make build`, `make build-local`) stop at a panic without
//! running any panic code (`-Cpanic=immediate-abort`, Makefile: the panic machinery stays out of the wasm):
//! the wasm traps, and [`watch_for_traps`] shows the message when the trap reaches the window. A build with
//! the panic machinery (stable Rust's, as the wasm tests run) runs [`hook`] first, which can say the panic's
//! own message and place.

use std::panic::PanicHookInfo;

use wasm_bindgen::prelude::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    Blob, BlobPropertyBag, Document, Element, ErrorEvent, Event, PromiseRejectionEvent, Url,
};

use super::js;
use crate::wizard::{LOG_STORAGE_KEY, STORAGE_KEY};

/// The id of the message, so a second panic replaces it instead of stacking.
pub const OVERLAY_ID: &str = "certsmith-crashed";

/// The panic hook: logs the panic and shows the message. Yew replaces any hook set with
/// `std::panic::set_hook` when it renders, so the app installs this one with `yew::set_custom_panic_hook`.
pub fn hook(info: &PanicHookInfo) {
    let message = describe(info);
    web_sys::console::error_1(&JsValue::from_str(&format!(
        "Certsmith panicked: {message}"
    )));
    // Showing the message must never panic in turn: every step fails quietly.
    let _ = show(&message);
}

/// Shows the message when the wasm traps. A trap is an uncaught `WebAssembly.RuntimeError`: it reaches the
/// window as an error event, or as an unhandled rejection when it happened in a promise's callback. Other
/// errors (a browser extension's, say) are not the app's crash and are left alone, and a message already
/// shown (the hook's, which says more) stays.
pub fn watch_for_traps() -> Result<(), JsValue> {
    let window = js::window().map_err(|e| JsValue::from_str(&e))?;
    let on_error = Closure::<dyn FnMut(Event)>::new(|event: Event| {
        let Some(trap) = trap_of(&event) else {
            return;
        };
        let shown = document().is_ok_and(|d| d.get_element_by_id(OVERLAY_ID).is_some());
        if !shown {
            let _ = show(&describe_trap(&trap));
        }
    });
    for kind in ["error", "unhandledrejection"] {
        window.add_event_listener_with_callback(kind, on_error.as_ref().unchecked_ref())?;
    }
    // Listens as long as the page lives.
    on_error.forget();
    Ok(())
}

/// The event's error when it is a wasm trap.
fn trap_of(event: &Event) -> Option<js_sys::Error> {
    let error = if let Some(event) = event.dyn_ref::<ErrorEvent>() {
        event.error()
    } else {
        event.dyn_ref::<PromiseRejectionEvent>()?.reason()
    };
    error
        .is_instance_of::<js_sys::WebAssembly::RuntimeError>()
        .then(|| error.unchecked_into())
}

/// The trap's message and the first wasm frame of its stack (`wasm-function[N]:0xOFFSET`), which names the
/// function in a build of the same source with its names kept (builds are deterministic).
fn describe_trap(trap: &js_sys::Error) -> String {
    let message = String::from(trap.to_string());
    let stack = js_sys::Reflect::get(trap, &JsValue::from_str("stack"))
        .ok()
        .and_then(|stack| stack.as_string())
        .unwrap_or_default();
    let frame = stack
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .find(|part| part.contains("wasm-function["));
    match frame {
        Some(frame) => format!("{message} (at {frame})"),
        None => message,
    }
}

/// The panic's message and where it happened.
fn describe(info: &PanicHookInfo) -> String {
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| info.payload().downcast_ref::<String>().cloned())
        .unwrap_or_else(|| crate::t!("an unexpected error").to_string());
    match info.location() {
        Some(at) => format!("{payload} (at {}:{})", at.file(), at.line()),
        None => payload,
    }
}

fn document() -> Result<Document, JsValue> {
    js::window()
        .map_err(|e| JsValue::from_str(&e))?
        .document()
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// Puts the message over the page. Public so the browser tests can check it without a real panic.
pub fn show(message: &str) -> Result<(), JsValue> {
    let document = document()?;
    if let Some(old) = document.get_element_by_id(OVERLAY_ID) {
        old.remove();
    }
    let overlay = element(&document, "div", "panic-overlay", "")?;
    overlay.set_id(OVERLAY_ID);
    overlay.set_attribute("role", "alert")?;
    let panel = element(&document, "div", "panic-panel", "")?;
    let title = element(
        &document,
        "h2",
        "",
        crate::t!("Certsmith stopped because of a bug"),
    )?;
    panel.append_child(&title)?;
    let reassurance = element(
        &document,
        "p",
        "",
        crate::t!(
            "Your account key, certificate key and order are still saved in this browser: nothing was \
             lost, and nothing was sent anywhere. Reload the page to go on where you were."
        ),
    )?;
    panel.append_child(&reassurance)?;
    let saved = saved_state(&document)?;
    if let Some(link) = saved {
        panel.append_child(&link)?;
    }
    let reload = element(&document, "a", "panic-reload", crate::t!("Reload the page"))?;
    reload.set_attribute("href", "")?;
    panel.append_child(&reload)?;
    let details = element(
        &document,
        "p",
        "panic-details",
        &crate::t!("What failed: {message}", message = message),
    )?;
    panel.append_child(&details)?;
    overlay.append_child(&panel)?;
    document
        .body()
        .ok_or_else(|| JsValue::from_str("no body"))?
        .append_child(&overlay)?;
    Ok(())
}

/// A link that downloads the saved state (keys included, as the page keeps them), or `None` when
/// nothing is saved.
fn saved_state(document: &Document) -> Result<Option<Element>, JsValue> {
    let Some(storage) = js::window()
        .ok()
        .and_then(|w| w.local_storage().ok().flatten())
    else {
        return Ok(None);
    };
    let Some(state) = storage.get_item(STORAGE_KEY)? else {
        return Ok(None);
    };
    let log = storage
        .get_item(LOG_STORAGE_KEY)?
        .unwrap_or_else(|| "null".into());
    let bundle = format!("{{\"{STORAGE_KEY}\":{state},\"{LOG_STORAGE_KEY}\":{log}}}");
    let options = BlobPropertyBag::new();
    options.set_type("application/json");
    let parts = js_sys::Array::of1(&JsValue::from_str(&bundle));
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;
    let link = element(
        document,
        "a",
        "panic-download",
        crate::t!("Download the saved state (keys included: keep the file private)"),
    )?;
    link.set_attribute("href", &url)?;
    link.set_attribute("download", "certsmith-saved-state.json")?;
    Ok(Some(link))
}

fn element(document: &Document, tag: &str, class: &str, text: &str) -> Result<Element, JsValue> {
    let element = document.create_element(tag)?;
    if !class.is_empty() {
        element.set_class_name(class);
    }
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    Ok(element)
}
