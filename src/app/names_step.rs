//! Step 3: the names on the certificate and its key (generated in the page, or the person's CSR).

use certsmith::acme::identifier::{allowed_challenge_types, Identifier, IdentifierKind};
use certsmith::pki::key::KeyType;
use certsmith::t;
use certsmith::wizard::{Action, CsrStatus, KeyChoice, Section, Step, Task, Wizard};
use yew::prelude::*;

use super::forms::{select_value, textarea_value};
use super::section::StepSection;
use super::state::WizardView;
use super::text_node;

#[derive(Properties, PartialEq)]
pub struct NamesStepProps {
    /// Read only: the step changes the wizard through `on_action` and `on_task`.
    pub wizard: WizardView,
    pub on_action: Callback<Action>,
    pub on_task: Callback<Task>,
}

#[function_component(NamesStep)]
pub fn names_step(props: &NamesStepProps) -> Html {
    let w = &*props.wizard;
    let dispatch = props.on_action.clone();
    // A CSR the person brings is read by the jobs module: when it is pasted or chosen, and after a reload.
    {
        let on_task = props.on_task.clone();
        let unread = w.csr_needs_reading().then(|| w.csr_input.clone());
        use_effect_with(unread, move |unread| {
            if unread.is_some() {
                on_task.emit(Task::ReadCsr);
            }
        });
    }
    let body = match w.step {
        Step::Ca | Step::Account => {
            html! { <p class="muted">{ text_node(t!("Create or import an account first.")) }</p> }
        }
        Step::Names => view_form(w, &dispatch, &props.on_task),
        _ => view_summary(w),
    };
    html! {
        <StepSection
            section={Section::Names}
            at={w.section()}
            busy={w.busy.clone()}
            error={w.error.clone()}
            on_task={props.on_task.clone()}
            on_dismiss={dispatch.reform(|()| Action::DismissError)}
        >
            if let Some(renewing) = w.renewing.as_ref().filter(|_| w.step < Step::Done) {
                <p class="notice" role="status" data-testid="renewing">
                    { renewing_notice(w, &renewing.names.join(", "), renewing.cert_id.is_some()) }
                </p>
            }
            { body }
        </StepSection>
    }
}

/// The notice while renewing `names`; it says the order names the replaced certificate when the CA has
/// ARI (RFC 9773) and the certificate is known.
fn renewing_notice(w: &Wizard, names: &str, known_certificate: bool) -> String {
    let tells_ca = known_certificate
        && w.directory
            .as_ref()
            .is_some_and(|d| d.renewal_info.is_some());
    if tells_ca {
        t!(
            "Renewing the certificate for {names}: the new one gets a new key of the same kind, and the CA is \
             told which certificate it replaces.",
            names = names
        )
    } else {
        t!(
            "Renewing the certificate for {names}: the new one gets a new key of the same kind.",
            names = names
        )
    }
}

/// What a name allows, in words.
fn name_note(id: &Identifier) -> &'static str {
    match (id.kind, allowed_challenge_types(id)) {
        (IdentifierKind::Ip, _) => t!("IP address: HTTP-01 only"),
        _ if id.is_wildcard() => t!("wildcard: DNS-01 only"),
        _ => t!("DNS-01 or HTTP-01"),
    }
}

