//! The certificate wizard's state and its pure reducer: what the browser app shows, keeps in localStorage
//! and changes in answer to a person's input or a finished request.
//!
//! Nothing here does I/O or depends on the browser, so every transition is tested natively. The app wraps
//! [`Wizard`] in a Yew reducer, turns [`Task`]s into requests, and feeds their outcomes back as
//! [`Action`]s.
//!
//! The flow: choose a CA and connect ([`Step::Ca`]) → create or import an account ([`Step::Account`]) →
//! names and certificate key ([`Step::Names`]) → place the challenges ([`Step::Challenges`]) → the CA
//! validates ([`Step::Validating`]) → finalize and download ([`Step::Finalizing`]) → the certificate
//! ([`Step::Done`]); an authorization or order the CA declared invalid ends in [`Step::Failed`], from which
//! only a new order leads on.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::account::AccountCredentials;
use crate::authorization::{
    placement, Authorization, AuthorizationHandle, AuthorizationStatus, Challenge, ChallengeError,
    ChallengeStatus, Placement,
};
use crate::cert::{parse_pem_chain, CertificateInfo};
use crate::client::{CertificateChain, Exchange};
use crate::csr::{parse_csr, ParsedCsr};
use crate::directory::Directory;
use crate::error::Error;
use crate::identifier::{
    allowed_challenge_types, parse_identifiers, Identifier, InvalidIdentifier,
};
use crate::key::{KeyType, PrivateKey};
use crate::order::{Order, OrderHandle, OrderStatus};
use crate::problem::Problem;

/// Where the app keeps the wizard in localStorage.
pub const STORAGE_KEY: &str = "certsmith.state.v1";
/// Where the app keeps the protocol log (apart, so a full log never costs the wizard's state).
pub const LOG_STORAGE_KEY: &str = "certsmith.log.v1";
/// The saved format; a saved state of another version is refused, not misread.
pub const FORMAT_VERSION: u32 = 1;
/// How many exchanges the protocol log keeps.
pub const LOG_LIMIT: usize = 200;

/// Let's Encrypt's production directory.
pub const LETS_ENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";
/// Let's Encrypt's staging directory: untrusted certificates, generous rate limits.
pub const LETS_ENCRYPT_STAGING: &str = "https://acme-staging-v02.api.letsencrypt.org/directory";
/// Public DNS-over-HTTPS resolvers the DNS check asks by default.
pub const PUBLIC_RESOLVERS: [&str; 3] = [
    "https://cloudflare-dns.com/dns-query",
    "https://dns.google/dns-query",
    "https://dns.quad9.net/dns-query",
];
/// The test DoH server next to the local Pebble.
pub const LOCAL_RESOLVER: &str = "https://127.0.0.1:8443/dns-query";

/// The challenge types this client can complete.
pub const DNS_01: &str = "dns-01";
pub const HTTP_01: &str = "http-01";

// ---------------------------------------------------------------------------------------------------------
// The parts of the state
// ---------------------------------------------------------------------------------------------------------

/// The CA choices the page offers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaKind {
    LetsEncrypt,
    LetsEncryptStaging,
    /// The local Pebble of the local build.
    Local,
    Other,
}

impl CaKind {
    pub fn label(self) -> &'static str {
        match self {
            CaKind::LetsEncrypt => "Let's Encrypt",
            CaKind::LetsEncryptStaging => "Let's Encrypt staging",
            CaKind::Local => "Local test CA (Pebble)",
            CaKind::Other => "Other",
        }
    }

    /// A stable name for `<option value>`.
    pub fn as_str(self) -> &'static str {
        match self {
            CaKind::LetsEncrypt => "lets-encrypt",
            CaKind::LetsEncryptStaging => "lets-encrypt-staging",
            CaKind::Local => "local",
            CaKind::Other => "other",
        }
    }

    pub fn from_name(name: &str) -> Option<CaKind> {
        [
            CaKind::LetsEncrypt,
            CaKind::LetsEncryptStaging,
            CaKind::Local,
            CaKind::Other,
        ]
        .into_iter()
        .find(|k| k.as_str() == name)
    }

    /// The directory URL of a preset; `local_url` is the local build's Pebble.
    pub fn preset_url(self, local_url: Option<&str>) -> Option<String> {
        match self {
            CaKind::LetsEncrypt => Some(LETS_ENCRYPT.to_string()),
            CaKind::LetsEncryptStaging => Some(LETS_ENCRYPT_STAGING.to_string()),
            CaKind::Local => local_url.map(str::to_string),
            CaKind::Other => None,
        }
    }
}

/// Where the wizard is. Serialized by name, so a saved state says plainly where it stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Step {
    /// Choose a CA and connect to it.
    Ca,
    /// Create or import an account.
    Account,
    /// Enter the names and choose the certificate key (or bring a CSR).
    Names,
    /// Place the TXT records / files, check them, submit.
    Challenges,
    /// The challenges are submitted; the CA is validating.
    Validating,
    /// Every authorization is valid: wait for ready, finalize, wait for valid, download.
    Finalizing,
    /// The certificate is here.
    Done,
    /// An authorization or the order is invalid; only a new order helps.
    Failed,
}

/// The five sections of the page; several steps share one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    Ca,
    Account,
    Names,
    Challenges,
    Certificate,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Ca,
        Section::Account,
        Section::Names,
        Section::Challenges,
        Section::Certificate,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Section::Ca => "Certificate authority",
            Section::Account => "Account",
            Section::Names => "Names and key",
            Section::Challenges => "Challenges",
            Section::Certificate => "Certificate",
        }
    }

    /// 1-based, as the page numbers them.
    pub fn number(self) -> usize {
        self as usize + 1
    }
}

impl Step {
    pub fn section(self) -> Section {
        match self {
            Step::Ca => Section::Ca,
            Step::Account => Section::Account,
            Step::Names => Section::Names,
            Step::Challenges | Step::Validating | Step::Failed => Section::Challenges,
            Step::Finalizing | Step::Done => Section::Certificate,
        }
    }
}

/// How the certificate key comes about: generated in the page, or the person brings a CSR.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyChoice {
    Generate(KeyType),
    Csr,
}

impl KeyChoice {
    /// Every choice, in the order of the "Certificate key" select.
    pub fn all() -> Vec<KeyChoice> {
        KeyType::ALL
            .into_iter()
            .map(KeyChoice::Generate)
            .chain([KeyChoice::Csr])
            .collect()
    }

    pub fn label(self) -> &'static str {
        match self {
            KeyChoice::Generate(kind) => kind.label(),
            KeyChoice::Csr => "I have a CSR",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            KeyChoice::Generate(kind) => kind.as_str(),
            KeyChoice::Csr => "csr",
        }
    }

    pub fn from_name(name: &str) -> Option<KeyChoice> {
        KeyChoice::all().into_iter().find(|c| c.as_str() == name)
    }
}

/// One authorization of the order and the challenge type the person chose for it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthzState {
    pub handle: AuthorizationHandle,
    /// `dns-01` or `http-01`; `None` when the CA offered nothing this client can do.
    pub challenge_type: Option<String>,
}

impl AuthzState {
    fn new(handle: AuthorizationHandle) -> Self {
        let challenge_type = possible_challenge_types(&handle.authorization)
            .first()
            .map(|t| t.to_string());
        AuthzState {
            handle,
            challenge_type,
        }
    }

