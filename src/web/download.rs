//! Saving bytes as a file: a Blob, an object URL, and a click on a temporary `<a download>`.

use std::time::Duration;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use super::js;

/// How long the object URL lives after the click. Chromium and Firefox resolve it when the click
/// starts the download, but some browsers read it later, so it is revoked on a timer, not at once.
pub const REVOKE_AFTER: Duration = Duration::from_secs(1);

/// Offers `bytes` to the user as a file named `filename` of type `mime`.
pub fn download(filename: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let cannot_save = |why: &dyn std::fmt::Display| {
        crate::t!("could not save {file}: {why}", file = filename, why = why)
    };
    let failed = |e: JsValue| cannot_save(&js::message(&e));
    let document = js::window()?
        .document()
        .ok_or_else(|| cannot_save(&crate::t!("the page has no document")))?;
    let body = document
        .body()
        .ok_or_else(|| cannot_save(&crate::t!("the page has no body")))?;

    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(failed)?;
    let url = Url::create_object_url_with_blob(&blob).map_err(failed)?;

    let clicked = (|| {
        let link: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
        link.set_href(&url);
        link.set_download(filename);
        link.style().set_property("display", "none")?;
        body.append_child(&link)?;
        link.click();
        link.remove();
        Ok::<(), JsValue>(())
    })();

    let revoke = {
        let url = url.clone();
        Closure::once_into_js(move || {
            let _ = Url::revoke_object_url(&url);
        })
    };
    match clicked {
        Ok(()) => {
            js::set_timeout(revoke.unchecked_ref(), js::timer_millis(REVOKE_AFTER));
            Ok(())
        }
        Err(e) => {
            let _ = Url::revoke_object_url(&url);
            Err(failed(e))
        }
    }
}
