//! Where the person is (the list of steps) and what the page waits for (the busy indicator).

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use certsmith::acme::problem::describe_duration;
use certsmith::t;
use certsmith::web::clock;
use certsmith::wizard::{Section, Step};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

/// The five steps, the one at `step` marked current (a plain function: it has no state of its own).
pub fn step_list(step: Step) -> Html {
    let at = step.section();
    html! {
        <nav class="step-list" aria-label={t!("Steps")}>
            <ol>
                { for Section::ALL.into_iter().map(|section| {
                    let (class, note) = if section == at {
                        ("current", Some(t!("(current step)")))
                    } else if section < at {
                        ("done", Some(t!("(done)")))
                    } else {
                        ("todo", None)
                    };
                    html! {
                        <li class={class}>
                            <span class="step-number" aria-hidden="true">{ section.number() }</span>
                            <span class="step-title">{ section.title() }</span>
                            <span class="visually-hidden">{ note.map(|note| format!(" {note}")).unwrap_or_default() }</span>
                        </li>
                    }
                }) }
            </ol>
        </nav>
    }
}

#[derive(Properties, PartialEq)]
pub struct BusyProps {
    pub label: String,
    /// While the flow waits: when it asks again (milliseconds since the Unix epoch); the label then
    /// counts down to it.
    #[prop_or_default]
    pub until_ms: Option<u64>,
}

/// An indeterminate progress bar with the reason in words, and a countdown while the flow waits.
#[function_component(Busy)]
pub fn busy(props: &BusyProps) -> Html {
    let now_ms = use_state(now_millis);
    {
        let now_ms = now_ms.clone();
        use_effect_with(props.until_ms, move |until| {
            let alive = Rc::new(Cell::new(true));
            if until.is_some() {
                let alive = alive.clone();
                spawn_local(async move {
                    while alive.get() {
                        now_ms.set(now_millis());
                        clock::sleep(Duration::from_secs(1)).await;
                    }
                });
            }
            move || alive.set(false)
        });
    }
    let label = match props.until_ms {
        Some(until) => {
            let left = Duration::from_millis(until.saturating_sub(*now_ms)).as_secs() + 1;
            t!(
                "{task} in {wait}…",
                task = props.label,
                wait = describe_duration(Duration::from_secs(left))
            )
        }
        None => props.label.clone(),
    };
    html! {
        <div class="busy" role="progressbar" aria-busy="true" aria-valuetext={label.clone()}
             aria-label={t!("Working")}>
            <span class="spinner" aria-hidden="true"></span>
            <span class="busy-label" data-testid="busy-label">{ label }</span>
        </div>
    }
}

fn now_millis() -> u64 {
    clock::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}