    pub fn authorization(&self) -> &Authorization {
        &self.handle.authorization
    }

    pub fn is_pending(&self) -> bool {
        self.handle.authorization.status == AuthorizationStatus::Pending
    }

    /// The chosen challenge, as last seen.
    pub fn chosen_challenge(&self) -> Option<&Challenge> {
        self.challenge_type
            .as_deref()
            .and_then(|t| self.handle.authorization.challenge(t))
    }
}

/// The order and its authorizations, in the order's order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderState {
    pub handle: OrderHandle,
    pub authorizations: Vec<AuthzState>,
}

/// What one DoH resolver said about one TXT record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum DohOutcome {
    /// Every expected value is there.
    Visible,
    /// Some expected value is missing; `found` is what the resolver has.
    NotVisible { found: Vec<String> },
    /// The resolver could not be asked.
    Error { message: String },
}

impl DohOutcome {
    /// Compares a resolver's answer with the values the record must hold.
    pub fn from_answer(expected: &[String], answer: Result<Vec<String>, String>) -> Self {
        match answer {
            Err(message) => DohOutcome::Error { message },
            Ok(found) => {
                let found: Vec<String> = found
                    .iter()
                    .map(|v| v.trim().trim_matches('"').to_string())
                    .collect();
                if expected.iter().all(|e| found.contains(e)) {
                    DohOutcome::Visible
                } else {
                    DohOutcome::NotVisible { found }
                }
            }
        }
    }

    /// "visible", "not visible yet …" or the error, as the page shows it.
    pub fn describe(&self) -> String {
        match self {
            DohOutcome::Visible => "visible".to_string(),
            DohOutcome::NotVisible { found } if found.is_empty() => {
                "not visible yet (no TXT record found)".to_string()
            }
            DohOutcome::NotVisible { found } => format!(
                "not visible yet (found {} other value{}: {})",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                found.join(", ")
            ),
            DohOutcome::Error { message } => format!("error: {message}"),
        }
    }
}

/// One row of the DNS check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DohRow {
    pub resolver: String,
    pub record_name: String,
    pub outcome: DohOutcome,
}

/// A TXT record to create, with every value it must hold (a wildcard and its apex share one name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecord {
    /// `_acme-challenge.example.com`
    pub name: String,
    pub values: Vec<String>,
    /// The certificate names this record proves, e.g. `example.com` and `*.example.com`.
    pub proves: Vec<String>,
}

impl DnsRecord {
    /// One zone-file line per value.
    pub fn zone_lines(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|value| {
                Placement::Dns01 {
                    record_name: self.name.clone(),
                    value: value.clone(),
                }
                .zone_file_line()
                .unwrap_or_default()
            })
            .collect()
    }
}

/// A piece of work the app performs with requests to the CA or a resolver. Kept in an error so that "Try
/// again" repeats exactly the step that failed, with the same keys.
#[derive(Clone, Debug, PartialEq)]
pub enum Task {
    /// Fetch and check the directory of [`Wizard::ca_url`].
    Connect,
    /// newAccount with this key (generated once, reused by a retry).
    CreateAccount { key: PrivateKey, email: String },
    /// Look up the account of an existing key.
    ImportAccount { key: PrivateKey },
    /// newOrder for the names, then fetch the authorizations.
    CreateOrder,
    /// Ask the DoH resolvers for every TXT record.
    CheckDns,
    /// Answer every pending challenge, then poll the authorizations (and go on to finalize).
    SubmitChallenges,
    /// Wait for the order to be ready, finalize, wait for valid, download the chain.
    Finalize,
    /// Download one chain (an alternate).
    DownloadChain { url: String },
}

/// An error as the page shows it: what happened, what to do, the CA's problem, and how to try again.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorInfo {
    pub message: String,
    pub hint: String,
    pub problem: Option<Problem>,
    pub retry: Option<Task>,
}

impl ErrorInfo {
    pub fn new(message: impl Into<String>, hint: impl Into<String>, retry: Option<Task>) -> Self {
        ErrorInfo {
            message: message.into(),
            hint: hint.into(),
            problem: None,
            retry,
        }
    }

    /// `what` failed because of `error`: the message, the hint and the problem come from the core.
    pub fn from_error(what: &str, error: &Error, retry: Option<Task>) -> Self {
        ErrorInfo {
            message: format!("{what}: {error}"),
            hint: error.hint(),
            problem: error.problem().cloned(),
            retry,
        }
    }
}

/// Why the order cannot go on, derived from the saved order so it survives a reload.
#[derive(Clone, Debug, PartialEq)]
pub struct Failure {
    pub message: String,
    pub problems: Vec<Problem>,
}

/// A chain the person can pick in the "Chain" select.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainOption {
    pub url: String,
    pub label: String,
    pub loaded: bool,
}

/// Why a saved state was not restored.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RestoreError {
    #[error("it was saved by another version of Certsmith (format {found:?}, this one reads {FORMAT_VERSION})")]
    OtherVersion { found: Option<u64> },
    #[error("it is damaged ({0})")]
    Corrupt(String),
}

// ---------------------------------------------------------------------------------------------------------
// The state
// ---------------------------------------------------------------------------------------------------------

/// Everything the wizard knows. The serialized part is what localStorage keeps (keys as PKCS#8); `busy`,
/// `error` and `notice` live only in the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Wizard {
    pub version: u32,
    pub step: Step,
    pub ca_kind: CaKind,
    /// The directory URL in the input (the preset's, or typed).
    pub ca_url: String,
    /// The directory URL the wizard connected to, with the directory it read.
    #[serde(default)]
    pub connected_url: Option<String>,
    #[serde(default)]
    pub directory: Option<Directory>,
    /// External Account Binding as typed; dropped once the account exists.
    #[serde(default)]
    pub eab_kid: String,
    #[serde(default)]
    pub eab_hmac: String,
    /// The certificate profile (meta.profiles), `None` for the CA's default.
    #[serde(default)]
    pub profile: Option<String>,
    #[serde(default)]
    pub account: Option<AccountCredentials>,
    #[serde(default)]
    pub names_input: String,
    pub key_choice: KeyChoice,
    #[serde(default)]
    pub csr_input: String,
    #[serde(default)]
    pub order: Option<OrderState>,
    /// The certificate key generated in the page (absent when a CSR was brought).
    #[serde(default)]
    pub cert_key: Option<PrivateKey>,
    /// The CSR (PEM) the order is finalized with, when the person brought one.
    #[serde(default)]
    pub order_csr: Option<String>,
    /// Downloaded chains: the primary first, then alternates as they are fetched.
    #[serde(default)]
    pub chains: Vec<CertificateChain>,
    /// The URL of the chain shown and downloaded; `None` for the primary.
    #[serde(default)]
    pub chosen_chain: Option<String>,
    /// DoH resolvers, one URL per line.
    pub resolvers: String,
    #[serde(default)]
    pub doh: Vec<DohRow>,
    #[serde(skip)]
    pub busy: Option<String>,
    #[serde(skip)]
    pub error: Option<ErrorInfo>,
    /// A one-time note, e.g. that a saved state could not be restored.
    #[serde(skip)]
    pub notice: Option<String>,
}

