//! Step 4: one card per authorization (status, challenge type, the file to upload or the lasting
//! dns-persist-01 record), the dns-01 TXT records to add grouped by name, the DNS check, and "Submit
//! challenges" (asking first when nothing confirmed the records).

use certsmith::acme::authorization::{
    Authorization, AuthorizationStatus, ChallengeStatus, ChallengeType, Placement,
};
use certsmith::acme::flow::{usable_challenge_types, AuthorizationProgress};
use certsmith::acme::persist::validation_domain_name;
use certsmith::i18n;
use certsmith::web::clock;
use certsmith::wizard::{Action, Section, Step, Task, Wizard};
use certsmith::{t, t_key};
use yew::prelude::*;

use super::dialog::ConfirmDialog;
use super::dns_record::dns_record_view;
use super::doh_check::{doh_check, host, DohCheckProps};
use super::error_panel::view_problem;
use super::focus::use_focus_when;
use super::forms::select_value;
use super::http_challenge::{server_hints, HttpChallenge};
use super::persist_record::{persist_record_view, PersistRecordProps};
use super::section::StepSection;
use super::sentence_with;
use super::state::WizardView;
use super::status;
use super::text_node;

#[derive(Properties, PartialEq)]
pub struct ChallengesStepProps {
    /// Read only: the step changes the wizard through `on_action` and `on_task`.
    pub wizard: WizardView,
    pub on_action: Callback<Action>,
    pub on_task: Callback<Task>,
}

#[function_component(ChallengesStep)]
pub fn challenges_step(props: &ChallengesStepProps) -> Html {
    let w = &*props.wizard;
    let dispatch = props.on_action.clone();
    let confirming = use_state(|| false);
    // A failed order moves the focus to its failure panel (an error like any other).
    let failure_ref = use_focus_when(w.step == Step::Failed, false);

    let body = if w.order.is_none() {
        html! { <p class="muted">{ text_node(t!("Create an order first.")) }</p> }
    } else {
        // The person vouches for the records and files; then the flow answers the challenges.
        let submit = {
            let on_task = props.on_task.clone();
            let dispatch = dispatch.clone();
            Callback::from(move |()| {
                dispatch.emit(Action::ChallengesPlaced);
                on_task.emit(Task::Drive);
            })
        };
        let on_submit = {
            let submit = submit.clone();
            let confirming = confirming.clone();
            let warned = !w.submit_warnings().is_empty();
            Callback::from(move |_: MouseEvent| {
                if warned {
                    confirming.set(true);
                } else {
                    submit.emit(());
                }
            })
        };
        html! {
            <>
                { intro(w) }
                // Every name reused: the authorizations were never read (nothing to show but their URLs).
                if !w.all_reused() {
                    <div class="authz-list">
                        { for w.order.iter().flat_map(|o| o.authorizations.iter()).enumerate().map(|(index, authz)| {
                            view_authz(w, index, authz, &dispatch)
                        }) }
                    </div>
                }
                { view_records(w) }
                if w.has_pending_http() && matches!(w.step, Step::Challenges | Step::Validating) {
                    { server_hints() }
                }
                if matches!(w.step, Step::Challenges | Step::Validating) && !w.dns_records().is_empty() {
                    { doh_check(&DohCheckProps {
                        resolvers: w.resolvers.clone(),
                        rows: w.doh.clone(),
                        busy: w.is_busy(),
                        on_change: dispatch.reform(Action::SetResolvers),
                        on_check: props.on_task.reform(|()| Task::CheckDns),
                    }) }
                }
                if w.is_locked() {
                    <p class="help" data-testid="locked-records">{ t!("The records and files to place come from the \
                                       account key: unlock it at the top of the page to see them.") }</p>
                } else if w.step == Step::Challenges {
                    { view_submit(w, on_submit) }
                }
                if w.step == Step::Validating && !w.is_busy() && w.error.is_none() && !w.is_locked() {
                    <div class="actions">
                        <button type="button" onclick={props.on_task.reform(|_: MouseEvent| Task::Drive)}>
                            { text_node(t!("Check again")) }
                        </button>
                    </div>
                }
                if w.step == Step::Failed {
                    { view_failure(w, &dispatch, failure_ref) }
                }
                if *confirming {
                    <ConfirmDialog
                        id="submit-dialog"
                        title={t!("Submit before everything is confirmed?")}
                        confirm_label={t!("Submit anyway")}
                        on_confirm={{
                            let confirming = confirming.clone();
                            let submit = submit.clone();
                            Callback::from(move |()| {
                                confirming.set(false);
                                submit.emit(());
                            })
                        }}
                        on_cancel={{
                            let confirming = confirming.clone();
                            Callback::from(move |()| confirming.set(false))
                        }}
                    >
                        <ul>
                            { for w.submit_warnings().into_iter().map(|warning| html! { <li>{ warning }</li> }) }
                        </ul>
                        <p>{ t!("When you submit, the CA looks once. If it does not find a record or file, or finds a \
                              wrong value, the authorization fails for good: you would have to start a new order, \
                              and failed validations count against the CA's rate limits.") }</p>
                    </ConfirmDialog>
                }
            </>
        }
    };

    html! {
        <StepSection
            section={Section::Challenges}
            at={w.section()}
            busy={w.busy.clone()}
            busy_until_ms={w.busy_until_ms}
            error={w.error.clone()}
            on_task={props.on_task.clone()}
            on_dismiss={dispatch.reform(|()| Action::DismissError)}
        >
            { body }
        </StepSection>
    }
}

