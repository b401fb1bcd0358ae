//! A "Copy" button that puts a value on the clipboard and says so next to itself.

use std::time::Duration;

use certsmith::t;
use certsmith::web::{clipboard, clock};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::text_node;

#[derive(Properties, PartialEq)]
pub struct CopyButtonProps {
    pub text: AttrValue,
}

#[derive(Clone, PartialEq)]
enum Copy {
    Idle,
    Copied,
    Failed(String),
}

#[function_component(CopyButton)]
pub fn copy_button(props: &CopyButtonProps) -> Html {
    let status = use_state(|| Copy::Idle);
    let onclick = {
        let status = status.clone();
        let text = props.text.clone();
        Callback::from(move |_: MouseEvent| {
            let status = status.clone();
            let text = text.clone();
            spawn_local(async move {
                match clipboard::copy_text(&text).await {
                    Ok(()) => {
                        status.set(Copy::Copied);
                        clock::sleep(Duration::from_secs(3)).await;
                        status.set(Copy::Idle);
                    }
                    Err(e) => status.set(Copy::Failed(e)),
                }
            });
        })
    };
    html! {
        <span class="copy">
            <button type="button" class="small" {onclick}>{ text_node(t!("Copy")) }</button>
            <span class="copy-status" role="status">
                { match &*status {
                    Copy::Idle => html! {},
                    Copy::Copied => html! { text_node(t!("Copied")) },
                    Copy::Failed(e) => html! {
                        t!("Could not copy ({why}); select the text and copy it by hand.", why = e)
                    },
                } }
            </span>
        </span>
    }
}