/// A change to the wizard.
#[derive(Clone, Debug)]
pub enum Action {
    /// A CA from the select; `url` is its preset URL (kept as typed for "Other").
    ChooseCa {
        kind: CaKind,
        url: Option<String>,
    },
    /// The directory URL input; typing makes the choice "Other".
    SetCaUrl(String),
    Connected {
        url: String,
        directory: Directory,
    },
    /// Back to the CA step: forgets the account, the order and its key.
    ChangeCa,
    SetEabKid(String),
    SetEabHmac(String),
    SetProfile(Option<String>),
    AccountReady(AccountCredentials),
    SetNames(String),
    SetKeyChoice(KeyChoice),
    SetCsrInput(String),
    /// The certificate key, generated before newOrder so a retry reuses it.
    CertKeyReady(PrivateKey),
    OrderCreated {
        order: OrderHandle,
        authorizations: Vec<AuthorizationHandle>,
        /// The CSR (PEM) when the person brought one.
        csr: Option<String>,
    },
    ChooseChallenge {
        index: usize,
        challenge_type: String,
    },
    SetResolvers(String),
    DohChecked(Vec<DohRow>),
    /// The CA's answer to a challenge response (§7.5.1).
    ChallengeAnswered {
        authz_url: String,
        challenge: Challenge,
    },
    ChallengesSubmitted,
    AuthorizationUpdated {
        url: String,
        authorization: Authorization,
    },
    OrderUpdated {
        url: String,
        order: Order,
    },
    CertificateDownloaded {
        order_url: String,
        chain: CertificateChain,
    },
    ChooseChain(Option<String>),
    /// A request started (or goes on); the label says what the page waits for.
    Busy(String),
    Idle,
    Failed(ErrorInfo),
    DismissError,
    DismissNotice,
    /// Drops the order and its key, keeps the CA, the account and the names typed.
    NewOrder,
    /// Drops the order, its key, the certificates and the names.
    ForgetOrder,
}

impl Wizard {
    /// A fresh wizard. `local_ca` is the local build's Pebble directory, which is then the default CA and
    /// whose test DoH server is the default resolver.
    pub fn new(local_ca: Option<&str>) -> Self {
        let (ca_kind, ca_url, resolvers) = match local_ca {
            Some(url) => (CaKind::Local, url.to_string(), LOCAL_RESOLVER.to_string()),
            None => (
                CaKind::LetsEncrypt,
                LETS_ENCRYPT.to_string(),
                PUBLIC_RESOLVERS.join("\n"),
            ),
        };
        Wizard {
            version: FORMAT_VERSION,
            step: Step::Ca,
            ca_kind,
            ca_url,
            connected_url: None,
            directory: None,
            eab_kid: String::new(),
            eab_hmac: String::new(),
            profile: None,
            account: None,
            names_input: String::new(),
            key_choice: KeyChoice::Generate(KeyType::P256),
            csr_input: String::new(),
            order: None,
            cert_key: None,
            order_csr: None,
            chains: Vec::new(),
            chosen_chain: None,
            resolvers,
            doh: Vec::new(),
            busy: None,
            error: None,
            notice: None,
        }
    }

    /// Reads a saved state: refuses another format version or a damaged one, and puts a state whose parts
    /// do not fit together (edited by hand, cut short) back at the last step its data supports.
    pub fn restore(saved: Value) -> Result<Self, RestoreError> {
        let found = saved.get("version").and_then(Value::as_u64);
        if found != Some(u64::from(FORMAT_VERSION)) {
            return Err(RestoreError::OtherVersion { found });
        }
        let mut wizard: Wizard =
            serde_json::from_value(saved).map_err(|e| RestoreError::Corrupt(e.to_string()))?;
        wizard.normalize();
        Ok(wizard)
    }

    /// Makes the step agree with the data it needs.
    fn normalize(&mut self) {
        if self.connected_url.is_none() || self.directory.is_none() {
            self.connected_url = None;
            self.directory = None;
            self.account = None;
            self.drop_order();
            self.step = Step::Ca;
            return;
        }
        if self.account.is_none() {
            self.drop_order();
            self.step = self.step.min(Step::Account);
            if self.step == Step::Ca {
                self.step = Step::Account;
            }
            return;
        }
        if self.step < Step::Names {
            self.step = Step::Names;
        }
        if self.order.is_none() {
            self.drop_order();
            self.step = Step::Names;
            return;
        }
        if self.step == Step::Done && self.chains.is_empty() {
            self.step = Step::Finalizing;
        }
        self.settle();
    }

    /// The section of the page the person is at.
    pub fn section(&self) -> Section {
        self.step.section()
    }

    pub fn is_busy(&self) -> bool {
        self.busy.is_some()
    }

    // ----- the reducer -----

