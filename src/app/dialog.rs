//! An in-page confirmation dialog (no `window.confirm`): focus goes to "Cancel", Escape cancels, Tab
//! stays inside it (it is modal), and focus returns to what had it (the button that opened the dialog)
//! when it closes.

use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;

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
    let dialog_ref = use_node_ref();
    {
        let cancel_ref = cancel_ref.clone();
        use_effect_with((), move |_| {
            let opener = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element())
                .and_then(|e| e.dyn_into::<HtmlElement>().ok());
            if let Some(button) = cancel_ref.cast::<HtmlElement>() {
                let _ = button.focus();
            }
            move || {
                if let Some(opener) = opener {
                    let _ = opener.focus();
                }
            }
        });
    }
    let title_id = format!("{}-title", props.id);
    let on_keydown = {
        let on_cancel = props.on_cancel.clone();
        let (dialog_ref, cancel_ref) = (dialog_ref.clone(), cancel_ref.clone());
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                on_cancel.emit(());
            } else if e.key() == "Tab" {
                wrap_tab(&e, &dialog_ref, &cancel_ref);
            }
        })
    };
    html! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby={title_id.clone()}
                 id={props.id.clone()} onkeydown={on_keydown} ref={dialog_ref}>
                <h3 id={title_id}>{ &props.title }</h3>
                { props.children.clone() }
                <div class="actions">
                    <button type="button" class="primary" onclick={props.on_confirm.reform(|_: MouseEvent| ())}>
                        { &props.confirm_label }
                    </button>
                    <button type="button" ref={cancel_ref} onclick={props.on_cancel.reform(|_: MouseEvent| ())}>
                        { "Cancel" }
                    </button>
                </div>
            </div>
        </div>
    }
}

/// Tab from "Cancel" (the last control) goes to the first one, Shift+Tab from the first to "Cancel".
fn wrap_tab(e: &KeyboardEvent, dialog: &NodeRef, cancel: &NodeRef) {
    let (Some(dialog), Some(cancel)) = (dialog.cast::<Element>(), cancel.cast::<HtmlElement>())
    else {
        return;
    };
    let first = dialog
        .query_selector("a[href], button:enabled, input:enabled, select:enabled, textarea:enabled")
        .ok()
        .flatten()
        .and_then(|first| first.dyn_into::<HtmlElement>().ok());
    let Some(first) = first else { return };
    let (from, to): (&Element, _) = if e.shift_key() {
        (&first, &cancel)
    } else {
        (&cancel, &first)
    };
    let active = dialog.owner_document().and_then(|d| d.active_element());
    if active.as_ref() == Some(from) {
        e.prevent_default();
        let _ = to.focus();
    }
}
