//! Step 1: choose the CA and connect; afterwards, what the CA says about itself, External Account Binding
//! when it requires it, and its certificate profiles.

use certsmith::acme::directory::Directory;
use certsmith::i18n;
use certsmith::wizard::{Action, CaKind, Section, Step, Task, Wizard};
use certsmith::{t, t_key};
use yew::prelude::*;

use super::dialog::ConfirmDialog;
use super::external_link::external_link;
use super::forms::{input_value, select_value};
use super::section::StepSection;
use super::state::WizardView;
use super::text_node;
use super::{local_ca, sentence_with, DEFAULT_DIRECTORY};

#[derive(Properties, PartialEq)]
pub struct CaStepProps {
    /// Read only: the step changes the wizard through `on_action` and `on_task`.
    pub wizard: WizardView,
    pub on_action: Callback<Action>,
    pub on_task: Callback<Task>,
}

fn kinds() -> Vec<CaKind> {
    let mut kinds = vec![CaKind::LetsEncrypt, CaKind::LetsEncryptStaging];
    if local_ca() {
        kinds.push(CaKind::Local);
    }
    kinds.push(CaKind::Other);
    kinds
}

fn local_url() -> Option<&'static str> {
    local_ca().then_some(DEFAULT_DIRECTORY)
}

#[function_component(CaStep)]
pub fn ca_step(props: &CaStepProps) -> Html {
    let w = &*props.wizard;
    let dispatch = props.on_action.clone();
    let confirm_change = use_state(|| false);

    let body = if w.step == Step::Ca {
        view_choice(w, &dispatch, &props.on_task)
    } else {
        let change = {
            let confirm_change = confirm_change.clone();
            let dispatch = dispatch.clone();
            let has_account = w.account.is_some();
            Callback::from(move |_: MouseEvent| {
                if has_account {
                    confirm_change.set(true);
                } else {
                    dispatch.emit(Action::ChangeCa);
                }
            })
        };
        html! {
            <>
                { view_connected(w, &dispatch) }
                if w.order.is_none() {
                    <div class="actions">
                        <button type="button" onclick={change} disabled={w.is_busy()}>{ text_node(t!("Change CA")) }</button>
                    </div>
                }
                if *confirm_change {
                    <ConfirmDialog
                        id="change-ca-dialog"
                        title={t!("Change the CA?")}
                        confirm_label={t!("Change CA and forget the account")}
                        on_confirm={{
                            let confirm_change = confirm_change.clone();
                            let dispatch = dispatch.clone();
                            Callback::from(move |()| {
                                confirm_change.set(false);
                                dispatch.emit(Action::ChangeCa);
                            })
                        }}
                        on_cancel={{
                            let confirm_change = confirm_change.clone();
                            Callback::from(move |()| confirm_change.set(false))
                        }}
                    >
                        <p>{ t!("An account belongs to one CA, so this page forgets the current account and its key. \
                              Download the account key first if you want to use this account again.") }</p>
                    </ConfirmDialog>
                }
            </>
        }
    };

    html! {
        <StepSection
            section={Section::Ca}
            at={w.section()}
            busy={w.busy.clone()}
            error={w.error.clone()}
            on_task={props.on_task.clone()}
            on_dismiss={dispatch.reform(|()| Action::DismissError)}
        >
            { body }
        </StepSection>
    }
}

