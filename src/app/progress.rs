//! Where the person is (the list of steps) and what the page waits for (the busy indicator).

use certsmith::wizard::{Section, Step};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct StepListProps {
    pub step: Step,
}

#[function_component(StepList)]
pub fn step_list(props: &StepListProps) -> Html {
    let at = props.step.section();
    html! {
        <nav class="step-list" aria-label="Steps">
            <ol>
                { for Section::ALL.into_iter().map(|section| {
                    let (class, note) = if section == at {
                        ("current", " (current step)")
                    } else if section < at {
                        ("done", " (done)")
                    } else {
                        ("todo", "")
                    };
                    html! {
                        <li class={class}>
                            <span class="step-number" aria-hidden="true">{ section.number() }</span>
                            <span class="step-title">{ section.title() }</span>
                            <span class="visually-hidden">{ note }</span>
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
}

/// An indeterminate progress bar with the reason in words.
#[function_component(Busy)]
pub fn busy(props: &BusyProps) -> Html {
    html! {
        <div class="busy" role="progressbar" aria-busy="true" aria-valuetext={props.label.clone()}
             aria-label="Working">
            <span class="spinner" aria-hidden="true"></span>
            <span class="busy-label">{ &props.label }</span>
        </div>
    }
}