    /// Applies one action. Pure: no I/O, no clock, no randomness.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::ChooseCa { kind, url } => {
                if self.step == Step::Ca {
                    self.ca_kind = kind;
                    if let Some(url) = url {
                        self.ca_url = url;
                    }
                    self.error = None;
                }
            }
            Action::SetCaUrl(url) => {
                if self.step == Step::Ca {
                    self.ca_url = url;
                    self.ca_kind = CaKind::Other;
                }
            }
            Action::Connected { url, directory } => {
                if self.step == Step::Ca {
                    self.connected_url = Some(url);
                    self.profile = None;
                    self.directory = Some(directory);
                    self.step = Step::Account;
                    self.error = None;
                }
            }
            Action::ChangeCa => {
                self.connected_url = None;
                self.directory = None;
                self.account = None;
                self.profile = None;
                self.eab_kid.clear();
                self.eab_hmac.clear();
                self.drop_order();
                self.step = Step::Ca;
                self.error = None;
            }
            Action::SetEabKid(kid) => self.eab_kid = kid,
            Action::SetEabHmac(hmac) => self.eab_hmac = hmac,
            Action::SetProfile(profile) => {
                if self.order.is_none() {
                    self.profile = profile.filter(|p| !p.is_empty());
                }
            }
            Action::AccountReady(account) => {
                if self.step == Step::Account && self.directory.is_some() {
                    self.account = Some(account);
                    self.eab_kid.clear();
                    self.eab_hmac.clear();
                    self.step = Step::Names;
                    self.error = None;
                }
            }
            Action::SetNames(text) => {
                if self.order.is_none() {
                    self.names_input = text;
                }
            }
            Action::SetKeyChoice(choice) => {
                if self.order.is_none() {
                    self.key_choice = choice;
                }
            }
            Action::SetCsrInput(text) => {
                if self.order.is_none() {
                    self.csr_input = text;
                }
            }
            Action::CertKeyReady(key) => {
                if self.order.is_none() {
                    self.cert_key = Some(key);
                }
            }
            Action::OrderCreated {
                order,
                authorizations,
                csr,
            } => {
                if self.step == Step::Names && self.account.is_some() {
                    if csr.is_some() {
                        self.cert_key = None;
                    }
                    self.order_csr = csr;
                    self.order = Some(OrderState {
                        handle: order,
                        authorizations: authorizations.into_iter().map(AuthzState::new).collect(),
                    });
                    self.chains.clear();
                    self.chosen_chain = None;
                    self.doh.clear();
                    self.error = None;
                    self.step = Step::Challenges;
                    self.settle();
                }
            }
            Action::ChooseChallenge {
                index,
                challenge_type,
            } => {
                if self.step == Step::Challenges {
                    if let Some(authz) = self
                        .order
                        .as_mut()
                        .and_then(|o| o.authorizations.get_mut(index))
                    {
                        let possible = possible_challenge_types(authz.authorization());
                        if possible.contains(&challenge_type.as_str()) {
                            authz.challenge_type = Some(challenge_type);
                            // A check made for the other type says nothing about this one.
                            self.doh.clear();
                        }
                    }
                }
            }
            Action::SetResolvers(text) => self.resolvers = text,
            Action::DohChecked(rows) => {
                if self.order.is_some() {
                    self.doh = rows;
                }
            }
            Action::ChallengeAnswered {
                authz_url,
                challenge,
            } => {
                if let Some(authz) = self.authz_mut(&authz_url) {
                    let authorization = &mut authz.handle.authorization;
                    if let Some(slot) = authorization
                        .challenges
                        .iter_mut()
                        .find(|c| c.url == challenge.url)
                    {
                        *slot = challenge;
                    }
                }
            }
            Action::ChallengesSubmitted => {
                if self.step == Step::Challenges {
                    self.step = Step::Validating;
                    self.settle();
                }
            }
            Action::AuthorizationUpdated { url, authorization } => {
                if let Some(authz) = self.authz_mut(&url) {
                    authz.handle.authorization = authorization;
                    self.settle();
                }
            }
            Action::OrderUpdated { url, order } => {
                if let Some(state) = self.order.as_mut().filter(|o| o.handle.url == url) {
                    state.handle.order = order;
                    self.settle();
                }
            }
            Action::CertificateDownloaded { order_url, chain } => {
                let current = self
                    .order
                    .as_ref()
                    .is_some_and(|o| o.handle.url == order_url);
                if current && matches!(self.step, Step::Finalizing | Step::Done) {
                    match self.chains.iter_mut().find(|c| c.url == chain.url) {
                        Some(slot) => *slot = chain,
                        None => self.chains.push(chain),
                    }
                    self.step = Step::Done;
                }
            }
            Action::ChooseChain(url) => {
                let primary = self.chains.first().map(|c| c.url.clone());
                self.chosen_chain = url.filter(|u| Some(u) != primary.as_ref());
            }
            Action::Busy(label) => {
                self.busy = Some(label);
                self.error = None;
            }
            Action::Idle => self.busy = None,
            Action::Failed(error) => {
                self.busy = None;
                self.error = Some(error);
            }
            Action::DismissError => self.error = None,
            Action::DismissNotice => self.notice = None,
            Action::NewOrder => {
                if self.account.is_some() {
                    self.drop_order();
                    self.step = Step::Names;
                    self.error = None;
                    self.busy = None;
                }
            }
            Action::ForgetOrder => {
                self.drop_order();
                self.names_input.clear();
                self.csr_input.clear();
                self.error = None;
                self.busy = None;
                if self.account.is_some() {
                    self.step = Step::Names;
                }
            }
        }
    }

    /// Everything that belongs to one order.
    fn drop_order(&mut self) {
        self.order = None;
        self.cert_key = None;
        self.order_csr = None;
        self.chains.clear();
        self.chosen_chain = None;
        self.doh.clear();
    }

    fn authz_mut(&mut self, url: &str) -> Option<&mut AuthzState> {
        self.order
            .as_mut()?
            .authorizations
            .iter_mut()
            .find(|a| a.handle.url == url)
    }

    /// Moves the step on from what the CA said: a failed authorization or order ends the order; all
    /// authorizations valid (some CAs reuse earlier ones) leads to finalizing.
    fn settle(&mut self) {
        let Some(order) = &self.order else { return };
        if !matches!(
            self.step,
            Step::Challenges | Step::Validating | Step::Finalizing | Step::Done
        ) {
            return;
        }
        if self.failure().is_some() {
            self.step = Step::Failed;
            return;
        }
        let all_valid = order
            .authorizations
            .iter()
            .all(|a| a.authorization().status == AuthorizationStatus::Valid);
        let order_moved_on = matches!(
            order.handle.order.status,
            OrderStatus::Ready | OrderStatus::Processing | OrderStatus::Valid
        );
        if matches!(self.step, Step::Challenges | Step::Validating) && (all_valid || order_moved_on)
        {
            self.step = Step::Finalizing;
        }
    }

    // ----- what the page derives from the state -----

    /// The names as typed, parsed; an empty list when nothing is typed.
    pub fn parsed_names(&self) -> Result<Vec<Identifier>, Vec<InvalidIdentifier>> {
        parse_identifiers(&self.names_input)
    }

    /// The CSR as pasted, parsed and compared with the names; `None` when nothing is pasted.
    pub fn parsed_csr(&self) -> Option<Result<ParsedCsr, String>> {
        if self.csr_input.trim().is_empty() {
            return None;
        }
        Some(
            parse_csr(self.csr_input.as_bytes())
                .map_err(|e| e.to_string())
                .and_then(|csr| match self.parsed_names() {
                    Ok(names) if !names.is_empty() => csr
                        .check_matches(&names)
                        .map(|()| csr)
                        .map_err(|e| e.to_string()),
                    _ => Ok(csr),
                }),
        )
    }

    /// Why "Create order" cannot run yet, or `None` when it can.
    pub fn order_blocker(&self) -> Option<String> {
        if self.account.is_none() {
            return Some("Create or import an account first.".into());
        }
        match self.parsed_names() {
            Ok(names) if names.is_empty() => return Some("Enter at least one name.".into()),
            Err(_) => return Some("Correct the names marked above.".into()),
            Ok(_) => {}
        }
        if self.key_choice == KeyChoice::Csr {
            match self.parsed_csr() {
                None => return Some("Paste your CSR.".into()),
                Some(Err(_)) => return Some("Correct the CSR (see above).".into()),
                Some(Ok(_)) => {}
            }
        }
        None
    }

    /// The placement (record or file) of authorization `index` for its chosen challenge type.
    pub fn placement(&self, index: usize) -> Option<Result<Placement, ChallengeError>> {
        let account = self.account.as_ref()?;
        let authz = self.order.as_ref()?.authorizations.get(index)?;
        let challenge = authz.chosen_challenge()?;
        Some(placement(authz.authorization(), challenge, &account.key))
    }

    /// The TXT records still to be placed, grouped by name, in the order of the authorizations.
    pub fn dns_records(&self) -> Vec<DnsRecord> {
        let mut records: Vec<DnsRecord> = Vec::new();
        let Some(order) = &self.order else {
            return records;
        };
        for (index, authz) in order.authorizations.iter().enumerate() {
            if !authz.is_pending() {
                continue;
            }
            let Some(Ok(Placement::Dns01 { record_name, value })) = self.placement(index) else {
                continue;
            };
            let name = authz.authorization().display_name();
            match records.iter_mut().find(|r| r.name == record_name) {
                Some(record) => {
                    if !record.values.contains(&value) {
                        record.values.push(value);
                    }
                    record.proves.push(name);
                }
                None => records.push(DnsRecord {
                    name: record_name,
                    values: vec![value],
                    proves: vec![name],
                }),
            }
        }
        records
    }

    /// Resolver URLs from the textarea.
    pub fn resolver_list(&self) -> Vec<String> {
        self.resolvers
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// True when every TXT record was seen with all its values by at least one resolver.
    pub fn dns_seen_everywhere_needed(&self) -> bool {
        self.dns_records().iter().all(|record| {
            self.doh
                .iter()
                .any(|row| row.record_name == record.name && row.outcome == DohOutcome::Visible)
        })
    }

    /// Whether any pending authorization uses http-01, which the page cannot check.
    pub fn has_pending_http(&self) -> bool {
        self.order.as_ref().is_some_and(|o| {
            o.authorizations
                .iter()
                .any(|a| a.is_pending() && a.challenge_type.as_deref() == Some(HTTP_01))
        })
    }

    /// What the person should know before submitting, or `None` when the checks saw everything.
    pub fn submit_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let records = self.dns_records();
        if !records.is_empty() && !self.dns_seen_everywhere_needed() {
            warnings.push(if self.doh.is_empty() {
                "The DNS check has not run, so nobody has seen the TXT records yet.".to_string()
            } else {
                "The DNS check has not seen every TXT value at any resolver yet.".to_string()
            });
        }
        if self.has_pending_http() {
            warnings.push(
                "HTTP-01 files cannot be checked from this page (browsers may not fetch another site's \
                 files): open each URL yourself and compare the content."
                    .to_string(),
            );
        }
        warnings
    }

    /// Pending authorizations whose chosen challenge has not been answered: (authorization URL, challenge
    /// URL).
    pub fn challenges_to_answer(&self) -> Vec<(String, String)> {
        let Some(order) = &self.order else {
            return Vec::new();
        };
        order
            .authorizations
            .iter()
            .filter(|a| a.is_pending())
            .filter_map(|a| {
                let challenge = a.chosen_challenge()?;
                (challenge.status == ChallengeStatus::Pending)
                    .then(|| (a.handle.url.clone(), challenge.url.clone()))
            })
            .collect()
    }

    /// Pending authorizations without any challenge this client can do.
    pub fn unworkable_authorizations(&self) -> Vec<String> {
        self.order
            .as_ref()
            .map(|o| {
                o.authorizations
                    .iter()
                    .filter(|a| a.is_pending() && a.challenge_type.is_none())
                    .map(|a| a.authorization().display_name())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Why the order cannot go on: invalid authorizations (with the CA's problem) or an invalid order.
    pub fn failure(&self) -> Option<Failure> {
        let order = self.order.as_ref()?;
        let failed: Vec<&AuthzState> = order
            .authorizations
            .iter()
            .filter(|a| {
                !matches!(
                    a.authorization().status,
                    AuthorizationStatus::Pending
                        | AuthorizationStatus::Valid
                        | AuthorizationStatus::Unknown
                )
            })
            .collect();
        if !failed.is_empty() {
            let names: Vec<String> = failed
                .iter()
                .map(|a| {
                    format!(
                        "{} ({})",
                        a.authorization().display_name(),
                        status_name(a.authorization().status)
                    )
                })
                .collect();
            return Some(Failure {
                message: format!(
                    "The CA could not validate {}. A failed authorization cannot be retried: fix the cause, \
                     then start a new order.",
                    names.join(", ")
                ),
                problems: failed
                    .iter()
                    .filter_map(|a| a.authorization().failure().cloned())
                    .collect(),
            });
        }
        if order.handle.order.status == OrderStatus::Invalid {
            return Some(Failure {
                message: "The CA declared the order invalid; start a new order.".to_string(),
                problems: order.handle.order.error.iter().cloned().collect(),
            });
        }
        None
    }

    /// The chain URLs the CA offered (primary first) and what the page knows of each.
    pub fn chain_options(&self) -> Vec<ChainOption> {
        let Some(primary) = self.chains.first() else {
            return Vec::new();
        };
        std::iter::once(primary.url.clone())
            .chain(primary.alternates.iter().cloned())
            .enumerate()
            .map(|(index, url)| {
                let loaded = self.chains.iter().find(|c| c.url == url);
                let root = loaded.and_then(|c| chain_top_issuer(&c.pem));
                let label = match (index, root) {
                    (0, Some(root)) => format!("Default chain (up to {root})"),
                    (0, None) => "Default chain".to_string(),
                    (n, Some(root)) => format!("Alternate chain {n} (up to {root})"),
                    (n, None) => format!("Alternate chain {n}"),
                };
                ChainOption {
                    label,
                    loaded: loaded.is_some(),
                    url,
                }
            })
            .collect()
    }

    /// The chain the page shows: the chosen alternate when loaded, else the primary.
    pub fn current_chain(&self) -> Option<&CertificateChain> {
        self.chosen_chain
            .as_ref()
            .and_then(|url| self.chains.iter().find(|c| &c.url == url))
            .or_else(|| self.chains.first())
    }
}

impl PartialEq for Wizard {
    /// Equal when they serialize the same and the page-only parts agree (the account has no `PartialEq`).
    fn eq(&self, other: &Self) -> bool {
        self.busy == other.busy
            && self.error == other.error
            && self.notice == other.notice
            && serde_json::to_value(self).ok() == serde_json::to_value(other).ok()
    }
}

/// The challenge types this client can use for an authorization: what the CA offers, within what the
/// identifier allows (a wildcard only dns-01, an IP address only http-01).
pub fn possible_challenge_types(authorization: &Authorization) -> Vec<&'static str> {
    let named = Identifier {
        kind: authorization.identifier.kind,
        value: authorization.display_name(),
    };
    allowed_challenge_types(&named)
        .iter()
        .copied()
        .filter(|t| authorization.challenge(t).is_some())
        .collect()
}

/// "pending", "valid", … as the page shows an authorization's status.
pub fn status_name(status: AuthorizationStatus) -> &'static str {
    match status {
        AuthorizationStatus::Pending => "pending",
        AuthorizationStatus::Valid => "valid",
        AuthorizationStatus::Invalid => "invalid",
        AuthorizationStatus::Deactivated => "deactivated",
        AuthorizationStatus::Expired => "expired",
        AuthorizationStatus::Revoked => "revoked",
        AuthorizationStatus::Unknown => "unknown",
    }
}

/// "pending", "ready", … as the page shows an order's status.
pub fn order_status_name(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => "pending",
        OrderStatus::Ready => "ready",
        OrderStatus::Processing => "processing",
        OrderStatus::Valid => "valid",
        OrderStatus::Invalid => "invalid",
        OrderStatus::Unknown => "unknown",
    }
}

