//! One step of the page: a `<section>` with its numbered `<h2>`; the current one carries
//! `aria-current="step"`, its busy indicator and its error.

use certsmith::wizard::{ErrorInfo, Section, Task};
use yew::prelude::*;

use super::error_panel::ErrorPanel;
use super::focus::use_focus_when;
use super::progress::Busy;

#[derive(Properties, PartialEq)]
pub struct StepSectionProps {
    pub section: Section,
    /// The section the wizard is at.
    pub at: Section,
    #[prop_or_default]
    pub busy: Option<String>,
    /// When the flow asks the CA again, while it waits.
    #[prop_or_default]
    pub busy_until_ms: Option<u64>,
    #[prop_or_default]
    pub error: Option<ErrorInfo>,
    pub on_task: Callback<Task>,
    pub on_dismiss: Callback<()>,
    #[prop_or_default]
    pub children: Html,
}

#[function_component(StepSection)]
pub fn step_section(props: &StepSectionProps) -> Html {
    let current = props.section == props.at;
    let state = if current {
        "current"
    } else if props.section < props.at {
        "done"
    } else {
        "todo"
    };
    let heading = format!("step-{}", props.section.number());
    let busy = current && props.busy.is_some();
    // A step that becomes the current one takes the focus (its heading, which says where the person is).
    let heading_ref = use_focus_when(current, false);
    html! {
        <section
            class={classes!("step", state)}
            aria-current={current.then_some("step")}
            aria-busy={busy.then_some("true")}
        >
            // No aria-labelledby: a section named "Certificate authority" would share its name with the
            // select of that label.
            <h2 id={heading} ref={heading_ref} tabindex="-1">
                <span class="step-number" aria-hidden="true">{ props.section.number() }</span>
                // The heading's name is exactly the step's title (the step list says which are done).
                { props.section.title() }
            </h2>
            { props.children.clone() }
            if current {
                if let Some(label) = &props.busy {
                    <Busy label={label.clone()} until_ms={props.busy_until_ms} />
                }
                if let Some(error) = &props.error {
                    <ErrorPanel
                        error={error.clone()}
                        on_retry={props.on_task.clone()}
                        on_dismiss={props.on_dismiss.clone()}
                    />
                }
            }
        </section>
    }
}
