//! An in-page confirmation dialog (no `window.confirm`): focus goes to "Cancel", Escape cancels.

use web_sys::HtmlElement;
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
    {
        let cancel_ref = cancel_ref.clone();
        use_effect_with((), move |_| {
            if let Some(button) = cancel_ref.cast::<HtmlElement>() {
                let _ = button.focus();
            }
        });
    }
    let title_id = format!("{}-title", props.id);
    let on_keydown = {
        let on_cancel = props.on_cancel.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                on_cancel.emit(());
            }
        })
    };
    html! {
        <div class="dialog-backdrop">
            <div class="dialog" role="dialog" aria-modal="true" aria-labelledby={title_id.clone()}
                 id={props.id.clone()} onkeydown={on_keydown}>
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