/// The issuer of the last certificate of a chain: the root it leads to.
fn chain_top_issuer(pem: &str) -> Option<String> {
    let chain = parse_pem_chain(pem).ok()?;
    let top = chain.last()?;
    Some(common_name(&top.issuer))
}

/// The CN of an RFC 4514 name, or the whole name.
pub fn common_name(name: &str) -> String {
    name.split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .unwrap_or(name)
        .to_string()
}

/// The files a certificate chain is saved as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainFiles {
    /// Leaf and intermediates.
    pub fullchain: String,
    pub cert: String,
    /// The intermediates.
    pub chain: String,
    pub leaf: CertificateInfo,
    /// The DER of every certificate, leaf first.
    pub ders: Vec<Vec<u8>>,
}

/// Splits a downloaded chain into the usual files.
pub fn chain_files(pem: &str) -> Result<ChainFiles, crate::cert::CertError> {
    let chain = parse_pem_chain(pem)?;
    let leaf = chain[0].clone();
    let cert = leaf.to_pem();
    let intermediates: String = chain[1..].iter().map(CertificateInfo::to_pem).collect();
    Ok(ChainFiles {
        fullchain: format!("{cert}{intermediates}"),
        cert,
        chain: intermediates,
        ders: chain.iter().map(|c| c.der.clone()).collect(),
        leaf,
    })
}