fn view_form(w: &Wizard, dispatch: &Callback<Action>, on_task: &Callback<Task>) -> Html {
    let busy = w.is_busy();
    let parsed = w.parsed_names();
    let invalid = parsed.is_err();
    let on_names = dispatch.reform(|e: InputEvent| Action::SetNames(textarea_value(&e)));
    let on_key = dispatch.reform(|e: Event| {
        Action::SetKeyChoice(
            KeyChoice::from_name(&select_value(&e)).unwrap_or(KeyChoice::Generate(KeyType::P256)),
        )
    });
    let on_csr = dispatch.reform(|e: InputEvent| Action::SetCsrInput(textarea_value(&e)));
    let blocker = w.order_blocker();
    let create = on_task.reform(|_: MouseEvent| Task::CreateOrder);

    html! {
        <div class="stack">
            <div class="field">
                <label for="names">{ text_node(t!("Domain names")) }</label>
                <textarea id="names" rows="4" spellcheck="false" autocomplete="off" autocapitalize="none"
                          placeholder="example.com\nwww.example.com"
                          value={w.names_input.clone()} oninput={on_names} disabled={busy}
                          aria-invalid={invalid.then_some("true")} aria-describedby={invalid.then_some("names-invalid")} />
                <p class="help">{ t!("One per line or separated by commas. A wildcard such as *.example.com covers \
                                   one level of subdomains and needs a DNS record; an IP address needs a file on \
                                   the server (HTTP-01).") }</p>
            </div>
            { match &parsed {
                Err(invalid) => html! {
                    <div class="error" role="alert" id="names-invalid">
                        <p>{ if invalid.len() == 1 { text_node(t!("This name cannot be used:")) } else { text_node(t!("These names cannot be used:")) } }</p>
                        <ul class="invalid-names">
                            { for invalid.iter().map(|bad| html! {
                                <li><code>{ &bad.input }</code>{ ": " }{ bad.reason.to_string() }</li>
                            }) }
                        </ul>
                    </div>
                },
                Ok(names) if !names.is_empty() => html! {
                    <ul class="name-list" aria-label={t!("Names on the certificate")}>
                        { for names.iter().map(|id| html! {
                            <li><code>{ &id.value }</code>{ " " }<span class="badge">{ name_note(id) }</span></li>
                        }) }
                    </ul>
                },
                Ok(_) => html! {},
            } }
            <div class="field">
                <label for="key-choice">{ text_node(t!("Certificate key")) }</label>
                <select id="key-choice" onchange={on_key} disabled={busy}>
                    { for KeyChoice::all().into_iter().map(|choice| html! {
                        <option value={choice.as_str()} selected={choice == w.key_choice}>{ choice.label() }</option>
                    }) }
                </select>
                <p class="help">{ key_help(w.key_choice) }</p>
            </div>
            if w.key_choice == KeyChoice::Generate(KeyType::Rsa4096) {
                <p class="notice">{ t!("An RSA 4096 key takes a few seconds to generate in the browser; the page \
                                     shows that it is busy meanwhile.") }</p>
            }
            if w.key_choice == KeyChoice::Csr {
                <div class="field">
                    <label for="csr">{ "CSR (PEM)" }</label>
                    <textarea id="csr" rows="6" spellcheck="false" autocomplete="off"
                              placeholder="-----BEGIN CERTIFICATE REQUEST-----"
                              value={w.csr_input.clone()} oninput={on_csr} disabled={busy} />
                    <p class="help">{ t!("Made by your server or control panel; its names must be exactly the names \
                                       above. Its private key stays with you, so this page offers no privkey.pem or \
                                       PFX.") }</p>
                </div>
                { match w.csr_status() {
                    CsrStatus::Empty => html! {},
                    CsrStatus::Reading => html! { <p class="muted">{ text_node(t!("Reading the CSR…")) }</p> },
                    CsrStatus::Read(Ok(csr)) => html! {
                        <p class="ok">{ t!("The CSR asks for {names} with an {key} key.",
                            names = csr.identifiers.iter().map(|i| i.value.as_str()).collect::<Vec<_>>().join(", "),
                            key = csr.key_description) }</p>
                    },
                    CsrStatus::Read(Err(e)) => html! { <p class="error" role="alert">{ t!("The CSR cannot be used: {why}.", why = e) }</p> },
                } }
            }
            <div class="actions">
                <button type="button" class="primary" onclick={create} disabled={busy || blocker.is_some()}>
                    { text_node(t!("Create order")) }
                </button>
            </div>
            if let Some(reason) = blocker {
                <p class="help">{ reason }</p>
            }
        </div>
    }
}

fn key_help(choice: KeyChoice) -> &'static str {
    match choice {
        KeyChoice::Generate(KeyType::P256) => {
            t!("Recommended: small and fast, and every current browser and server supports it.")
        }
        KeyChoice::Generate(KeyType::P384) => t!("A larger elliptic curve; slower, rarely needed."),
        KeyChoice::Generate(_) => {
            t!("RSA: for old clients or appliances that cannot use ECDSA. Larger and slower.")
        }
        KeyChoice::Csr => t!("Bring a certificate signing request made elsewhere."),
    }
}

fn view_summary(w: &Wizard) -> Html {
    let names: Vec<String> = w
        .order
        .as_ref()
        .map(|o| o.names().into_iter().map(str::to_string).collect())
        .unwrap_or_default();
    let key = match (&w.cert_key, &w.order_csr) {
        (_, Some(_)) => t!("Your CSR (the private key stays with you)").to_string(),
        (Some(key), None) => t!("{key}, made in this page", key = key.describe()),
        (None, None) => t!("none").to_string(),
    };
    html! {
        <dl class="facts">
            <dt>{ text_node(t!("Names")) }</dt>
            <dd>{ names.join(", ") }</dd>
            <dt>{ text_node(t!("Certificate key")) }</dt>
            <dd>{ key }</dd>
            if let Some(profile) = &w.profile {
                <dt>{ text_node(t!("Profile")) }</dt>
                <dd>{ profile }</dd>
            }
        </dl>
    }
}
