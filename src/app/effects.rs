//! The app's side effects: each [`Task`] runs as a local future that talks to the CA through the core's
//! [`Client`] over fetch and reports back with [`Action`]s. Waits use the core's `Poll::Wait` durations
//! with a browser timer, never a busy loop. A flow bound to an order stops as soon as that order is no
//! longer the wizard's (a new order, "Forget this order", another CA).

use std::rc::Rc;
use std::time::Duration;

use certsmith::account::NewAccount;
use certsmith::authorization::AuthorizationStatus;
use certsmith::client::{Client, Exchange};
use certsmith::csr::{build_csr, parse_csr};
use certsmith::jws::ExternalAccountKey;
use certsmith::key::{KeyType, PrivateKey};
use certsmith::order::{NewOrder, OrderStatus};
use certsmith::poll::{Poll, MIN_WAIT};
use certsmith::problem::describe_duration;
use certsmith::web::fetch::FetchHttp;
use certsmith::web::{clock, doh, probe};
use certsmith::wizard::{
    order_status_name, Action, DohOutcome, DohRow, ErrorInfo, KeyChoice, Step, Task, Wizard,
};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::state::{LogAction, LogState, StateHandle};

/// What a task needs: the live state (a handle always reads the current value) and the log.
#[derive(Clone)]
pub struct Ctx {
    pub state: StateHandle,
    pub log: UseReducerDispatcher<LogState>,
}

impl PartialEq for Ctx {
    fn eq(&self, other: &Self) -> bool {
        self.state == other.state
    }
}

impl Ctx {
    fn wizard(&self) -> Wizard {
        self.state.wizard.clone()
    }

    fn dispatch(&self, action: Action) {
        self.state.dispatch(action);
    }

    fn fail(&self, error: ErrorInfo) {
        self.dispatch(Action::Failed(error));
    }

    /// Dispatches only while `order_url` is still the wizard's order, so a flow the person abandoned
    /// neither shows progress nor errors.
    fn for_order(&self, order_url: &str, action: Action) -> bool {
        let current = self.order_is_current(order_url);
        if current {
            self.dispatch(action);
        }
        current
    }

    fn order_is_current(&self, order_url: &str) -> bool {
        self.state
            .wizard
            .order
            .as_ref()
            .is_some_and(|o| o.handle.url == order_url)
    }

    /// A client for the connected CA whose every exchange goes to the protocol log.
    fn client(&self, wizard: &Wizard) -> Option<Client<FetchHttp>> {
        let url = wizard.connected_url.as_deref()?;
        let directory = wizard.directory.clone()?;
        let mut client = Client::from_directory(FetchHttp::default(), url, directory);
        let log = self.log.clone();
        client.set_observer(Some(Rc::new(move |exchange: &Exchange| {
            log.dispatch(LogAction::Logged(exchange.clone()))
        })));
        Some(client)
    }
}

/// Starts `task` in the background.
pub fn run(ctx: Ctx, task: Task) {
    spawn_local(async move {
        match task {
            Task::Connect => connect(&ctx).await,
            Task::CreateAccount { key, email } => create_account(&ctx, key, email).await,
            Task::ImportAccount { key } => import_account(&ctx, key).await,
            Task::CreateOrder => create_order(&ctx).await,
            Task::CheckDns => check_dns(&ctx).await,
            Task::SubmitChallenges => submit_challenges(&ctx).await,
            Task::Finalize => finalize(&ctx).await,
            Task::DownloadChain { url } => download_chain(&ctx, url).await,
        }
    });
}

/// After a reload: goes on where the saved state stopped (polling is resumed by asking the CA again).
pub fn resume(ctx: Ctx) {
    match ctx.state.wizard.step {
        Step::Validating => run(ctx, Task::SubmitChallenges),
        Step::Finalizing => run(ctx, Task::Finalize),
        _ => {}
    }
}

/// Lets the browser paint (the busy indicator) before a long synchronous computation.
async fn yield_to_page() {
    clock::sleep(Duration::from_millis(40)).await;
}

async fn connect(ctx: &Ctx) {
    let url = ctx.wizard().ca_url.trim().to_string();
    ctx.dispatch(Action::Busy(format!(
        "Reading the CA's directory at {url}…"
    )));
    match probe::probe_ca(&url).await {
        Ok(directory) => {
            ctx.dispatch(Action::Connected { url, directory });
            ctx.dispatch(Action::Idle);
        }
        Err(e) => ctx.fail(ErrorInfo::new(
            format!("Could not connect to the CA: {e}"),
            e.hint(),
            Some(Task::Connect),
        )),
    }
}

