//! The order's own buttons, shown while an order exists: "Start a new order" (keeps the CA and the
//! account) and "Forget this order" (asks first, then deletes the order, its key and certificates).

use certsmith::wizard::{order_status_name, Action, Step};
use yew::prelude::*;

use super::dialog::ConfirmDialog;
use super::state::{dispatcher, StateHandle};

#[derive(Properties, PartialEq)]
pub struct OrderBarProps {
    pub state: StateHandle,
}

#[function_component(OrderBar)]
pub fn order_bar(props: &OrderBarProps) -> Html {
    let confirming = use_state(|| false);
    let w = &props.state.wizard;
    let Some(order) = &w.order else {
        return html! {};
    };
    let dispatch = dispatcher(&props.state);
    let names = order.names();
    // The saved order object is only refreshed by polls; once an authorization failed the order is over.
    let shown_status = if w.step == Step::Failed {
        "failed"
    } else {
        order.status().map_or("being placed", order_status_name)
    };
    html! {
        <aside class="order-bar" aria-label="This order">
            <p>
                { "Order for " }<strong>{ names.join(", ") }</strong>
                { format!(" ({})", shown_status) }
            </p>
            <div class="actions">
                if w.step != Step::Failed {
                    <button type="button" onclick={dispatch.reform(|_: MouseEvent| Action::NewOrder)}>
                        { "Start a new order" }
                    </button>
                }
                <button type="button" class="danger"
                        onclick={{ let confirming = confirming.clone(); Callback::from(move |_: MouseEvent| confirming.set(true)) }}>
                    { "Forget this order" }
                </button>
            </div>
            if *confirming {
                <ConfirmDialog
                    id="forget-dialog"
                    title="Forget this order?"
                    confirm_label="Yes, forget it"
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
                    <p>{ "This deletes the order, its certificate key and any certificate from this browser. Download \
                          the certificate and privkey.pem first if you still need them. The CA and the account stay." }</p>
                </ConfirmDialog>
            }
        </aside>
    }
}
