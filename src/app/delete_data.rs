//! "Delete all Certsmith data from this browser": after a confirmation that says what goes, every key
//! the page kept (the saved state, the log, the copies kept aside) is removed and the wizard starts
//! afresh.

use certsmith::t;
use certsmith::web::storage;
use certsmith::wizard::Action;
use yew::prelude::*;

use super::dialog::ConfirmDialog;
use super::state::LogAction;
use super::text_node;

/// Every key Certsmith writes starts with this.
const STORAGE_PREFIX: &str = "certsmith.";

#[derive(Properties, PartialEq)]
pub struct DeleteDataProps {
    /// The local build's CA, for the fresh start.
    pub local_ca: Option<AttrValue>,
    pub on_action: Callback<Action>,
    pub on_log: Callback<LogAction>,
}

#[function_component(DeleteData)]
pub fn delete_data(props: &DeleteDataProps) -> Html {
    let confirming = use_state(|| false);
    let problem = use_state(|| None::<String>);
    let on_confirm = {
        let confirming = confirming.clone();
        let problem = problem.clone();
        let on_action = props.on_action.clone();
        let on_log = props.on_log.clone();
        let local_ca = props.local_ca.clone();
        Callback::from(move |()| {
            confirming.set(false);
            match storage::remove_all(STORAGE_PREFIX) {
                Ok(_) => {
                    problem.set(None);
                    on_log.emit(LogAction::Clear);
                    on_action.emit(Action::DeletedEverything {
                        local_ca: local_ca.as_ref().map(|u| u.to_string()),
                    });
                }
                Err(e) => problem.set(Some(t!("Could not delete everything: {why}", why = e))),
            }
        })
    };
    html! {
        <div class="delete-data">
            <button type="button" class="danger"
                    onclick={{ let confirming = confirming.clone(); Callback::from(move |_: MouseEvent| confirming.set(true)) }}>
                { text_node(t!("Delete all Certsmith data from this browser")) }
            </button>
            if let Some(problem) = &*problem {
                <p class="error" role="alert">{ problem }</p>
            }
            if *confirming {
                <ConfirmDialog
                    id="delete-data-dialog"
                    title={t!("Delete all Certsmith data from this browser?")}
                    confirm_label={t!("Delete everything")}
                    on_confirm={on_confirm}
                    on_cancel={{ let confirming = confirming.clone(); Callback::from(move |()| confirming.set(false)) }}
                >
                    <p>{ t!("This deletes the account keys, certificate keys, orders, certificates and the protocol log \
                          this page kept in this browser. The CA keeps your account and certificates; without the \
                          account key you cannot use that account again. Download what you need first.") }</p>
                </ConfirmDialog>
            }
        </div>
    }
}
