//! The app's side effects: each [`Task`] runs as a local future and reports back with [`Action`]s. An
//! order runs through the core's issuance flow ([`Issuance`]): [`drive`] only executes what
//! [`Issuance::next`] asks for (a request through the page's one client, a browser timer for a wait) and
//! hands each result back to the flow. A flow stops as soon as its issuance is no longer the wizard's
//! (a new order, "Forget this order", another CA).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use certsmith::acme::account::AccountCredentials;
use certsmith::acme::account::{parse_contacts, NewAccount};
use certsmith::acme::authorization::ChallengeType;
use certsmith::acme::client::{Client, Exchange};
use certsmith::acme::directory::Directory;
use certsmith::acme::flow::{Issuance, Next, Request, WaitReason};
use certsmith::acme::identifier::Identifier;
use certsmith::acme::jws::ExternalAccountKey;
use certsmith::acme::order::NewOrder;
use certsmith::pki::cert::CertificateInfo;
use certsmith::pki::job::{Der, Job, JobError};
use certsmith::pki::key::{KeyType, PrivateKey};
use certsmith::web::fetch::FetchHttp;
use certsmith::web::webcrypto::{self, WebCryptoSigner};
use certsmith::web::{clock, doh, probe, tabs, worker};
use certsmith::wizard::{
    inspect, Action, ChainRead, CsrRead, CsrStatus, ErrorInfo, KeyChoice, Step, Task, Wizard,
};
use certsmith::{i18n, t, t_key};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use super::state::{LogAction, LogState, StateHandle};

/// The page's ACME client: requests over fetch, signed by the browser's WebCrypto.
pub(super) type PageClient = Client<FetchHttp, WebCryptoSigner>;

thread_local! {
    /// One client per CA for the life of the page, so its nonce cache carries from one request to the
    /// next (RFC 8555 §7.2): newNonce is asked once, by the probe, or once after a reload.
    static CLIENT: RefCell<Option<Rc<PageClient>>> = const { RefCell::new(None) };
    /// The chains (PEM) the jobs module is reading for the certificate step.
    static CHAINS_BEING_READ: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    /// The issuance a flow is running for: a second start (a click during a resume) does not run it twice.
    static DRIVING: Cell<Option<u64>> = const { Cell::new(None) };
    /// Step-through (the protocol log's setting, mirrored here for the driver) and whether the person
    /// pressed Send for the request it holds.
    static STEP_THROUGH: Cell<bool> = const { Cell::new(false) };
    static SEND: Cell<bool> = const { Cell::new(false) };
    /// Counts holds, so a hold a newer one replaced (the order was forgotten) leaves the newer shown.
    static HOLDS: Cell<u64> = const { Cell::new(0) };
}

/// Turns step-through on or off; off lets a held request go.
pub fn set_step_through(on: bool) {
    STEP_THROUGH.with(|s| s.set(on));
}

/// Sends the request step-through holds.
pub fn send_held() {
    SEND.with(|s| s.set(true));
}

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
    pub(super) fn wizard(&self) -> Wizard {
        Wizard::clone(&self.state.wizard)
    }

    pub(super) fn dispatch(&self, action: Action) {
        self.state.dispatch(action);
    }

    pub(super) fn fail(&self, error: ErrorInfo) {
        self.dispatch(Action::Failed(error));
    }

    /// The issuance `id` as the wizard has it now, `None` once the person moved on.
    fn issuance(&self, id: u64) -> Option<Issuance> {
        self.state.wizard.order.clone().filter(|o| o.id == id)
    }

    /// Whether issuance `id` is still the wizard's (without copying it, as `issuance` does).
    fn is_current(&self, id: u64) -> bool {
        self.state.wizard.order.as_ref().is_some_and(|o| o.id == id)
    }

    /// Dispatches only while issuance `id` is still the wizard's, so a flow the person abandoned
    /// neither shows progress nor errors.
    fn for_order(&self, id: u64, action: Action) -> bool {
        let current = self.is_current(id);
        if current {
            self.dispatch(action);
        }
        current
    }

    /// The page's client for the connected CA, whose every exchange goes to the protocol log.
    pub(super) fn client(&self, wizard: &Wizard) -> Option<Rc<PageClient>> {
        let url = wizard.connected_url.as_deref()?;
        let current = CLIENT.with(|c| c.borrow().clone());
        if let Some(client) = current.filter(|c| c.directory_url() == url) {
            return Some(client);
        }
        Some(self.install_client(url, wizard.directory.clone()?, None))
    }

    /// Makes the client for a CA, with the nonce its probe obtained.
    fn install_client(
        &self,
        url: &str,
        directory: Directory,
        nonce: Option<&str>,
    ) -> Rc<PageClient> {
        let mut client = Client::from_directory_with_signer(
            FetchHttp::default(),
            WebCryptoSigner::default(),
            url,
            directory,
        );
        let log = self.log.clone();
        client.set_observer(Some(Rc::new(move |exchange: &Exchange| {
            log.dispatch(LogAction::Logged(exchange.clone()))
        })));
        if let Some(nonce) = nonce {
            client.add_nonce(nonce);
        }
        let client = Rc::new(client);
        CLIENT.with(|c| *c.borrow_mut() = Some(client.clone()));
        client
    }
}

