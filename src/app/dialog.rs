//! In-page dialogs (no `window.confirm`). [`Modal`] is what every dialog of the page shares: it is modal
//! (`aria-modal`, Tab and Shift+Tab stay inside it), focus goes into it when it opens (to the element the
//! dialog names, else its first control) and back to what had it (the button that opened it) when it
//! closes, and Escape cancels when the dialog can be cancelled. [`ConfirmDialog`] is a question with
//! a confirm and a "Cancel" button, focus on "Cancel".

use certsmith::t;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

use super::text_node;

/// The controls Tab can reach inside a dialog.
const FOCUSABLE: &str = "a[href], button:enabled, input:enabled, select:enabled, textarea:enabled";

#[derive(Properties, PartialEq)]
pub struct ModalProps {
    pub id: AttrValue,
    pub title: AttrValue,
    /// Escape calls it; without it Escape does nothing (a dialog that must be answered).
    #[prop_or_default]
    pub on_cancel: Option<Callback<()>>,
    /// What gets focus when the dialog opens; by default its first control.
    #[prop_or_default]
    pub focus: NodeRef,
    #[prop_or_default]
    pub children: Html,
}

#[function_component(Modal)]
pub fn modal(props: &ModalProps) -> Html {
    let dialog_ref = use_node_ref();
    {
        let (dialog_ref, focus) = (dialog_ref.clone(), props.focus.clone());
        use_effect_with((), move |_| {
            let opener = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            let first = focus
                .cast::<HtmlElement>()
                .or_else(|| focusable(&dialog_ref).into_iter().next());
            if let Some(first) = first {
                let _ = first.focus();
            }
            move || {
                if let Some(opener) = opener.filter(|o| o.is_connected()) {
                    let _ = opener.focus();
                }
            }
        });
    }
    let title_id = format!("{}-title", props.id);
    let on_keydown = {
        let on_cancel = props.on_cancel.clone();
        let dialog_ref = dialog_ref.clone();
        Callback::from(move |e: KeyboardEvent| match e.key().as_str() {
            "Escape" => {
                if let Some(on_cancel) = &on_cancel {
                    e.prevent_default();
                    on_cancel.emit(());
                }
            }
            "Tab" => wrap_tab(&e, &dialog_ref),
            _ => {}
        })
    };
    html! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby={title_id.clone()}
                 id={props.id.clone()} onkeydown={on_keydown} ref={dialog_ref}>
                <h3 id={title_id}>{ &props.title }</h3>
                { props.children.clone() }
            </div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct ConfirmDialogProps {
    pub id: AttrValue,
    pub title: AttrValue,
    pub confirm_label: AttrValue,
    pub on_confirm: Callback<()>,
    pub on_cancel: Callback<()>,
    #[prop_or_default]
    pub children: Html,
}

#[function_component(ConfirmDialog)]
pub fn confirm_dialog(props: &ConfirmDialogProps) -> Html {
    let cancel_ref = use_node_ref();
    html! {
        <Modal id={props.id.clone()} title={props.title.clone()} on_cancel={props.on_cancel.clone()}
               focus={cancel_ref.clone()}>
            { props.children.clone() }
            <div class="actions">
                <button type="button" class="primary" onclick={props.on_confirm.reform(|_: MouseEvent| ())}>
                    { &props.confirm_label }
                </button>
                <button type="button" ref={cancel_ref} onclick={props.on_cancel.reform(|_: MouseEvent| ())}>
                    { text_node(t!("Cancel")) }
                </button>
            </div>
        </Modal>
    }
}

fn focusable(dialog: &NodeRef) -> Vec<HtmlElement> {
    let Some(list) = dialog
        .cast::<Element>()
        .and_then(|d| d.query_selector_all(FOCUSABLE).ok())
    else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|node| node.dyn_into::<HtmlElement>().ok())
        .collect()
}

/// Tab from the last control goes to the first, Shift+Tab from the first to the last.
fn wrap_tab(e: &KeyboardEvent, dialog: &NodeRef) {
    let controls = focusable(dialog);
    let (Some(first), Some(last)) = (controls.first(), controls.last()) else {
        return;
    };
    let (from, to) = if e.shift_key() {
        (first, last)
    } else {
        (last, first)
    };
    let active = from.owner_document().and_then(|d| d.active_element());
    if active.as_ref() == Some(from.unchecked_ref::<Element>()) {
        e.prevent_default();
        let _ = to.focus();
    }
}