/// The protocol log: the last [`LOG_LIMIT`] exchanges, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtocolLog {
    pub entries: Vec<Exchange>,
}

impl ProtocolLog {
    pub fn push(&mut self, exchange: Exchange) {
        self.entries.push(exchange);
        if self.entries.len() > LOG_LIMIT {
            let extra = self.entries.len() - LOG_LIMIT;
            self.entries.drain(..extra);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::directory::Meta;
    use crate::identifier::IdentifierKind;

    fn directory() -> Directory {
        Directory {
            new_nonce: "https://ca.test/nonce".into(),
            new_account: "https://ca.test/account".into(),
            new_order: "https://ca.test/order".into(),
            new_authz: None,
            revoke_cert: "https://ca.test/revoke".into(),
            key_change: "https://ca.test/key-change".into(),
            renewal_info: None,
            meta: Meta {
                terms_of_service: Some("https://ca.test/terms".into()),
                ..Meta::default()
            },
        }
    }

    fn account() -> AccountCredentials {
        AccountCredentials {
            url: "https://ca.test/acct/1".into(),
            key: PrivateKey::generate(KeyType::P256).unwrap(),
        }
    }

    fn challenge(kind: &str, n: usize) -> Challenge {
        Challenge {
            challenge_type: kind.into(),
            url: format!("https://ca.test/chall/{n}/{kind}"),
            status: ChallengeStatus::Pending,
            token: Some(format!("token{n}{}", kind.replace('-', ""))),
            validated: None,
            error: None,
        }
    }

    fn authz(n: usize, name: &str, status: AuthorizationStatus) -> AuthorizationHandle {
        let wildcard = name.starts_with("*.");
        let ip = name.parse::<std::net::IpAddr>().is_ok();
        let mut challenges = vec![challenge(HTTP_01, n)];
        if !ip {
            challenges.insert(0, challenge(DNS_01, n));
        }
        AuthorizationHandle {
            url: format!("https://ca.test/authz/{n}"),
            authorization: Authorization {
                identifier: Identifier {
                    kind: if ip {
                        IdentifierKind::Ip
                    } else {
                        IdentifierKind::Dns
                    },
                    value: name.trim_start_matches("*.").into(),
                },
                status,
                expires: None,
                challenges: if wildcard {
                    vec![challenge(DNS_01, n)]
                } else {
                    challenges
                },
                wildcard,
            },
        }
    }

    fn order(status: OrderStatus, names: &[&str]) -> OrderHandle {
        OrderHandle {
            url: "https://ca.test/order/1".into(),
            order: Order {
                status,
                expires: None,
                identifiers: names.iter().map(|n| Identifier::dns(*n)).collect(),
                not_before: None,
                not_after: None,
                error: None,
                authorizations: (0..names.len())
                    .map(|n| format!("https://ca.test/authz/{n}"))
                    .collect(),
                finalize: "https://ca.test/order/1/finalize".into(),
                certificate: None,
                profile: None,
                replaces: None,
            },
        }
    }

    /// A wizard with an account, at the names step.
    fn at_names() -> Wizard {
        let mut w = Wizard::new(Some("https://127.0.0.1:14000/dir"));
        w.apply(Action::Connected {
            url: "https://127.0.0.1:14000/dir".into(),
            directory: directory(),
        });
        w.apply(Action::AccountReady(account()));
        w
    }

    /// A wizard with an order for example.test and *.example.test, both pending.
    fn at_challenges() -> Wizard {
        let mut w = at_names();
        w.apply(Action::SetNames("example.test, *.example.test".into()));
        w.apply(Action::CertKeyReady(
            PrivateKey::generate(KeyType::P256).unwrap(),
        ));
        w.apply(Action::OrderCreated {
            order: order(OrderStatus::Pending, &["example.test", "*.example.test"]),
            authorizations: vec![
                authz(0, "example.test", AuthorizationStatus::Pending),
                authz(1, "*.example.test", AuthorizationStatus::Pending),
            ],
            csr: None,
        });
        w
    }

    fn valid(mut handle: AuthorizationHandle) -> Authorization {
        handle.authorization.status = AuthorizationStatus::Valid;
        handle.authorization
    }

    #[test]
    fn fresh_state_uses_the_build_defaults() {
        let local = Wizard::new(Some("https://127.0.0.1:14000/dir"));
        assert_eq!(local.ca_kind, CaKind::Local);
        assert_eq!(local.resolver_list(), [LOCAL_RESOLVER]);
        let production = Wizard::new(None);
        assert_eq!(production.ca_kind, CaKind::LetsEncrypt);
        assert_eq!(production.ca_url, LETS_ENCRYPT);
        assert_eq!(production.resolver_list().len(), 3);
        assert_eq!(production.step, Step::Ca);
    }

    #[test]
    fn ca_choice_and_typing() {
        let mut w = Wizard::new(None);
        w.apply(Action::ChooseCa {
            kind: CaKind::LetsEncryptStaging,
            url: CaKind::LetsEncryptStaging.preset_url(None),
        });
        assert_eq!(w.ca_url, LETS_ENCRYPT_STAGING);
        w.apply(Action::SetCaUrl("https://acme.example/dir".into()));
        assert_eq!(w.ca_kind, CaKind::Other);
        assert_eq!(w.ca_url, "https://acme.example/dir");
        // "Other" keeps what was typed.
        w.apply(Action::ChooseCa {
            kind: CaKind::Other,
            url: None,
        });
        assert_eq!(w.ca_url, "https://acme.example/dir");
    }

    #[test]
    fn the_whole_flow() {
        let mut w = Wizard::new(None);
        w.apply(Action::Busy("Connecting".into()));
        assert!(w.is_busy());
        w.apply(Action::Connected {
            url: LETS_ENCRYPT.into(),
            directory: directory(),
        });
        w.apply(Action::Idle);
        assert_eq!((w.step, w.section()), (Step::Account, Section::Account));
        w.apply(Action::AccountReady(account()));
        assert_eq!(w.step, Step::Names);
        w.apply(Action::SetNames("example.test\n*.example.test".into()));
        assert_eq!(w.order_blocker(), None);
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        w.apply(Action::CertKeyReady(key.clone()));
        w.apply(Action::OrderCreated {
            order: order(OrderStatus::Pending, &["example.test", "*.example.test"]),
            authorizations: vec![
                authz(0, "example.test", AuthorizationStatus::Pending),
                authz(1, "*.example.test", AuthorizationStatus::Pending),
            ],
            csr: None,
        });
        assert_eq!(w.step, Step::Challenges);
        assert_eq!(w.cert_key.as_ref(), Some(&key));
        let order_url = w.order.as_ref().unwrap().handle.url.clone();

        // The apex can use http-01; the wildcard cannot.
        w.apply(Action::ChooseChallenge {
            index: 0,
            challenge_type: HTTP_01.into(),
        });
        w.apply(Action::ChooseChallenge {
            index: 1,
            challenge_type: HTTP_01.into(),
        });
        let types: Vec<_> = w
            .order
            .as_ref()
            .unwrap()
            .authorizations
            .iter()
            .map(|a| a.challenge_type.clone().unwrap())
            .collect();
        assert_eq!(types, [HTTP_01, DNS_01]);
        assert_eq!(w.challenges_to_answer().len(), 2);

        w.apply(Action::ChallengesSubmitted);
        assert_eq!(w.step, Step::Validating);
        let mut answered = challenge(HTTP_01, 0);
        answered.status = ChallengeStatus::Processing;
        w.apply(Action::ChallengeAnswered {
            authz_url: "https://ca.test/authz/0".into(),
            challenge: answered,
        });
        assert_eq!(w.challenges_to_answer().len(), 1);

        w.apply(Action::AuthorizationUpdated {
            url: "https://ca.test/authz/0".into(),
            authorization: valid(authz(0, "example.test", AuthorizationStatus::Pending)),
        });
        assert_eq!(
            w.step,
            Step::Validating,
            "one authorization is still pending"
        );
        w.apply(Action::AuthorizationUpdated {
            url: "https://ca.test/authz/1".into(),
            authorization: valid(authz(1, "*.example.test", AuthorizationStatus::Pending)),
        });
        assert_eq!(w.step, Step::Finalizing);

        let mut finalized = order(OrderStatus::Valid, &["example.test"]).order;
        finalized.certificate = Some("https://ca.test/cert/1".into());
        w.apply(Action::OrderUpdated {
            url: order_url.clone(),
            order: finalized,
        });
        assert_eq!(w.step, Step::Finalizing);
        w.apply(Action::CertificateDownloaded {
            order_url: order_url.clone(),
            chain: CertificateChain {
                url: "https://ca.test/cert/1".into(),
                pem: "-----BEGIN CERTIFICATE-----".into(),
                alternates: vec!["https://ca.test/cert/1/1".into()],
            },
        });
        assert_eq!((w.step, w.section()), (Step::Done, Section::Certificate));
        assert_eq!(w.chain_options().len(), 2);
        w.apply(Action::ChooseChain(Some("https://ca.test/cert/1/1".into())));
        assert_eq!(
            w.current_chain().unwrap().url,
            "https://ca.test/cert/1",
            "an alternate not yet downloaded falls back to the primary"
        );
        w.apply(Action::CertificateDownloaded {
            order_url,
            chain: CertificateChain {
                url: "https://ca.test/cert/1/1".into(),
                pem: String::new(),
                alternates: vec![],
            },
        });
        assert_eq!(w.current_chain().unwrap().url, "https://ca.test/cert/1/1");
        assert_eq!(w.chains.len(), 2);
    }

    #[test]
    fn already_valid_authorizations_go_straight_to_finalizing() {
        let mut w = at_names();
        w.apply(Action::SetNames("example.test".into()));
        w.apply(Action::OrderCreated {
            order: order(OrderStatus::Ready, &["example.test"]),
            authorizations: vec![authz(0, "example.test", AuthorizationStatus::Valid)],
            csr: None,
        });
        assert_eq!(w.step, Step::Finalizing);
        assert!(w.dns_records().is_empty());
    }

    #[test]
    fn wildcard_and_apex_share_one_record_with_two_values() {
        let w = at_challenges();
        let records = w.dns_records();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].name, "_acme-challenge.example.test");
        assert_eq!(records[0].values.len(), 2);
        assert_eq!(records[0].proves, ["example.test", "*.example.test"]);
        let lines = records[0].zone_lines();
        assert!(lines[1].starts_with("_acme-challenge.example.test. 300 IN TXT \""));
    }

