//! Copying text (a TXT record value, a zone-file line) to the clipboard.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlDocument, HtmlTextAreaElement};

use super::js;

/// Copies `text` with the asynchronous Clipboard API, or, where that is missing (a page not served over
/// https) or refused (the page lacks focus), with a hidden text area and `execCommand("copy")`.
pub async fn copy_text(text: &str) -> Result<(), String> {
    let window = js::window()?;
    let navigator = window.navigator();
    let api_error = match js_sys::Reflect::get(&navigator, &JsValue::from_str("clipboard")) {
        Ok(clipboard) if !clipboard.is_undefined() && !clipboard.is_null() => {
            let clipboard: web_sys::Clipboard = clipboard.unchecked_into();
            match JsFuture::from(clipboard.write_text(text)).await {
                Ok(_) => return Ok(()),
                Err(e) => js::message(&e),
            }
        }
        _ => crate::t!("the Clipboard API is not available on this page").to_string(),
    };
    copy_with_text_area(&window, text).map_err(|fallback| {
        crate::t!(
            "the browser did not allow copying ({api_error}; {fallback}). Select the text and copy it by hand.",
            api_error = api_error,
            fallback = fallback
        )
    })
}

fn copy_with_text_area(window: &web_sys::Window, text: &str) -> Result<(), String> {
    let document = window
        .document()
        .ok_or(crate::t!("the page has no document"))?;
    let body = document.body().ok_or(crate::t!("the page has no body"))?;
    let message = |e: JsValue| js::message(&e);
    let area: HtmlTextAreaElement = document
        .create_element("textarea")
        .map_err(message)?
        .unchecked_into();
    area.set_value(text);
    area.set_read_only(true);
    let style = area.style();
    for (name, value) in [
        ("position", "fixed"),
        ("top", "0"),
        ("left", "0"),
        ("opacity", "0"),
    ] {
        style.set_property(name, value).map_err(message)?;
    }
    body.append_child(&area).map_err(message)?;
    area.select();
    let copied = document
        .dyn_into::<HtmlDocument>()
        .map_err(|_| crate::t!("the document is not an HTML document").to_string())
        .and_then(|html| html.exec_command("copy").map_err(message));
    area.remove();
    match copied {
        Ok(true) => Ok(()),
        Ok(false) => Err(crate::t!("execCommand(\"copy\") was refused").into()),
        Err(e) => Err(e),
    }
}
