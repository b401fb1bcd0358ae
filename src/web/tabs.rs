//! One working tab at a time. The page keeps its state in localStorage and saves it on every change, so
//! two tabs working on it would overwrite each other's progress. The newest tab takes over: it says so
//! on a `BroadcastChannel`, and every older tab of this origin becomes passive (saves nothing, sends
//! nothing) until the person brings it back, which reloads it with the latest saved state.

use std::cell::{Cell, RefCell};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{BroadcastChannel, MessageEvent};

/// The channel's name: one per origin, like localStorage.
const CHANNEL: &str = "certsmith.tabs";

/// The open channel and its message handler, kept for the life of the page.
type Open = (BroadcastChannel, Closure<dyn FnMut(MessageEvent)>);

thread_local! {
    static PASSIVE: Cell<bool> = const { Cell::new(false) };
    static OPEN: RefCell<Option<Open>> = const { RefCell::new(None) };
}

/// Another tab took over: this one must neither save nor send.
pub fn is_passive() -> bool {
    PASSIVE.with(Cell::get)
}

/// Takes over from every other tab, and calls `on_passive` when a newer tab takes over from this one.
/// Without BroadcastChannel (very old browsers) each tab works alone, as before.
pub fn take_over(on_passive: impl Fn() + 'static) -> Result<(), JsValue> {
    let channel = BroadcastChannel::new(CHANNEL)?;
    let me = format!("{}", js_sys::Math::random());
    let mine = me.clone();
    let handler = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let from_other = event.data().as_string().is_some_and(|id| id != mine);
        if from_other && !is_passive() {
            PASSIVE.with(|p| p.set(true));
            on_passive();
        }
    });
    channel.set_onmessage(Some(handler.as_ref().unchecked_ref()));
    channel.post_message(&JsValue::from_str(&me))?;
    OPEN.with(|open| *open.borrow_mut() = Some((channel, handler)));
    Ok(())
}
