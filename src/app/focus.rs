//! Focus management for keyboard and screen-reader users (WCAG 2.4.3 Focus Order): when the wizard moves
//! to a new step or shows an error, focus goes there, so a screen reader reads it and the next Tab starts
//! from it instead of from a button that has just disappeared.

use web_sys::HtmlElement;
use yew::prelude::*;

/// A ref whose element (give it `tabindex="-1"` unless it is focusable) gets focus each time `active`
/// turns true. On the first render only when `on_mount`: loading or reloading the page moves no focus.
/// Never while a dialog is open.
#[hook]
pub fn use_focus_when(active: bool, on_mount: bool) -> NodeRef {
    let node = use_node_ref();
    let mounted = use_mut_ref(|| false);
    {
        let node = node.clone();
        use_effect_with(active, move |&active| {
            let first = !mounted.replace(true);
            if active && (on_mount || !first) && !modal_open() {
                if let Some(element) = node.cast::<HtmlElement>() {
                    let _ = element.focus();
                }
            }
        });
    }
    node
}

/// A dialog is open: focus stays in it (it keeps Tab inside and answers Escape), whatever changes behind.
fn modal_open() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[aria-modal=\"true\"]").ok().flatten())
        .is_some()
}
