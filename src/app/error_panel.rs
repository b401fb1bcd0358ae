//! An error: what happened, what to do, the CA's problem with its subproblems, and "Try again".

use certsmith::acme::problem::{describe_duration, Problem, ACME_ERROR_NS};
use certsmith::t;
use certsmith::wizard::{ErrorInfo, Task};
use yew::prelude::*;

use super::focus::use_focus_when;
use super::text_node;

#[derive(Properties, PartialEq)]
pub struct ErrorPanelProps {
    pub error: ErrorInfo,
    pub on_retry: Callback<Task>,
    pub on_dismiss: Callback<()>,
}

#[function_component(ErrorPanel)]
pub fn error_panel(props: &ErrorPanelProps) -> Html {
    let error = &props.error;
    let retry = error.retry.clone().map(|task| {
        let on_retry = props.on_retry.clone();
        Callback::from(move |_: MouseEvent| on_retry.emit(task.clone()))
    });
    let dismiss = props.on_dismiss.reform(|_: MouseEvent| ());
    // Focus on the error as it appears: read out in full, and "Try again" is the next Tab.
    let panel_ref = use_focus_when(true, true);
    html! {
        <div class="error" role="alert" ref={panel_ref} tabindex="-1">
            <p class="error-message">{ &error.message }</p>
            if let Some(problem) = &error.problem {
                { view_problem(problem) }
            }
            <p class="hint" data-testid="hint"><strong>{ text_node(t!("What to do: ")) }</strong>{ &error.hint }</p>
            <div class="actions">
                if let Some(retry) = retry {
                    <button type="button" class="primary" onclick={retry}>{ text_node(t!("Try again")) }</button>
                }
                <button type="button" onclick={dismiss}>{ text_node(t!("Dismiss")) }</button>
            </div>
        </div>
    }
}

/// The short name of a problem type: `dns` for `urn:ietf:params:acme:error:dns`.
fn short_type(problem: &Problem) -> Option<String> {
    problem
        .type_uri
        .as_deref()
        .map(|t| t.strip_prefix(ACME_ERROR_NS).unwrap_or(t).to_string())
}

fn problem_line(problem: &Problem) -> Html {
    // The CA's own words, in the CA's language (unknown: `lang=""`), so that neither a screen reader nor
    // the German page's test takes them for the page's.
    let text = match problem.detail.clone().or_else(|| problem.title.clone()) {
        Some(said) => html! { <span lang="">{ said }</span> },
        None => html! { text_node(t!("no details given")) },
    };
    html! {
        <>
            if let Some(identifier) = &problem.identifier {
                <strong>{ format!("{}: ", identifier.value) }</strong>
            }
            { text }
            if let Some(kind) = short_type(problem) {
                { " " }<code class="problem-type">{ kind }</code>
            }
        </>
    }
}

/// A CA problem document (RFC 8555 §6.7) with its subproblems (§6.7.1).
pub fn view_problem(problem: &Problem) -> Html {
    html! {
        <div class="problem" data-testid="problem">
            <p><strong>{ text_node(t!("The CA says: ")) }</strong>{ problem_line(problem) }</p>
            if let Some(wait) = problem.retry_after {
                <p>{ t!("The CA asks to wait {wait} before trying again.", wait = describe_duration(wait)) }</p>
            }
            if !problem.subproblems.is_empty() {
                <ul class="subproblems">
                    { for problem.subproblems.iter().map(|sub| html! { <li>{ problem_line(sub) }</li> }) }
                </ul>
            }
        </div>
    }
}
