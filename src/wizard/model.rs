//! The wizard's state: where the person is ([`Step`]), what they typed, the account, the order's
//! [`Issuance`], and the changes the page can make to it ([`Action`]). Restoring a saved state puts it
//! back at the last step its data supports.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::doh::DohRow;
use super::presets::{CaKind, LETS_ENCRYPT, LOCAL_RESOLVER, PUBLIC_RESOLVERS};
use super::FORMAT_VERSION;
use crate::acme::account::AccountCredentials;
use crate::acme::authorization::ChallengeType;
use crate::acme::client::CertificateChain;
use crate::acme::directory::Directory;
use crate::acme::error::Error;
use crate::acme::flow::Issuance;
use crate::acme::persist::PersistChoice;
use crate::acme::problem::Problem;
use crate::pki::cert::CertificateInfo;
use crate::pki::csr::ParsedCsr;
use crate::pki::key::{KeyType, PrivateKey};
use crate::pki::sealed::SealedKey;

/// Where the wizard is. Serialized by name, so a saved state says plainly where it stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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

crate::json::wire_names!(Step {
    Ca = "ca",
    Account = "account",
    Names = "names",
    Challenges = "challenges",
    Validating = "validating",
    Finalizing = "finalizing",
    Done = "done",
    Failed = "failed",
});

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
            Section::Ca => crate::t!("Certificate authority"),
            Section::Account => crate::t!("Account"),
            Section::Names => crate::t!("Names and key"),
            Section::Challenges => crate::t!("Challenges"),
            Section::Certificate => crate::t!("Certificate"),
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
            KeyChoice::Csr => crate::t!("I have a CSR"),
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
    /// Have the jobs module read the CSR the person brought ([`Action::CsrRead`]).
    ReadCsr,
    /// Have the jobs module read the downloaded chains not read yet ([`Action::ChainRead`]).
    ReadChains,
    /// Make the certificate key (or take the CSR), then start the issuance.
    CreateOrder,
    /// Ask the DoH resolvers for every TXT record.
    CheckDns,
    /// Run the issuance flow until it needs the person, fails or is done.
    Drive,
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

/// Why the order cannot go on, as the page says it, with the CA's problem documents.
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
    #[error("{}", crate::t!(
        "it was saved by another version of Certsmith (format {found}, this one reads {this_version})",
        found = .found.map_or_else(|| crate::t!("unknown").to_string(), |n| n.to_string()),
        this_version = FORMAT_VERSION,
    ))]
    OtherVersion { found: Option<u64> },
    #[error("{}", crate::t!("it is damaged ({why})", why = .0))]
    Corrupt(String),
}

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
    /// The EAB HMAC key is a secret of the CA account: it is never saved, so a reload asks for it again.
    #[serde(skip)]
    pub eab_hmac: String,
    /// The certificate profile (meta.profiles), `None` for the CA's default.
    #[serde(default)]
    pub profile: Option<String>,
    /// The account, its key in the clear: in memory, and in the saved state unless `account_lock` is set.
    #[serde(default)]
    pub account: Option<AccountCredentials>,
    /// The key a newAccount went out with whose answer has not come back (lost, refused, the page
    /// reloaded): "Create account" sends it again instead of a new key, so the CA answers with the
    /// account it may already have made for it (RFC 8555 §7.3.1) rather than making a second one, and an
    /// External Account Binding is not spent on an account nobody holds the key of.
    #[serde(default)]
    pub pending_account_key: Option<PrivateKey>,
    /// The account key sealed under the person's passphrase. When set, the saved state keeps only this
    /// (see [`Wizard::saved`]), and `account` is filled once per visit by unlocking.
    #[serde(default)]
    pub account_lock: Option<AccountLock>,
    #[serde(default)]
    pub names_input: String,
    pub key_choice: KeyChoice,
    #[serde(default)]
    pub csr_input: String,
    /// The last reading of a CSR the person brought (by the jobs module, so the page's wasm has no CSR
    /// parser): not saved, read again after a reload.
    #[serde(skip)]
    pub csr_read: Option<CsrRead>,
    /// The issuance under way: the order, its authorizations, where the flow is.
    #[serde(default)]
    pub order: Option<Issuance>,
    /// The certificate the order under way renews.
    #[serde(default)]
    pub renewing: Option<Renewing>,
    /// The certificate key generated in the page (absent when a CSR was brought).
    #[serde(default)]
    pub cert_key: Option<PrivateKey>,
    /// The CSR (PEM) the order is finalized with, when the person brought one.
    #[serde(default)]
    pub order_csr: Option<String>,
    /// Downloaded chains: the primary first, then alternates as they are fetched.
    #[serde(default)]
    pub chains: Vec<CertificateChain>,
    /// What reading each downloaded chain gave (by the jobs module, so the page's wasm has no X.509
    /// reader): not saved, read again after a reload.
    #[serde(skip)]
    pub chains_read: Vec<ChainRead>,
    /// The URL of the chain shown and downloaded; `None` for the primary.
    #[serde(default)]
    pub chosen_chain: Option<String>,
    /// DoH resolvers, one URL per line.
    pub resolvers: String,
    #[serde(default)]
    pub doh: Vec<DohRow>,
    #[serde(skip)]
    pub busy: Option<String>,
    /// While the flow waits: when it asks the CA again (milliseconds since the Unix epoch).
    #[serde(skip)]
    pub busy_until_ms: Option<u64>,
    #[serde(skip)]
    pub error: Option<ErrorInfo>,
    /// A one-time note, e.g. that a saved state could not be restored.
    #[serde(skip)]
    pub notice: Option<String>,
}