fn intro(w: &Wizard) -> Html {
    let reused = w.reused_authorizations();
    match w.step {
        Step::Challenges => html! {
            <>
                <p class="lead">{ t!("Prove that you control each name: add the TXT records in your DNS provider's \
                                   panel (DNS-01) or upload the files to your web site (HTTP-01). Then check and \
                                   submit.") }</p>
                if w.order.as_ref().is_some_and(|o| o.replaces_dropped) {
                    <p class="notice" role="status" data-testid="replaces-dropped">{ t!("The CA says the certificate \
                        being renewed was already replaced by another order, so this order does not claim to \
                        replace it.") }</p>
                }
                if !reused.is_empty() {
                    <p class="ok" data-testid="reused">{ t!(
                        "Already validated for this account, nothing to place: {names}.", names = reused.join(", ")) }</p>
                }
            </>
        },
        Step::Validating => html! {
            <p class="lead">{ t!("The CA is checking the records and files. Leave them in place until the \
                               certificate is issued.") }</p>
        },
        Step::Failed => html! {},
        _ if w.all_reused() => html! {
            <p class="ok" data-testid="reused-all">{ t!("Every name was already validated for this account (the CA \
                                                     keeps validations for a while): nothing had to be placed.") }</p>
        },
        _ if used_persist(w) => html! {
            <p class="lead">{ t!("Every name is validated. You may now remove the _acme-challenge TXT records and \
                               the files; keep the _validation-persist records: later renewals use them.") }</p>
        },
        _ => {
            html! { <p class="lead">{ text_node(t!("Every name is validated. You may now remove the TXT records and files.")) }</p> }
        }
    }
}

/// Some authorization of the order was answered with dns-persist-01: its record is meant to stay.
fn used_persist(w: &Wizard) -> bool {
    w.order
        .iter()
        .flat_map(|o| o.authorizations.iter())
        .any(|a| a.answered && a.challenge_type == Some(ChallengeType::DnsPersist01))
}

/// What a valid authorization needs: nothing, and with dns-persist-01 its record stays.
fn view_valid(authorization: &Authorization) -> Html {
    let by_persist = authorization.challenges.iter().any(|c| {
        c.challenge_type == ChallengeType::DnsPersist01 && c.status == ChallengeStatus::Valid
    });
    if by_persist {
        html! {
            <p class="ok" data-testid="persist-valid">{ t!(
                "Validated with the lasting record at {record_name}: nothing to place for this name. Keep the \
                 record for later renewals.", record_name = validation_domain_name(&authorization.identifier.value)) }</p>
        }
    } else {
        html! { <p class="ok">{ text_node(t!("Validated: nothing to do for this name.")) }</p> }
    }
}