    #[test]
    fn submit_warnings_follow_the_dns_check() {
        let mut w = at_challenges();
        assert_eq!(w.submit_warnings().len(), 1, "nothing checked yet");
        let record = w.dns_records().remove(0);
        let partial = DohOutcome::from_answer(&record.values, Ok(vec![record.values[0].clone()]));
        assert!(matches!(partial, DohOutcome::NotVisible { .. }));
        assert!(partial.describe().starts_with("not visible yet"));
        w.apply(Action::DohChecked(vec![DohRow {
            resolver: LOCAL_RESOLVER.into(),
            record_name: record.name.clone(),
            outcome: partial,
        }]));
        assert_eq!(w.submit_warnings().len(), 1);
        let quoted: Vec<String> = record.values.iter().map(|v| format!("\"{v}\"")).collect();
        let full = DohOutcome::from_answer(&record.values, Ok(quoted));
        assert_eq!(full.describe(), "visible");
        w.apply(Action::DohChecked(vec![
            DohRow {
                resolver: "https://down.example/dns-query".into(),
                record_name: record.name.clone(),
                outcome: DohOutcome::from_answer(&record.values, Err("timeout".into())),
            },
            DohRow {
                resolver: LOCAL_RESOLVER.into(),
                record_name: record.name.clone(),
                outcome: full,
            },
        ]));
        assert!(
            w.submit_warnings().is_empty(),
            "one resolver seeing it all is enough"
        );
        // Choosing http-01 for the apex drops the check and warns that files cannot be checked.
        w.apply(Action::ChooseChallenge {
            index: 0,
            challenge_type: HTTP_01.into(),
        });
        assert!(w.doh.is_empty());
        assert!(w.has_pending_http());
        assert_eq!(w.submit_warnings().len(), 2);
    }

    #[test]
    fn an_invalid_authorization_fails_the_order_with_the_cas_problem() {
        let mut w = at_challenges();
        w.apply(Action::ChallengesSubmitted);
        let mut failed = authz(0, "example.test", AuthorizationStatus::Invalid).authorization;
        failed.challenges[0].status = ChallengeStatus::Invalid;
        failed.challenges[0].error = Some(Problem {
            type_uri: Some("urn:ietf:params:acme:error:dns".into()),
            detail: Some("NXDOMAIN looking up TXT for _acme-challenge.example.test".into()),
            ..Problem::default()
        });
        w.apply(Action::AuthorizationUpdated {
            url: "https://ca.test/authz/0".into(),
            authorization: failed,
        });
        assert_eq!(w.step, Step::Failed);
        let failure = w.failure().unwrap();
        assert!(
            failure.message.contains("example.test (invalid)"),
            "{}",
            failure.message
        );
        assert!(failure.problems[0].hint().contains("TXT record"));
        // A new order keeps the CA, the account and the names.
        let account_url = w.account.as_ref().unwrap().url.clone();
        w.apply(Action::NewOrder);
        assert_eq!(w.step, Step::Names);
        assert!(w.order.is_none() && w.cert_key.is_none());
        assert_eq!(w.account.as_ref().unwrap().url, account_url);
        assert_eq!(w.names_input, "example.test, *.example.test");
    }

    #[test]
    fn errors_keep_the_data_and_the_retry() {
        let mut w = at_challenges();
        let before = serde_json::to_value(&w).unwrap();
        w.apply(Action::Busy("Submitting".into()));
        let error = ErrorInfo::from_error(
            "Could not submit the challenges",
            &Error::NotReady("not now".into()),
            Some(Task::SubmitChallenges),
        );
        w.apply(Action::Failed(error.clone()));
        assert!(!w.is_busy());
        assert_eq!(
            w.error.as_ref().unwrap().retry,
            Some(Task::SubmitChallenges)
        );
        assert_eq!(
            serde_json::to_value(&w).unwrap(),
            before,
            "keys and order kept"
        );
        w.apply(Action::Busy("Again".into()));
        assert!(w.error.is_none(), "trying again clears the error");
    }