/// EAB credentials as typed, when given or required.
fn eab(wizard: &Wizard) -> Result<Option<ExternalAccountKey>, Box<ErrorInfo>> {
    let required = wizard
        .directory
        .as_ref()
        .is_some_and(|d| d.meta.external_account_required);
    if !required && wizard.eab_kid.trim().is_empty() && wizard.eab_hmac.trim().is_empty() {
        return Ok(None);
    }
    ExternalAccountKey::new(&wizard.eab_kid, &wizard.eab_hmac)
        .map(Some)
        .map_err(|e| {
            Box::new(ErrorInfo::new(
                format!("The External Account Binding credentials cannot be used: {e}"),
                "Copy the EAB key ID and HMAC key again from your CA's account page into the fields above, \
                 then create the account.",
                None,
            ))
        })
}

async fn create_account(ctx: &Ctx, key: PrivateKey, email: String) {
    let wizard = ctx.wizard();
    let Some(client) = ctx.client(&wizard) else {
        return;
    };
    let eab = match eab(&wizard) {
        Ok(eab) => eab,
        Err(error) => return ctx.fail(*error),
    };
    ctx.dispatch(Action::Busy("Creating the account at the CA…".into()));
    let request = NewAccount {
        terms_of_service_agreed: true,
        ..NewAccount::default()
    }
    .with_email(&email);
    match client.new_account(&key, &request, eab.as_ref()).await {
        Ok((credentials, _)) => {
            ctx.dispatch(Action::AccountReady(credentials));
            ctx.dispatch(Action::Idle);
        }
        Err(e) => ctx.fail(ErrorInfo::from_error(
            "Could not create the account",
            &e,
            Some(Task::CreateAccount { key, email }),
        )),
    }
}

async fn import_account(ctx: &Ctx, key: PrivateKey) {
    let wizard = ctx.wizard();
    let Some(client) = ctx.client(&wizard) else {
        return;
    };
    ctx.dispatch(Action::Busy("Looking up the account of this key…".into()));
    match client.find_account(&key).await {
        Ok((credentials, _)) => {
            ctx.dispatch(Action::AccountReady(credentials));
            ctx.dispatch(Action::Idle);
        }
        Err(e) => ctx.fail(ErrorInfo::from_error(
            "Could not use this account key",
            &e,
            Some(Task::ImportAccount { key }),
        )),
    }
}

async fn create_order(ctx: &Ctx) {
    let wizard = ctx.wizard();
    let (Some(client), Some(account)) = (ctx.client(&wizard), wizard.account.clone()) else {
        return;
    };
    if let Some(reason) = wizard.order_blocker() {
        return ctx.fail(ErrorInfo::new(reason, "Correct the marked fields.", None));
    }
    let names = wizard.parsed_names().unwrap_or_default();
    let csr = match wizard.key_choice {
        KeyChoice::Csr => Some(wizard.csr_input.clone()),
        KeyChoice::Generate(kind) => {
            if wizard.cert_key.as_ref().and_then(PrivateKey::key_type) != Some(kind) {
                let slow = if kind == KeyType::Rsa4096 {
                    " (this takes a few seconds)"
                } else {
                    ""
                };
                ctx.dispatch(Action::Busy(format!(
                    "Generating the {} certificate key in this page{slow}…",
                    kind.label()
                )));
                yield_to_page().await;
                match PrivateKey::generate(kind) {
                    Ok(key) => ctx.dispatch(Action::CertKeyReady(key)),
                    Err(e) => {
                        return ctx.fail(ErrorInfo::new(
                            format!("Could not generate the certificate key: {e}"),
                            "Try again; if it keeps failing, choose ECDSA P-256.",
                            Some(Task::CreateOrder),
                        ))
                    }
                }
            }
            None
        }
    };
    ctx.dispatch(Action::Busy("Placing the order…".into()));
    let request = NewOrder {
        identifiers: names,
        profile: wizard.profile.clone(),
        ..NewOrder::default()
    };
    let order = match client.new_order(&account, &request).await {
        Ok(order) => order,
        Err(e) => {
            return ctx.fail(ErrorInfo::from_error(
                "Could not create the order",
                &e,
                Some(Task::CreateOrder),
            ))
        }
    };
    ctx.dispatch(Action::Busy("Reading the authorizations…".into()));
    let authorizations = match client.fetch_authorizations(&account, &order.order).await {
        Ok(authorizations) => authorizations,
        Err(e) => {
            return ctx.fail(ErrorInfo::from_error(
                "Could not read the order's authorizations",
                &e,
                Some(Task::CreateOrder),
            ))
        }
    };
    ctx.dispatch(Action::OrderCreated {
        order,
        authorizations,
        csr,
    });
    if ctx.state.wizard.step == Step::Finalizing {
        finalize(ctx).await;
    } else {
        ctx.dispatch(Action::Idle);
    }
}