/// A CSR as the person brought it and what reading it gave: the CSR, or why it cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsrRead {
    pub input: String,
    pub result: Result<ParsedCsr, String>,
}

/// A downloaded chain's PEM and what reading it gave: its certificates (leaf first), or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainRead {
    pub pem: String,
    pub result: Result<Vec<CertificateInfo>, String>,
}

/// The certificate a new order renews (RFC 9773 §5).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Renewing {
    /// Its entry in the certificates list ([`super::certs::CertificateEntry::id`]).
    pub old_id: String,
    pub names: Vec<String>,
    /// Its ARI CertID, sent as `replaces` when the CA offers renewalInfo.
    pub cert_id: Option<String>,
}

/// A locked account as the saved state keeps it: its URL and its key sealed under a passphrase
/// ([`SealedKey`]: PKCS#8 encrypted with PBES2).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountLock {
    pub url: String,
    pub key: SealedKey,
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
    /// newAccount is about to go with this key ([`Wizard::pending_account_key`]).
    NewAccountSent(PrivateKey),
    /// The account key was sealed under a passphrase: from now on only the sealed copy is saved.
    AccountLocked(AccountLock),
    /// The passphrase opened the sealed key (for this visit).
    AccountUnlocked(AccountCredentials),
    /// The person removed the passphrase: the key is saved in the clear again.
    AccountLockRemoved,
    /// The CA switched the account to a new key (keyChange, RFC 8555 §7.3.5). A lock made with the old
    /// key no longer holds it, so it is dropped (the page offers to lock again).
    AccountKeyChanged(AccountCredentials),
    /// The account was deactivated (§7.3.6): it is gone for good; back to creating or importing one.
    AccountDeactivated,
    SetNames(String),
    SetKeyChoice(KeyChoice),
    SetCsrInput(String),
    /// The CSR `input` was read (a [`crate::pki::job::Job::ReadCsr`]): kept while it is still the input.
    CsrRead(CsrRead),
    /// The certificate key, generated before newOrder so a retry reuses it.
    CertKeyReady(PrivateKey),
    /// The issuance starts (newOrder is next).
    OrderStarted {
        issuance: Issuance,
        /// The CSR (PEM) when the person brought one.
        csr: Option<String>,
    },
    /// The CA refused newOrder: back to the names, which the person may correct.
    OrderRefused {
        id: u64,
    },
    /// The flow took a reply (or a failure) into its state.
    Advanced(Issuance),
    ChooseChallenge {
        index: usize,
        challenge_type: ChallengeType,
    },
    /// The person's choice for the dns-persist-01 record of authorization `index` (and of every
    /// authorization for the same name, which share the record): policy=wildcard, persistUntil.
    ChoosePersist {
        index: usize,
        choice: PersistChoice,
    },
    SetResolvers(String),
    DohChecked(Vec<DohRow>),
    /// The person says every record and file is in place: the challenges may be answered.
    ChallengesPlaced,
    /// An alternate chain (§7.4.2) was downloaded.
    ChainDownloaded {
        order_id: u64,
        chain: CertificateChain,
    },
    ChooseChain(Option<String>),
    /// A downloaded chain was read (a [`crate::pki::job::Job::ReadChain`]).
    ChainRead(ChainRead),
    /// Read again the chains whose reading failed (the jobs module may have been unreachable).
    RereadChains,
    /// A request started (or goes on); the label says what the page waits for.
    Busy(String),
    /// The flow waits until this time (milliseconds since the Unix epoch) before asking the CA again;
    /// the page counts down.
    Waiting {
        label: String,
        until_ms: u64,
    },
    Idle,
    Failed(ErrorInfo),
    DismissError,
    DismissNotice,
    /// Renew a certificate from the list: its names, the same kind of key and profile; the order starts
    /// at once (unless a CSR is wanted).
    Renew {
        renewing: Renewing,
        key_choice: Option<KeyChoice>,
        profile: Option<String>,
    },
    /// Drops the order and its key, keeps the CA, the account and the names typed.
    NewOrder,
    /// Drops the order, its key, the certificates and the names.
    ForgetOrder,
    /// Deletes the certificate's private key from this browser, once the person has it.
    ForgetCertKey,
    /// Everything Certsmith kept in this browser was deleted: start afresh (`local_ca` as in
    /// [`Wizard::new`]).
    DeletedEverything {
        local_ca: Option<String>,
    },
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
            pending_account_key: None,
            account_lock: None,
            names_input: String::new(),
            key_choice: KeyChoice::Generate(KeyType::P256),
            csr_input: String::new(),
            csr_read: None,
            chains_read: Vec::new(),
            order: None,
            renewing: None,
            cert_key: None,
            order_csr: None,
            chains: Vec::new(),
            chosen_chain: None,
            resolvers,
            doh: Vec::new(),
            busy: None,
            busy_until_ms: None,
            error: None,
            notice: None,
        }
    }

    /// Reads a saved state (the JSON text [`saved`](Self::saved) gave): refuses another format version or
    /// a damaged one, and puts a state whose parts do not fit together (edited by hand, cut short) back at
    /// the last step its data supports.
    pub fn restore(saved: &str) -> Result<Self, RestoreError> {
        /// The format version alone, read before the rest (which another version lays out differently).
        #[derive(Deserialize)]
        struct Format {
            version: Option<u64>,
        }
        let corrupt = |e: serde_json::Error| RestoreError::Corrupt(e.to_string());
        let found = match crate::json::from_text::<Format>(saved) {
            Ok(format) => format.version,
            // JSON, but no object or a version that is no number: not a state this version wrote.
            Err(e) if e.is_data() => None,
            Err(e) => return Err(corrupt(e)),
        };
        if found != Some(u64::from(FORMAT_VERSION)) {
            return Err(RestoreError::OtherVersion { found });
        }
        let mut wizard: Wizard = crate::json::from_text(saved).map_err(corrupt)?;
        wizard.normalize();
        Ok(wizard)
    }

    /// Makes the step agree with the data it needs.
    fn normalize(&mut self) {
        if self.connected_url.is_none() || self.directory.is_none() {
            self.connected_url = None;
            self.directory = None;
            self.account = None;
            self.account_lock = None;
            self.drop_order();
            self.step = Step::Ca;
            return;
        }
        // A locked account is there, only not opened yet: the order waits for the passphrase.
        if self.account.is_none() && self.account_lock.is_none() {
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
            // A renewal waiting for its CSR stays a renewal.
            let renewing = self.renewing.take();
            self.drop_order();
            self.renewing = renewing;
            self.step = Step::Names;
            return;
        }
        self.settle();
    }

    /// What localStorage keeps: the whole state, except that a locked account's clear key is left out.
    pub fn saved(&self) -> Result<Value, serde_json::Error> {
        let mut value = serde_json::to_value(self)?;
        if self.account_lock.is_some() {
            if let Some(fields) = value.as_object_mut() {
                fields.insert("account".into(), Value::Null);
            }
        }
        Ok(value)
    }

    /// The account key is sealed and not opened in this visit: nothing can be signed until it is.
    pub fn is_locked(&self) -> bool {
        self.account.is_none() && self.account_lock.is_some()
    }

    /// The section of the page the person is at.
    pub fn section(&self) -> Section {
        self.step.section()
    }

    pub fn is_busy(&self) -> bool {
        self.busy.is_some()
    }
}

impl PartialEq for Wizard {
    /// Equal when they serialize the same and the page-only parts agree (the account has no `PartialEq`).
    fn eq(&self, other: &Self) -> bool {
        self.busy == other.busy
            && self.csr_read == other.csr_read
            && self.chains_read == other.chains_read
            && self.error == other.error
            && self.notice == other.notice
            && serde_json::to_value(self).ok() == serde_json::to_value(other).ok()
    }
}