fn view_choice(w: &Wizard, dispatch: &Callback<Action>, on_task: &Callback<Task>) -> Html {
    let on_kind = dispatch.reform(|e: Event| {
        let kind = CaKind::from_name(&select_value(&e)).unwrap_or(CaKind::Other);
        Action::ChooseCa {
            kind,
            url: kind.preset_url(local_url()),
        }
    });
    let on_url = dispatch.reform(|e: InputEvent| Action::SetCaUrl(input_value(&e)));
    let connect = on_task.reform(|_: MouseEvent| Task::Connect);
    let on_submit = {
        let on_task = on_task.clone();
        let ready = !w.is_busy() && !w.ca_url.trim().is_empty();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if ready {
                on_task.emit(Task::Connect);
            }
        })
    };
    html! {
        <form class="stack" onsubmit={on_submit} novalidate=true>
            <p class="lead">{ text_node(t!("Choose who issues the certificate. The page talks to the CA directly from this browser.")) }</p>
            <div class="field">
                <label for="ca-kind">{ text_node(t!("Certificate authority")) }</label>
                <select id="ca-kind" onchange={on_kind} disabled={w.is_busy()}>
                    { for kinds().into_iter().map(|kind| html! {
                        <option value={kind.as_str()} selected={kind == w.ca_kind}>{ kind.label() }</option>
                    }) }
                </select>
                <p class="help">{ kind_help(w.ca_kind) }</p>
            </div>
            if w.ca_kind == CaKind::Local {
                { local_note() }
            }
            <div class="field">
                <label for="ca-url">{ text_node(t!("Directory URL")) }</label>
                <input id="ca-url" type="url" inputmode="url" autocomplete="off" spellcheck="false"
                       value={w.ca_url.clone()} oninput={on_url} disabled={w.is_busy()} />
                <p class="help">{ text_node(t!("The CA's ACME directory (RFC 8555 §7.1.1). Typing here selects \u{201c}Other\u{201d}.")) }</p>
            </div>
            <div class="actions">
                <button type="button" class="primary" onclick={connect}
                        disabled={w.is_busy() || w.ca_url.trim().is_empty()}>{ text_node(t!("Connect")) }</button>
            </div>
        </form>
    }
}

fn kind_help(kind: CaKind) -> &'static str {
    match kind {
        CaKind::LetsEncrypt => {
            t!("Production: browsers trust its certificates. It limits how many certificates and failed \
             validations you may have per week, so try the staging CA first if you are experimenting.")
        }
        CaKind::LetsEncryptStaging => {
            t!("Suggested for a first try: the same steps with generous limits, but browsers do not trust its \
             certificates.")
        }
        CaKind::Local => t!("A throwaway CA on this machine, for development and tests."),
        CaKind::Other => {
            t!("Any ACME CA that lets web pages talk to it (CORS). Enter its directory URL below.")
        }
    }
}

fn local_note() -> Html {
    html! {
        <p class="notice" id="local-ca">
            { sentence_with(
                i18n::text(t_key!("This is a local test CA (Pebble). When started by {command} it validates every \
                    challenge automatically; nothing trusts the certificates it issues. If this browser refuses to \
                    connect, open {url} in a tab once and accept the certificate warning.")),
                &[
                    ("command", html! { <code>{ "make serve" }</code> }),
                    ("url", html! {
                        <a href={DEFAULT_DIRECTORY} target="_blank" rel="noopener noreferrer">{ DEFAULT_DIRECTORY }</a>
                    }),
                ],
            ) }
        </p>
    }
}

fn ca_name(w: &Wizard) -> String {
    match w.ca_kind {
        CaKind::Other => w
            .connected_url
            .as_deref()
            .and_then(|u| u.split("://").nth(1))
            .and_then(|rest| rest.split('/').next())
            .unwrap_or(t!("Custom CA"))
            .to_string(),
        kind => kind.label().to_string(),
    }
}