fn view_authz(
    w: &Wizard,
    index: usize,
    authz: &AuthorizationProgress,
    dispatch: &Callback<Action>,
) -> Html {
    let Some(authorization) = &authz.authorization else {
        return html! {
            <article class="authz" data-testid="authz">
                <h3>{ authz.name() }</h3>
                <p class="muted">{ text_node(t!("Not read yet.")) }</p>
            </article>
        };
    };
    let name = authorization.display_name();
    // Valid once the order is ready, though the authorization was read only while pending.
    let status = w
        .order
        .as_ref()
        .and_then(|issuance| issuance.authorization_status(authz))
        .unwrap_or(authorization.status);
    let possible = usable_challenge_types(authorization);
    let select_id = format!("challenge-type-{index}");
    let on_type = dispatch.reform(move |e: Event| Action::ChooseChallenge {
        index,
        challenge_type: ChallengeType::from(select_value(&e)),
    });
    let offered: Vec<&str> = authorization
        .challenges
        .iter()
        .map(|c| c.challenge_type.as_str())
        .collect();
    html! {
        <article class={classes!("authz", status.as_str())} data-testid="authz">
            <h3>{ &name }</h3>
            <p class="authz-status-line">
                { text_node(t!("Status: ")) }
                <span class={classes!("status", status.as_str())} data-testid="authz-status">{ status::authorization(status) }</span>
            </p>
            { match status {
                AuthorizationStatus::Valid => view_valid(authorization),
                AuthorizationStatus::Pending if w.step == Step::Failed => html! {
                    <p class="muted">{ text_node(t!("Not validated: the order failed (see below).")) }</p>
                },
                AuthorizationStatus::Pending if possible.is_empty() => html! {
                    <p class="error" role="alert">{ t!(
                        "The CA offers no challenge this page can complete for {name} (it offers: {offered}). \
                         Remove the name or use another client.", name = name, offered = offered.join(", ")) }</p>
                },
                AuthorizationStatus::Pending => html! {
                    <>
                        if possible.len() > 1 {
                            <div class="field inline">
                                <label for={select_id.clone()}>{ text_node(t!("Challenge type")) }</label>
                                <select id={select_id} onchange={on_type}
                                        disabled={w.step != Step::Challenges || w.is_busy()}>
                                    { for possible.iter().map(|t| html! {
                                        <option value={t.as_str().to_string()}
                                                selected={authz.challenge_type.as_ref() == Some(t)}>
                                            { challenge_label(t) }
                                        </option>
                                    }) }
                                </select>
                            </div>
                        } else if authorization.wildcard {
                            <p class="help">{ text_node(t!("A wildcard name can only be proven with a DNS record (DNS-01).")) }</p>
                        } else if possible == [ChallengeType::Http01] {
                            <p class="help">{ text_node(t!("An IP address can only be proven with a file on the server (HTTP-01).")) }</p>
                        }
                        { view_placement(w, index, authz, dispatch) }
                    </>
                },
                // The CA's problem is shown once, in the failure panel below.
                _ => html! {
                    <p class="error-text">{ text_node(t!("The CA could not validate this name; the reason is below.")) }</p>
                },
            } }
        </article>
    }
}

fn challenge_label(challenge_type: &ChallengeType) -> &'static str {
    match challenge_type {
        ChallengeType::Dns01 => t!("DNS-01 (TXT record)"),
        ChallengeType::Http01 => t!("HTTP-01 (file on the site)"),
        ChallengeType::DnsPersist01 => t!("DNS-PERSIST-01 (one lasting TXT record)"),
        _ => t!("other"),
    }
}

fn view_placement(
    w: &Wizard,
    index: usize,
    authz: &AuthorizationProgress,
    dispatch: &Callback<Action>,
) -> Html {
    match w.placement(index) {
        None => html! {},
        Some(Err(e)) => {
            html! { <p class="error" role="alert">{ t!("This challenge cannot be prepared: {why}.", why = e) }</p> }
        }
        Some(Ok(Placement::Dns01 { record_name, .. })) => html! {
            <p>{ sentence_with(
                i18n::text(t_key!("Add the TXT record {record_name} listed under \u{201c}TXT records to add\u{201d}.")),
                &[("record_name", html! { <code>{ record_name }</code> })],
            ) }</p>
        },
        Some(Ok(placement @ Placement::Http01 { .. })) => {
            let answered = authz
                .chosen_challenge()
                .is_some_and(|c| c.status != ChallengeStatus::Pending);
            html! { <HttpChallenge placement={placement} answered={answered} /> }
        }
        Some(Ok(placement @ Placement::DnsPersist01 { .. })) => {
            view_persist(w, index, authz, placement, dispatch)
        }
    }
}