async fn check_dns(ctx: &Ctx) {
    let wizard = ctx.wizard();
    let Some(order_url) = wizard.order.as_ref().map(|o| o.handle.url.clone()) else {
        return;
    };
    let records = wizard.dns_records();
    let resolvers = wizard.resolver_list();
    if resolvers.is_empty() {
        return ctx.fail(ErrorInfo::new(
            "There is no DNS-over-HTTPS resolver to ask.",
            "Enter at least one resolver URL, such as https://dns.google/dns-query.",
            None,
        ));
    }
    let mut rows = Vec::new();
    for resolver in &resolvers {
        for record in &records {
            if !ctx.for_order(
                &order_url,
                Action::Busy(format!("Asking {resolver} for {}…", record.name)),
            ) {
                return;
            }
            let answer = doh::lookup_txt(resolver, &record.name)
                .await
                .map_err(|e| e.to_string());
            rows.push(DohRow {
                resolver: resolver.clone(),
                record_name: record.name.clone(),
                outcome: DohOutcome::from_answer(&record.values, answer),
            });
        }
    }
    if ctx.for_order(&order_url, Action::DohChecked(rows)) {
        ctx.dispatch(Action::Idle);
    }
}

async fn submit_challenges(ctx: &Ctx) {
    ctx.dispatch(Action::ChallengesSubmitted);
    let wizard = ctx.wizard();
    let (Some(client), Some(account), Some(order)) = (
        ctx.client(&wizard),
        wizard.account.clone(),
        wizard.order.clone(),
    ) else {
        return;
    };
    let order_url = order.handle.url.clone();
    for (authz_url, challenge_url) in wizard.challenges_to_answer() {
        if !ctx.for_order(
            &order_url,
            Action::Busy("Telling the CA the challenges are ready…".into()),
        ) {
            return;
        }
        match client.respond_to_challenge(&account, &challenge_url).await {
            Ok(challenge) => {
                ctx.for_order(
                    &order_url,
                    Action::ChallengeAnswered {
                        authz_url,
                        challenge,
                    },
                );
            }
            Err(e) => {
                ctx.for_order(
                    &order_url,
                    Action::Failed(ErrorInfo::from_error(
                        "Could not submit a challenge",
                        &e,
                        Some(Task::SubmitChallenges),
                    )),
                );
                return;
            }
        }
    }

    // Poll every authorization still pending until it settles.
    let pending: Vec<(String, String)> = ctx
        .wizard()
        .order
        .iter()
        .flat_map(|o| o.authorizations.iter())
        .filter(|a| a.is_pending())
        .map(|a| (a.handle.url.clone(), a.authorization().display_name()))
        .collect();
    for (url, name) in pending {
        let mut attempt = 0;
        loop {
            if !ctx.for_order(
                &order_url,
                Action::Busy(format!("Waiting for the CA to validate {name}…")),
            ) {
                return;
            }
            match client
                .poll_authorization(&account, &url, attempt, clock::now())
                .await
            {
                Ok(Poll::Ready(authorization)) => {
                    let valid = authorization.status == AuthorizationStatus::Valid;
                    ctx.for_order(
                        &order_url,
                        Action::AuthorizationUpdated {
                            url: url.clone(),
                            authorization,
                        },
                    );
                    if !valid {
                        ctx.for_order(&order_url, Action::Idle);
                        return;
                    }
                    break;
                }
                Ok(Poll::Wait { latest, retry_in }) => {
                    ctx.for_order(
                        &order_url,
                        Action::AuthorizationUpdated {
                            url: url.clone(),
                            authorization: latest,
                        },
                    );
                    if !ctx.for_order(
                        &order_url,
                        Action::Busy(format!(
                            "The CA is validating {name}; asking again in {}…",
                            describe_duration(retry_in)
                        )),
                    ) {
                        return;
                    }
                    clock::sleep(retry_in).await;
                    attempt += 1;
                }
                Err(e) => {
                    ctx.for_order(
                        &order_url,
                        Action::Failed(ErrorInfo::from_error(
                            &format!("Could not read the authorization of {name}"),
                            &e,
                            Some(Task::SubmitChallenges),
                        )),
                    );
                    return;
                }
            }
        }
    }
    if ctx.state.wizard.step == Step::Finalizing {
        finalize(ctx).await;
    } else {
        ctx.for_order(&order_url, Action::Idle);
    }
}

