//! The order's own buttons, shown while an order exists: "Start a new order" (keeps the CA and the
//! account; asks first when that deletes an issued certificate's key) and "Forget this order" (asks
//! first, then deletes the order, its key and certificates).

use certsmith::i18n;
use certsmith::wizard::{Action, Step, Wizard};
use certsmith::{t, t_key};
use yew::prelude::*;

use super::dialog::ConfirmDialog;
use super::sentence_with;
use super::status;
use super::text_node;

#[derive(Properties, PartialEq)]
pub struct OrderBarProps {
    /// The order's names, comma-separated; `None` while there is no order (the bar shows nothing).
    pub names: Option<AttrValue>,
    /// The order's status in words (see [`shown_status`]).
    pub status: &'static str,
    /// The order failed: a new order starts from the failure panel instead.
    pub failed: bool,
    /// A new order would delete the key of the certificate this order issued (`Wizard::drops_issued_key`).
    pub drops_issued_key: bool,
    /// Receives `NewOrder` and `ForgetOrder`.
    pub on_action: Callback<Action>,
}

/// The order's status as the bar shows it. The saved order object is only refreshed by polls; once an
/// authorization failed the order is over.
pub fn shown_status(w: &Wizard) -> &'static str {
    if w.step == Step::Failed {
        return t!("failed");
    }
    match w.order.as_ref().and_then(|order| order.status()) {
        None => t!("being placed"),
        Some(status) => status::order(status),
    }
}

#[function_component(OrderBar)]
pub fn order_bar(props: &OrderBarProps) -> Html {
    let confirming = use_state(|| false);
    let confirming_new = use_state(|| false);
    let Some(names) = &props.names else {
        return html! {};
    };
    let dispatch = &props.on_action;
    let on_new_order = {
        let (confirming_new, dispatch) = (confirming_new.clone(), dispatch.clone());
        let ask = props.drops_issued_key;
        Callback::from(move |_: MouseEvent| {
            if ask {
                confirming_new.set(true);
            } else {
                dispatch.emit(Action::NewOrder);
            }
        })
    };
    html! {
        <aside class="order-bar" aria-label={t!("This order")}>
            <p>{ sentence_with(
                i18n::text(t_key!("Order for {names} ({status})")),
                &[("names", html! { <strong>{ names }</strong> }), ("status", html! { { props.status } })],
            ) }</p>
            <div class="actions">
                if !props.failed {
                    <button type="button" onclick={on_new_order}>
                        { text_node(t!("Start a new order")) }
                    </button>
                }
                <button type="button" class="danger"
                        onclick={{ let confirming = confirming.clone(); Callback::from(move |_: MouseEvent| confirming.set(true)) }}>
                    { text_node(t!("Forget this order")) }
                </button>
            </div>
            if *confirming_new {
                { drop_issued_key_dialog(
                    "new-order-dialog",
                    {
                        let (confirming_new, dispatch) = (confirming_new.clone(), dispatch.clone());
                        Callback::from(move |()| {
                            confirming_new.set(false);
                            dispatch.emit(Action::NewOrder);
                        })
                    },
                    { let confirming_new = confirming_new.clone(); Callback::from(move |()| confirming_new.set(false)) },
                ) }
            }
            if *confirming {
                <ConfirmDialog
                    id="forget-dialog"
                    title={t!("Forget this order?")}
                    confirm_label={t!("Yes, forget it")}
                    on_confirm={{
                        let confirming = confirming.clone();
                        let dispatch = dispatch.clone();
                        Callback::from(move |()| {
                            confirming.set(false);
                            dispatch.emit(Action::ForgetOrder);
                        })
                    }}
                    on_cancel={{ let confirming = confirming.clone(); Callback::from(move |()| confirming.set(false)) }}
                >
                    <p>{ t!("This deletes the order, its certificate key and any certificate from this browser. \
                          Download the certificate and privkey.pem first if you still need them. The CA and the \
                          account stay.") }</p>
                </ConfirmDialog>
            }
        </aside>
    }
}

/// Asks before a new order or a renewal drops the order whose certificate was issued here: its key is kept
/// only with the order (the list keeps the certificate), so one not yet downloaded would be gone for good.
pub fn drop_issued_key_dialog(
    id: &'static str,
    on_confirm: Callback<()>,
    on_cancel: Callback<()>,
) -> Html {
    html! {
        <ConfirmDialog id={id} title={t!("Delete this certificate's key?")}
                       confirm_label={t!("Delete the key and go on")} on_confirm={on_confirm} on_cancel={on_cancel}>
            <p>{ t!("The certificate issued in this order stays in the list of certificates, but its private key is \
                  kept only with this order and a new order deletes it from this browser. Download privkey.pem \
                  (or the PFX) first if you still need it.") }</p>
        </ConfirmDialog>
    }
}