    #[test]
    fn forget_wipes_the_order_but_keeps_the_account() {
        let mut w = at_challenges();
        w.apply(Action::ForgetOrder);
        assert_eq!(w.step, Step::Names);
        assert!(w.order.is_none() && w.cert_key.is_none() && w.names_input.is_empty());
        assert!(w.account.is_some() && w.directory.is_some());
        let saved = serde_json::to_string(&w).unwrap();
        assert!(!saved.contains("authz"), "{saved}");
    }

    #[test]
    fn change_ca_forgets_the_account() {
        let mut w = at_challenges();
        w.apply(Action::ChangeCa);
        assert_eq!(w.step, Step::Ca);
        assert!(w.account.is_none() && w.order.is_none() && w.directory.is_none());
    }

    #[test]
    fn stale_results_are_ignored() {
        let mut w = at_challenges();
        w.apply(Action::ForgetOrder);
        w.apply(Action::AuthorizationUpdated {
            url: "https://ca.test/authz/0".into(),
            authorization: valid(authz(0, "example.test", AuthorizationStatus::Pending)),
        });
        w.apply(Action::CertificateDownloaded {
            order_url: "https://ca.test/order/1".into(),
            chain: CertificateChain {
                url: "u".into(),
                pem: String::new(),
                alternates: vec![],
            },
        });
        assert_eq!(w.step, Step::Names);
        assert!(w.chains.is_empty());
    }

    #[test]
    fn names_are_locked_once_the_order_exists() {
        let mut w = at_challenges();
        w.apply(Action::SetNames("other.test".into()));
        w.apply(Action::SetKeyChoice(KeyChoice::Csr));
        assert_eq!(w.names_input, "example.test, *.example.test");
        assert_eq!(w.key_choice, KeyChoice::Generate(KeyType::P256));
    }

    #[test]
    fn order_blocker_explains_bad_names_and_csr() {
        let mut w = at_names();
        assert!(w.order_blocker().unwrap().contains("at least one"));
        w.apply(Action::SetNames("good.example, bad..example".into()));
        assert_eq!(w.parsed_names().unwrap_err().len(), 1);
        assert!(w.order_blocker().is_some());
        w.apply(Action::SetNames("a.example, b.example".into()));
        w.apply(Action::SetKeyChoice(KeyChoice::Csr));
        assert!(w.order_blocker().unwrap().contains("Paste"));
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let der = crate::csr::build_csr(&key, &[Identifier::dns("a.example")]).unwrap();
        w.apply(Action::SetCsrInput(pem_of(&der)));
        let mismatch = w.parsed_csr().unwrap().unwrap_err();
        assert!(mismatch.contains("b.example"), "{mismatch}");
        w.apply(Action::SetNames("a.example".into()));
        assert_eq!(w.order_blocker(), None);
    }

    fn pem_of(der: &[u8]) -> String {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN CERTIFICATE REQUEST-----\n{b64}\n-----END CERTIFICATE REQUEST-----\n")
    }

    #[test]
    fn serialization_round_trip_restores_step_keys_and_order() {
        let mut w = at_challenges();
        w.apply(Action::ChallengesSubmitted);
        w.apply(Action::Busy("polling".into()));
        let saved = serde_json::to_value(&w).unwrap();
        let restored = Wizard::restore(saved.clone()).unwrap();
        assert_eq!(restored.step, Step::Validating);
        assert_eq!(restored.cert_key, w.cert_key);
        assert_eq!(
            restored.account.as_ref().unwrap().key,
            w.account.as_ref().unwrap().key
        );
        assert_eq!(restored.order, w.order);
        assert_eq!(restored.dns_records(), w.dns_records());
        assert!(restored.busy.is_none(), "busy is not saved");
        assert_eq!(serde_json::to_value(&restored).unwrap(), saved);
    }

    #[test]
    fn corrupt_or_old_saved_state_is_refused() {
        assert_eq!(
            Wizard::restore(serde_json::json!({"step": "names"})).unwrap_err(),
            RestoreError::OtherVersion { found: None }
        );
        assert_eq!(
            Wizard::restore(serde_json::json!({"version": 0})).unwrap_err(),
            RestoreError::OtherVersion { found: Some(0) }
        );
        let mut saved = serde_json::to_value(at_challenges()).unwrap();
        saved["cert_key"] = Value::String("not a key".into());
        assert!(matches!(
            Wizard::restore(saved).unwrap_err(),
            RestoreError::Corrupt(_)
        ));
        assert!(Wizard::restore(Value::String("garbage".into())).is_err());
    }

    #[test]
    fn inconsistent_saved_state_falls_back_to_what_it_supports() {
        let mut saved = serde_json::to_value(at_challenges()).unwrap();
        saved["order"] = Value::Null;
        let w = Wizard::restore(saved).unwrap();
        assert_eq!(w.step, Step::Names);
        assert!(w.cert_key.is_none());

        let mut saved = serde_json::to_value(at_challenges()).unwrap();
        saved["directory"] = Value::Null;
        let w = Wizard::restore(saved).unwrap();
        assert_eq!(w.step, Step::Ca);
        assert!(w.account.is_none() && w.order.is_none());

        let mut saved = serde_json::to_value(at_challenges()).unwrap();
        saved["step"] = Value::String("done".into());
        assert_eq!(Wizard::restore(saved).unwrap().step, Step::Finalizing);
    }

    #[test]
    fn ip_identifiers_only_offer_http() {
        let handle = authz(0, "192.0.2.1", AuthorizationStatus::Pending);
        assert_eq!(possible_challenge_types(&handle.authorization), [HTTP_01]);
        let wildcard = authz(1, "*.example.test", AuthorizationStatus::Pending);
        assert_eq!(possible_challenge_types(&wildcard.authorization), [DNS_01]);
    }

    #[test]
    fn log_keeps_the_last_entries() {
        let mut log = ProtocolLog::default();
        for n in 0..(LOG_LIMIT + 5) {
            log.push(Exchange {
                kind: "newNonce".into(),
                method: "HEAD".into(),
                url: format!("https://ca.test/{n}"),
                status: Some(200),
                protected: None,
                payload: None,
                response_headers: vec![],
                response_body: String::new(),
                transport_error: None,
            });
        }
        assert_eq!(log.entries.len(), LOG_LIMIT);
        assert_eq!(log.entries[0].url, "https://ca.test/5");
    }

    #[test]
    fn key_and_ca_choices_round_trip_their_names() {
        for choice in KeyChoice::all() {
            assert_eq!(KeyChoice::from_name(choice.as_str()), Some(choice));
        }
        assert_eq!(
            KeyChoice::all()
                .iter()
                .map(|c| c.label())
                .collect::<Vec<_>>(),
            [
                "ECDSA P-256",
                "ECDSA P-384",
                "RSA 2048",
                "RSA 3072",
                "RSA 4096",
                "I have a CSR"
            ]
        );
        assert_eq!(CaKind::from_name("local"), Some(CaKind::Local));
        assert_eq!(
            common_name("CN=Pebble Root CA 1a2b3c, O=Pebble"),
            "Pebble Root CA 1a2b3c"
        );
    }
}