fn view_persist(
    w: &Wizard,
    index: usize,
    authz: &AuthorizationProgress,
    placement: Placement,
    dispatch: &Callback<Action>,
) -> Html {
    let now = clock::now();
    let seen_by: Vec<String> = w
        .persist_seen(index)
        .iter()
        .map(|row| host(&row.resolver).to_string())
        .collect();
    html! {
        { persist_record_view(&PersistRecordProps {
            index,
            name: authz.name().into(),
            placement,
            choice: authz.persist,
            wildcard_required: w.order.as_ref().is_some_and(|o| o.persist_wildcard_required(index)),
            seen_by,
            refused: w.persist_refusals(index, now),
            until_near: w.persist_until_near(index, now),
            suggest_lock: w.account_lock.is_none(),
            disabled: w.step != Step::Challenges || w.is_busy() || authz.answered,
            on_choose: dispatch.reform(move |choice| Action::ChoosePersist { index, choice }),
        }) }
    }
}

fn view_records(w: &Wizard) -> Html {
    // dns-persist-01 records are shown in their authorization's card, with their choices.
    let records: Vec<_> = w
        .dns_records()
        .into_iter()
        .filter(|r| r.persist_issuers.is_none())
        .collect();
    if records.is_empty() || !matches!(w.step, Step::Challenges | Step::Validating) {
        return html! {};
    }
    html! {
        <div class="records">
            <h3>{ text_node(t!("TXT records to add")) }</h3>
            <p class="help">{ sentence_with(
                i18n::text(t_key!("In your DNS provider's panel, add a record of type TXT for each name below. If \
                                   the panel adds your domain to the name by itself, enter only the part before it \
                                   (for example {apex_part} or {www_part}). Keep the lowest TTL the panel allows.")),
                &[
                    ("apex_part", html! { <code>{ "_acme-challenge" }</code> }),
                    ("www_part", html! { <code>{ "_acme-challenge.www" }</code> }),
                ],
            ) }</p>
            { for records.iter().map(dns_record_view) }
        </div>
    }
}

fn view_submit(w: &Wizard, on_submit: Callback<MouseEvent>) -> Html {
    let nothing = w.challenges_to_place() == 0;
    html! {
        <div class="submit">
            if w.has_pending_http() {
                <p class="help">{ t!("This page cannot fetch the HTTP-01 files itself (browsers do not let a page \
                                   read another site's files), so open each URL above and check that it shows \
                                   exactly the content.") }</p>
            }
            <div class="actions">
                <button type="button" class="primary" onclick={on_submit}
                        disabled={w.is_busy() || nothing}>
                    { text_node(t!("Submit challenges")) }
                </button>
            </div>
        </div>
    }
}

fn view_failure(w: &Wizard, dispatch: &Callback<Action>, focus: NodeRef) -> Html {
    let Some(failure) = w.failure() else {
        return html! {};
    };
    html! {
        <div class="error" role="alert" ref={focus} tabindex="-1">
            <p class="error-message">{ &failure.message }</p>
            { for failure.problems.iter().map(|problem| html! {
                <>
                    { view_problem(problem) }
                    <p class="hint" data-testid="hint"><strong>{ text_node(t!("What to do: ")) }</strong>{ problem.hint() }</p>
                </>
            }) }
            if failure.problems.is_empty() {
                <p class="hint" data-testid="hint">{ text_node(t!("The CA gave no reason; the protocol log below has its answers.")) }</p>
            }
            <div class="actions">
                <button type="button" class="primary" onclick={dispatch.reform(|_: MouseEvent| Action::NewOrder)}>
                    { text_node(t!("Start a new order")) }
                </button>
            </div>
            <p class="help">{ text_node(t!("A new order keeps the CA, the account and the names you typed.")) }</p>
        </div>
    }
}