/// Waits for the order to be ready, finalizes it with the page's CSR (or the person's), waits for it to
/// be valid and downloads the chain. Safe to run again at any point: it always starts by asking the CA.
async fn finalize(ctx: &Ctx) {
    let wizard = ctx.wizard();
    let (Some(client), Some(account), Some(order)) = (
        ctx.client(&wizard),
        wizard.account.clone(),
        wizard.order.clone(),
    ) else {
        return;
    };
    let order_url = order.handle.url.clone();
    let failed = |what: &str, e: &certsmith::Error| {
        ctx.for_order(
            &order_url,
            Action::Failed(ErrorInfo::from_error(what, e, Some(Task::Finalize))),
        );
    };
    let mut attempt = 0;
    loop {
        if !ctx.for_order(
            &order_url,
            Action::Busy("Asking the CA about the order…".into()),
        ) {
            return;
        }
        let (order, wait) = match client
            .poll_order(&account, &order_url, attempt, clock::now())
            .await
        {
            Ok(Poll::Ready(order)) => (order, MIN_WAIT),
            Ok(Poll::Wait { latest, retry_in }) => (latest, retry_in),
            Err(e) => return failed("Could not read the order", &e),
        };
        ctx.for_order(
            &order_url,
            Action::OrderUpdated {
                url: order_url.clone(),
                order: order.clone(),
            },
        );
        match order.status {
            OrderStatus::Ready => {
                let wizard = ctx.wizard();
                let csr = match (&wizard.order_csr, &wizard.cert_key) {
                    (Some(pem), _) => parse_csr(pem.as_bytes()).map(|csr| csr.der),
                    (None, Some(key)) => build_csr(key, &order.identifiers),
                    (None, None) => {
                        ctx.for_order(
                            &order_url,
                            Action::Failed(ErrorInfo::new(
                                "This order has neither a certificate key nor a CSR.",
                                "Start a new order.",
                                None,
                            )),
                        );
                        return;
                    }
                };
                let csr = match csr {
                    Ok(der) => der,
                    Err(e) => return failed("Could not make the certificate request", &e.into()),
                };
                if !ctx.for_order(
                    &order_url,
                    Action::Busy("Sending the certificate request (finalize)…".into()),
                ) {
                    return;
                }
                match client.finalize(&account, &order, &csr).await {
                    Ok(order) => {
                        ctx.for_order(
                            &order_url,
                            Action::OrderUpdated {
                                url: order_url.clone(),
                                order,
                            },
                        );
                        attempt = 0;
                    }
                    Err(e) => return failed("The CA refused to finalize the order", &e),
                }
            }
            OrderStatus::Pending | OrderStatus::Processing => {
                if !ctx.for_order(
                    &order_url,
                    Action::Busy(format!(
                        "The order is {}; asking again in {}…",
                        order_status_name(order.status),
                        describe_duration(wait)
                    )),
                ) {
                    return;
                }
                clock::sleep(wait).await;
                attempt += 1;
            }
            OrderStatus::Valid => {
                let Some(certificate_url) = order.certificate.clone() else {
                    ctx.for_order(
                        &order_url,
                        Action::Failed(ErrorInfo::new(
                            "The order is valid but names no certificate URL.",
                            "Try again in a moment; if it stays so, the CA is at fault.",
                            Some(Task::Finalize),
                        )),
                    );
                    return;
                };
                if !ctx.for_order(
                    &order_url,
                    Action::Busy("Downloading the certificate…".into()),
                ) {
                    return;
                }
                match client
                    .download_certificate(&account, &certificate_url)
                    .await
                {
                    Ok(chain) => {
                        ctx.for_order(
                            &order_url,
                            Action::CertificateDownloaded {
                                order_url: order_url.clone(),
                                chain,
                            },
                        );
                        ctx.for_order(&order_url, Action::Idle);
                    }
                    Err(e) => failed("Could not download the certificate", &e),
                }
                return;
            }
            OrderStatus::Invalid => {
                ctx.for_order(&order_url, Action::Idle);
                return;
            }
            OrderStatus::Unknown => {
                ctx.for_order(
                    &order_url,
                    Action::Failed(ErrorInfo::new(
                        "The CA reports an order status this client does not know.",
                        "Try again in a moment; the protocol log shows the CA's answer.",
                        Some(Task::Finalize),
                    )),
                );
                return;
            }
        }
    }
}

async fn download_chain(ctx: &Ctx, url: String) {
    let wizard = ctx.wizard();
    let (Some(client), Some(account), Some(order_url)) = (
        ctx.client(&wizard),
        wizard.account.clone(),
        wizard.order.as_ref().map(|o| o.handle.url.clone()),
    ) else {
        return;
    };
    if !ctx.for_order(
        &order_url,
        Action::Busy("Downloading the alternate chain…".into()),
    ) {
        return;
    }
    match client.download_certificate(&account, &url).await {
        Ok(chain) => {
            ctx.for_order(
                &order_url,
                Action::CertificateDownloaded {
                    order_url: order_url.clone(),
                    chain,
                },
            );
            ctx.for_order(&order_url, Action::ChooseChain(Some(url)));
            ctx.for_order(&order_url, Action::Idle);
        }
        Err(e) => {
            ctx.for_order(
                &order_url,
                Action::Failed(ErrorInfo::from_error(
                    "Could not download the alternate chain",
                    &e,
                    Some(Task::DownloadChain { url }),
                )),
            );
        }
    }
}