/// Starts `task` in the background.
pub fn run(ctx: Ctx, task: Task) {
    // A newer tab works on the saved state now: this one sends nothing (but still reads what it shows).
    if tabs::is_passive() && !matches!(task, Task::ReadCsr | Task::ReadChains) {
        return;
    }
    spawn_local(async move {
        match task {
            Task::Connect => connect(&ctx).await,
            Task::CreateAccount { key, email } => create_account(&ctx, key, email).await,
            Task::ImportAccount { key } => import_account(&ctx, key).await,
            Task::ReadCsr => read_csr(&ctx).await,
            Task::ReadChains => read_chains(&ctx).await,
            Task::CreateOrder => create_order(&ctx).await,
            Task::CheckDns => check_dns(&ctx).await,
            Task::Drive => drive(&ctx).await,
            Task::DownloadChain { url } => download_chain(&ctx, url).await,
        }
    });
}

/// After a reload: goes on where the saved state stopped. The flow knows what it was waiting for and
/// reads back anything whose outcome the reload left unknown.
pub fn resume(ctx: Ctx) {
    if ctx.state.wizard.order.is_some() && ctx.state.wizard.step != Step::Challenges {
        run(ctx, Task::Drive);
    }
}

async fn connect(ctx: &Ctx) {
    let url = ctx.wizard().ca_url.trim().to_string();
    ctx.dispatch(Action::Busy(t!(
        "Reading the CA's directory at {url}…",
        url = url
    )));
    match probe::probe_ca(&url).await {
        Ok(probe::Probed { directory, nonce }) => {
            ctx.install_client(&url, directory.clone(), Some(&nonce));
            ctx.dispatch(Action::Connected { url, directory });
            ctx.dispatch(Action::Idle);
        }
        Err(e) => ctx.fail(ErrorInfo::new(
            t!("Could not connect to the CA: {why}", why = e),
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
                t!(
                    "The External Account Binding credentials cannot be used: {why}",
                    why = e
                ),
                t!("Copy the EAB key ID and HMAC key again from your CA's account page into the fields above, \
                    then create the account."),
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
    // A typo in the email is said here, before the CA is asked (and refuses it with invalidContact).
    let contact = match parse_contacts(&email) {
        Ok(contact) => contact,
        Err(e) => {
            let hint = t!("Correct the email under New account, or leave it empty.");
            return ctx.fail(ErrorInfo::new(e.to_string(), hint, None));
        }
    };
    ctx.dispatch(Action::Busy(t!("Creating the account at the CA…").into()));
    // Saved before it goes: should the answer be lost, the next attempt sends the same key.
    ctx.dispatch(Action::NewAccountSent(key.clone()));
    let request = NewAccount {
        contact,
        terms_of_service_agreed: true,
        ..NewAccount::default()
    };
    match client.new_account(&key, &request, eab.as_ref()).await {
        Ok((credentials, _)) => {
            ctx.dispatch(Action::AccountReady(credentials));
            ctx.dispatch(Action::Idle);
        }
        Err(e) => ctx.fail(ErrorInfo::from_error(
            t!("Could not create the account"),
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
    ctx.dispatch(Action::Busy(
        t!("Looking up the account of this key…").into(),
    ));
    match client.find_account(&key).await {
        Ok((credentials, _)) => {
            ctx.dispatch(Action::AccountReady(credentials));
            ctx.dispatch(Action::Idle);
        }
        // Asking again cannot help; the Account step offers to create an account with this key instead.
        Err(e)
            if e.problem().is_some_and(|p| {
                p.kind() == certsmith::acme::problem::ProblemKind::AccountDoesNotExist
            }) =>
        {
            let mut error =
                ErrorInfo::from_error(t!("This key has no account at this CA"), &e, None);
            error.hint = t!("Its account may be at another CA, or was moved to a new key. To use this key here \
                             anyway, press \"Create an account with this key\" (under Existing account).")
            .into();
            ctx.fail(error);
        }
        Err(e) => ctx.fail(ErrorInfo::from_error(
            t!("Could not use this account key"),
            &e,
            Some(Task::ImportAccount { key }),
        )),
    }
}

async fn create_order(ctx: &Ctx) {
    let wizard = ctx.wizard();
    if wizard.account.is_none() || wizard.order.is_some() {
        return;
    }
    if let Some(reason) = wizard.order_blocker() {
        return ctx.fail(ErrorInfo::new(
            reason,
            t!("Correct the marked fields."),
            None,
        ));
    }
    let names = wizard.parsed_names().unwrap_or_default();
    // The key and the CSR come first: nothing is ordered that could not be finalized.
    let (csr, brought) = match wizard.key_choice {
        KeyChoice::Csr => match wizard.csr_status() {
            CsrStatus::Read(Ok(csr)) => (Ok(csr.der), Some(wizard.csr_input.clone())),
            // order_blocker above lets only a CSR that was read and fits the names through.
            _ => return,
        },
        KeyChoice::Generate(kind) => {
            let Some(key) = certificate_key(ctx, &wizard, kind).await else {
                return;
            };
            let csr = certificate_csr(&key, &names).await;
            (csr.map_err(|e| e.message), None)
        }
    };
    let csr = match csr {
        Ok(der) => der,
        Err(why) => {
            return ctx.fail(ErrorInfo::new(
                format!("{}: {why}", t!("Could not make the certificate request")),
                t!("See the message above."),
                Some(Task::CreateOrder),
            ))
        }
    };
    // A renewal names the certificate it replaces when the CA speaks ARI (RFC 9773 §5).
    let replaces = wizard
        .renewing
        .as_ref()
        .and_then(|r| r.cert_id.clone())
        .filter(|_| {
            wizard
                .directory
                .as_ref()
                .is_some_and(|d| d.renewal_info.is_some())
        });
    let request = NewOrder {
        identifiers: names,
        profile: wizard.profile.clone(),
        replaces,
        ..NewOrder::default()
    };
    let id = clock::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    // DNS-01 first: it works for wildcards and hosts without port 80; the person may switch per name.
    let preference = vec![ChallengeType::Dns01, ChallengeType::Http01];
    let issuance = Issuance::new(id, request, csr, preference);
    ctx.dispatch(Action::OrderStarted {
        issuance,
        csr: brought,
    });
    drive(ctx).await;
}

/// A key the person brought (PEM, DER or JWK), read by the jobs module: the page's wasm reads only the
/// PKCS#8 it writes itself.
pub async fn read_key(text: &str) -> Result<PrivateKey, JobError> {
    let input = Der(text.as_bytes().to_vec());
    worker::run(Job::ReadKey { input }).await.key()
}

/// Has the jobs module read the CSR the person brought; the page shows what it found.
async fn read_csr(ctx: &Ctx) {
    let wizard = ctx.wizard();
    if !wizard.csr_needs_reading() {
        return;
    }
    let input = wizard.csr_input.clone();
    let result = worker::run(Job::ReadCsr {
        input: input.clone(),
    })
    .await
    .csr()
    .map_err(|e| e.message);
    ctx.dispatch(Action::CsrRead(CsrRead { input, result }));
}

/// Makes a new ECDSA P-256 account key (WebCrypto; the jobs module where the page has none) with
/// `generating` set meanwhile, so that the button it disables makes one key per click; `then` gets the
/// key or why there is none (boxed: one copy of this serves both buttons).
pub(super) fn generate_account_key(
    generating: &UseStateHandle<bool>,
    then: Box<dyn FnOnce(Result<PrivateKey, String>)>,
) {
    let generating = generating.clone();
    generating.set(true);
    spawn_local(async move {
        let generated = webcrypto::generate(KeyType::P256).await.0;
        generating.set(false);
        then(generated);
    });
}

/// Has the jobs module read each downloaded chain not read yet (and not being read: each reading that
/// arrives asks again for the rest); the page shows the certificate from that.
async fn read_chains(ctx: &Ctx) {
    for pem in ctx.wizard().chains_unread() {
        let started = CHAINS_BEING_READ.with(|being_read| {
            let mut being_read = being_read.borrow_mut();
            let start = !being_read.contains(&pem);
            if start {
                being_read.push(pem.clone());
            }
            start
        });
        if !started {
            continue;
        }
        let result = read_chain(&pem).await;
        CHAINS_BEING_READ.with(|being_read| being_read.borrow_mut().retain(|p| *p != pem));
        ctx.dispatch(Action::ChainRead(ChainRead { pem, result }));
    }
}

/// A certificate chain (PEM, leaf first) as the jobs module reads it: the page's wasm has no X.509 reader.
pub(super) async fn read_chain(pem: &str) -> Result<Vec<CertificateInfo>, String> {
    worker::run(Job::ReadChain {
        pem: pem.to_string(),
    })
    .await
    .chain()
    .map_err(|e| e.message)
}

/// The certificate key of the wizard when it is of `kind` (a retry reuses it), else a new one.
async fn certificate_key(ctx: &Ctx, wizard: &Wizard, kind: KeyType) -> Option<PrivateKey> {
    if let Some(key) = wizard
        .cert_key
        .as_ref()
        .filter(|k| k.key_type() == Some(kind))
    {
        return Some(key.clone());
    }
    // The CSR is made by the jobs module next (certificate_csr): it loads while the key is made.
    worker::warm_up();
    let generating = if kind == KeyType::Rsa4096 {
        t!(
            "Generating the {key_type} certificate key in this page (this takes a few seconds)…",
            key_type = kind.label()
        )
    } else {
        t!(
            "Generating the {key_type} certificate key in this page…",
            key_type = kind.label()
        )
    };
    ctx.dispatch(Action::Busy(generating));
    let started = clock::monotonic_ms();
    let (generated, how) = webcrypto::generate(kind).await;
    match generated {
        Ok(key) => {
            web_sys::console::info_1(
                &format!(
                    "Certificate key ({}) generated in {} ms ({how})",
                    kind.label(),
                    (clock::monotonic_ms() - started) as u64
                )
                .into(),
            );
            ctx.dispatch(Action::CertKeyReady(key.clone()));
            Some(key)
        }
        Err(e) => {
            ctx.fail(ErrorInfo::new(
                t!("Could not generate the certificate key: {why}", why = e),
                t!("Try again; if it keeps failing, choose ECDSA P-256."),
                Some(Task::CreateOrder),
            ));
            None
        }
    }
}

/// The CSR of the certificate key, made by the jobs module (src/jobs.rs): the page's own wasm has no CSR
/// builder, and an RSA signature would hold the main thread for a moment (RSA-4096: most of a second).
async fn certificate_csr(key: &PrivateKey, names: &[Identifier]) -> Result<Vec<u8>, JobError> {
    let job = Job::Csr {
        key: key.clone(),
        identifiers: names.to_vec(),
    };
    worker::run(job).await.bytes()
}

async fn check_dns(ctx: &Ctx) {
    let wizard = ctx.wizard();
    let Some(id) = wizard.order.as_ref().map(|o| o.id) else {
        return;
    };
    let records = wizard.dns_records();
    let resolvers = wizard.resolver_list();
    if resolvers.is_empty() {
        return ctx.fail(ErrorInfo::new(
            t!("There is no DNS-over-HTTPS resolver to ask."),
            t!("Enter at least one resolver URL, such as https://dns.google/dns-query."),
            None,
        ));
    }
    let mut rows = Vec::new();
    for resolver in &resolvers {
        for record in &records {
            if !ctx.for_order(
                id,
                Action::Busy(t!(
                    "Asking {resolver} for {name}…",
                    resolver = resolver,
                    name = record.name
                )),
            ) {
                return;
            }
            let answer = doh::lookup_txt(resolver, &record.name)
                .await
                .map_err(|e| e.to_string());
            rows.push(record.check(resolver, answer, clock::now()));
        }
    }
    if ctx.for_order(id, Action::DohChecked(rows)) {
        ctx.dispatch(Action::Idle);
    }
}

/// Runs the issuance flow until it needs the person (records to place), fails, or is done. Safe to run
/// again at any point: the flow's state says what comes next.
async fn drive(ctx: &Ctx) {
    let Some(id) = ctx.wizard().order.as_ref().map(|o| o.id) else {
        return;
    };
    if DRIVING.with(|d| d.replace(Some(id))) == Some(id) {
        return;
    }
    drive_flow(ctx, id).await;
    DRIVING.with(|d| {
        if d.get() == Some(id) {
            d.set(None);
        }
    });
}

async fn drive_flow(ctx: &Ctx, id: u64) {
    loop {
        if tabs::is_passive() {
            return;
        }
        let wizard = ctx.wizard();
        let (Some(issuance), Some(account), Some(client)) = (
            ctx.issuance(id),
            wizard.account.clone(),
            ctx.client(&wizard),
        ) else {
            return;
        };
        let now = clock::now();
        match issuance.next(now) {
            Next::Send(request) => {
                if !hold(ctx, id, &request, &account, &client).await {
                    return;
                }
                ctx.for_order(id, Action::Busy(request_label(&request, &issuance)));
                let result = client.execute(&account, &request, clock::now()).await;
                let Some(mut current) = ctx.issuance(id) else {
                    return;
                };
                let outcome = current.record(&request, result, clock::now());
                let refused_order = current.order.is_none();
                ctx.dispatch(Action::Advanced(current));
                if let Err(e) = outcome {
                    return failed(ctx, id, &request, refused_order, &e);
                }
            }
            Next::Wait { until, why } => {
                let until_ms = until
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis() as u64);
                let label = wait_label(why).to_string();
                if !ctx.for_order(id, Action::Waiting { label, until_ms }) {
                    return;
                }
                let left = until.duration_since(now).unwrap_or_default();
                clock::sleep(left).await;
                // Logged once waited out: a wait cut short (Forget, a reload) is not in the log.
                if ctx.is_current(id) {
                    let seconds = left.as_millis().div_ceil(1000) as u64;
                    ctx.log
                        .dispatch(LogAction::Waited(seconds, wait_reason(why).into()));
                }
            }
            Next::Place | Next::Done | Next::Failed(_) => {
                ctx.for_order(id, Action::Idle);
                return;
            }
        }
    }
}

/// Step-through: shows `request` in the protocol log and waits until the person sends it or turns
/// step-through off. False when the order stopped being the wizard's meanwhile: nothing was sent, and
/// the next drive derives the request again (after a reload too).
async fn hold(
    ctx: &Ctx,
    id: u64,
    request: &Request,
    account: &AccountCredentials,
    client: &PageClient,
) -> bool {
    if !STEP_THROUGH.with(Cell::get) {
        return true;
    }
    SEND.with(|s| s.set(false));
    let ticket = HOLDS.with(|h| h.get() + 1);
    HOLDS.with(|h| h.set(ticket));
    let mine = || HOLDS.with(Cell::get) == ticket;
    let alg = account.key.jws_alg();
    let preview = inspect::preview(request, client.directory(), &account.url, alg);
    ctx.log.dispatch(LogAction::Hold(Some(preview)));
    let label = t!(
        "Step-through: {request} waits for Send",
        request = request.kind()
    );
    let mut current = ctx.for_order(id, Action::Busy(label));
    while current && STEP_THROUGH.with(Cell::get) && !SEND.with(Cell::get) {
        clock::sleep(Duration::from_millis(100)).await;
        current = mine() && !tabs::is_passive() && ctx.is_current(id);
    }
    if mine() {
        ctx.log.dispatch(LogAction::Hold(None));
    }
    current
}

/// Shows a failed request. A refused newOrder goes back to the names, which the person may correct.
fn failed(ctx: &Ctx, id: u64, request: &Request, refused_order: bool, error: &certsmith::Error) {
    let (what, retry) = match request {
        Request::NewOrder(_) => (t!("Could not create the order"), Task::CreateOrder),
        Request::Authorization { .. } => (t!("Could not read an authorization"), Task::Drive),
        Request::Answer { .. } => (t!("Could not submit a challenge"), Task::Drive),
        Request::Order { .. } => (t!("Could not read the order"), Task::Drive),
        Request::Finalize { .. } => (t!("The CA refused to finalize the order"), Task::Drive),
        Request::Certificate { .. } => (t!("Could not download the certificate"), Task::Drive),
    };
    if refused_order {
        ctx.for_order(id, Action::OrderRefused { id });
        ctx.fail(ErrorInfo::from_error(what, error, Some(retry)));
    } else {
        ctx.for_order(
            id,
            Action::Failed(ErrorInfo::from_error(what, error, Some(retry))),
        );
    }
}

/// What the page waits for while `request` is under way.
fn request_label(request: &Request, issuance: &Issuance) -> String {
    let name_of = |url: &str| {
        issuance
            .authorizations
            .iter()
            .find(|a| a.url == url)
            .map(|a| a.name())
            .unwrap_or_default()
    };
    match request {
        Request::NewOrder(_) => t!("Placing the order…").to_string(),
        Request::Authorization { url } => {
            t!("Reading the authorization {name}…", name = name_of(url))
        }
        Request::Answer {
            authorization_url, ..
        } => t!(
            "Telling the CA that {name} is ready to be checked…",
            name = name_of(authorization_url)
        ),
        Request::Order { .. } => t!("Asking the CA about the order…").to_string(),
        Request::Finalize { .. } => t!("Sending the certificate request (finalize)…").to_string(),
        Request::Certificate { .. } => t!("Downloading the certificate…").to_string(),
    }
}

/// The start of the countdown's sentence while the flow waits.
fn wait_label(why: WaitReason) -> &'static str {
    i18n::text(wait_reason(why))
}

/// The reason for a wait in English, as the log keeps it (shown through `i18n::saved`).
fn wait_reason(why: WaitReason) -> &'static str {
    match why {
        WaitReason::Validating => t_key!("The CA is validating the challenges; asking again"),
        WaitReason::Issuing => t_key!("The CA is issuing the certificate; asking again"),
        WaitReason::Backoff => {
            t_key!("The CA asked to wait, or a request did not get through; trying again")
        }
    }
}

async fn download_chain(ctx: &Ctx, url: String) {
    let wizard = ctx.wizard();
    let (Some(client), Some(account), Some(id)) = (
        ctx.client(&wizard),
        wizard.account.clone(),
        wizard.order.as_ref().map(|o| o.id),
    ) else {
        return;
    };
    if !ctx.for_order(
        id,
        Action::Busy(t!("Downloading the alternate chain…").into()),
    ) {
        return;
    }
    match client.download_certificate(&account, &url).await {
        Ok(chain) => {
            ctx.for_order(
                id,
                Action::ChainDownloaded {
                    order_id: id,
                    chain,
                },
            );
            ctx.for_order(id, Action::ChooseChain(Some(url)));
            ctx.for_order(id, Action::Idle);
        }
        Err(e) => {
            ctx.for_order(
                id,
                Action::Failed(ErrorInfo::from_error(
                    t!("Could not download the alternate chain"),
                    &e,
                    Some(Task::DownloadChain { url }),
                )),
            );
        }
    }
}