fn view_connected(w: &Wizard, dispatch: &Callback<Action>) -> Html {
    let (Some(url), Some(directory)) = (&w.connected_url, &w.directory) else {
        return html! {};
    };
    let meta = &directory.meta;
    html! {
        <>
            <dl class="facts">
                <dt>{ "CA" }</dt>
                <dd data-testid="ca-name">{ ca_name(w) }</dd>
                <dt>{ text_node(t!("Directory")) }</dt>
                <dd><a id="ca-directory" href={url.clone()} target="_blank" rel="noopener noreferrer">{ url }</a></dd>
                if let Some(website) = &meta.website {
                    <dt>{ text_node(t!("Website")) }</dt>
                    <dd>{ external_link(website.clone().into(), None, None) }</dd>
                }
                if let Some(terms) = &meta.terms_of_service {
                    <dt>{ text_node(t!("Terms of service")) }</dt>
                    <dd>{ external_link(terms.clone().into(), None, Some("ca-terms")) }</dd>
                }
                if !meta.caa_identities.is_empty() {
                    <dt>{ text_node(t!("CAA identities")) }</dt>
                    <dd>
                        { meta.caa_identities.join(", ") }
                        <span class="help-inline">{ text_node(t!(" (a CAA record in your DNS must name one of these, if you have CAA records)")) }</span>
                    </dd>
                }
            </dl>
            if w.ca_kind == CaKind::Local {
                { local_note() }
            }
            if meta.external_account_required && w.account.is_none() {
                { view_eab(w, dispatch) }
            }
            if !meta.profiles.is_empty() {
                { view_profiles(w, directory, dispatch) }
            }
            { view_resources(directory) }
        </>
    }
}

fn view_eab(w: &Wizard, dispatch: &Callback<Action>) -> Html {
    html! {
        <fieldset class="stack">
            <legend>{ "External Account Binding" }</legend>
            <p class="help">{ t!("This CA only issues to accounts tied to an account you hold with it. Copy the two \
                               values from the CA's dashboard; they are used once, when the account is created.") }</p>
            <div class="field">
                <label for="eab-kid">{ text_node(t!("EAB key ID")) }</label>
                <input id="eab-kid" type="text" autocomplete="off" spellcheck="false" value={w.eab_kid.clone()}
                       oninput={dispatch.reform(|e: InputEvent| Action::SetEabKid(input_value(&e)))} />
            </div>
            <div class="field">
                <label for="eab-hmac">{ text_node(t!("EAB HMAC key")) }</label>
                <input id="eab-hmac" type="text" autocomplete="off" spellcheck="false" value={w.eab_hmac.clone()}
                       oninput={dispatch.reform(|e: InputEvent| Action::SetEabHmac(input_value(&e)))} />
            </div>
        </fieldset>
    }
}

fn view_profiles(w: &Wizard, directory: &Directory, dispatch: &Callback<Action>) -> Html {
    let profiles = &directory.meta.profiles;
    let chosen = w.profile.clone().unwrap_or_default();
    let on_change = dispatch.reform(|e: Event| {
        let value = select_value(&e);
        Action::SetProfile((!value.is_empty()).then_some(value))
    });
    html! {
        <div class="field">
            <label for="profile">{ text_node(t!("Certificate profile")) }</label>
            <select id="profile" onchange={on_change} disabled={w.order.is_some() || w.is_busy()}>
                <option value="" selected={chosen.is_empty()}>{ text_node(t!("The CA's default")) }</option>
                { for profiles.keys().map(|name| html! {
                    <option value={name.clone()} selected={*name == chosen}>{ name }</option>
                }) }
            </select>
            <ul class="help profile-descriptions">
                { for profiles.iter().map(|(name, description)| html! {
                    <li><strong>{ name }</strong>{ ": " }{ description }</li>
                }) }
            </ul>
        </div>
    }
}

fn view_resources(directory: &Directory) -> Html {
    let resources = [
        ("newNonce", Some(&directory.new_nonce)),
        ("newAccount", Some(&directory.new_account)),
        ("newOrder", Some(&directory.new_order)),
        ("newAuthz", directory.new_authz.as_ref()),
        ("revokeCert", Some(&directory.revoke_cert)),
        ("keyChange", Some(&directory.key_change)),
        ("renewalInfo", directory.renewal_info.as_ref()),
    ];
    html! {
        <details class="directory">
            <summary>{ text_node(t!("Directory resources")) }</summary>
            <dl id="directory" class="resources">
                { for resources.into_iter().filter_map(|(name, url)| url.map(|url| html! {
                    <><dt>{ name }</dt><dd><code data-resource={name}>{ url }</code></dd></>
                })) }
            </dl>
        </details>
    }
}
