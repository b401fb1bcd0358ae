//! What the flow exchanges with its drivers: the requests it asks for, the replies it takes, what to do
//! next, why it waits or failed, and the per-authorization progress it keeps.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::acme::authorization::{Authorization, AuthorizationStatus, Challenge, ChallengeType};
use crate::acme::client::CertificateChain;
use crate::acme::directory::Directory;
use crate::acme::order::{NewOrder, Order};
use crate::acme::persist::PersistChoice;
use crate::acme::problem::Problem;
use crate::b64;

/// One request the flow needs, with everything the client needs to send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Request {
    /// newOrder (§7.4).
    NewOrder(NewOrder),
    /// POST-as-GET of an authorization (§7.5).
    Authorization { url: String },
    /// `{}` to a challenge URL: the challenge is ready to be checked (§7.5.1).
    Answer {
        authorization_url: String,
        challenge_url: String,
    },
    /// POST-as-GET of the order (§7.4, §7.1.6).
    Order { url: String },
    /// The CSR to the order's finalize URL (§7.4).
    Finalize {
        order_url: String,
        finalize_url: String,
        #[serde(with = "crate::b64::serde_bytes")]
        csr: Vec<u8>,
    },
    /// POST-as-GET of the certificate chain (§7.4.2).
    Certificate { url: String },
}

impl Request {
    /// The request's name in logs and counters, after the RFC's resource names.
    pub fn kind(&self) -> &'static str {
        match self {
            Request::NewOrder(_) => "newOrder",
            Request::Authorization { .. } => "authorization",
            Request::Answer { .. } => "challenge",
            Request::Order { .. } => "order",
            Request::Finalize { .. } => "finalize",
            Request::Certificate { .. } => "certificate",
        }
    }

    /// Where it is POSTed and with what payload; `None` is POST-as-GET (§6.3). The client sends exactly
    /// this, and the protocol inspector shows it before it is sent.
    pub fn target<'a>(
        &'a self,
        directory: &'a Directory,
    ) -> Result<(&'a str, Option<Value>), serde_json::Error> {
        Ok(match self {
            Request::NewOrder(order) => (&directory.new_order, Some(serde_json::to_value(order)?)),
            Request::Authorization { url }
            | Request::Order { url }
            | Request::Certificate { url } => (url, None),
            Request::Answer { challenge_url, .. } => (challenge_url, Some(json!({}))),
            Request::Finalize {
                finalize_url, csr, ..
            } => (finalize_url, Some(json!({ "csr": b64::encode(csr) }))),
        })
    }

    /// Whether sending it twice is harmless: POST-as-GET is; newOrder, an answer and finalize change
    /// the CA's state, so an answer's and finalize's outcome is read back before they are sent again
    /// (a lost newOrder reply leaves no URL to read: it is sent again, see the module's doc).
    pub fn is_idempotent(&self) -> bool {
        matches!(
            self,
            Request::Authorization { .. } | Request::Order { .. } | Request::Certificate { .. }
        )
    }
}

/// What the CA answered to a [`Request`], with the Retry-After it asked for.
#[derive(Clone, Debug, PartialEq)]
pub struct Answered {
    pub reply: Reply,
    pub retry_after: Option<Duration>,
}

/// The object a request returned.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// newOrder (with the Location), an order poll, or finalize.
    Order {
        url: String,
        order: Order,
    },
    Authorization {
        url: String,
        authorization: Authorization,
    },
    Challenge(Challenge),
    Certificate(CertificateChain),
}

/// What a driver does next.
#[derive(Clone, Debug, PartialEq)]
pub enum Next {
    /// Send this request and give its result to [`Issuance::record`].
    Send(Request),
    /// Ask again at `until` (a browser timer, a thread sleep).
    Wait { until: SystemTime, why: WaitReason },
    /// The records and files of [`Issuance::placements`] must be placed; then [`Issuance::confirm_placed`].
    Place,
    /// The certificate is in [`Issuance::chain`].
    Done,
    /// The order cannot succeed; a new order is needed.
    Failed(Failure),
}

/// Why the flow waits, for the person watching.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitReason {
    /// The CA is checking the challenges.
    Validating,
    /// The CA is issuing the certificate.
    Issuing,
    /// The CA asked to wait (Retry-After on 429 or 503), or a request failed in transit.
    Backoff,
}

crate::json::wire_names!(WaitReason {
    Validating = "validating",
    Issuing = "issuing",
    Backoff = "backoff",
});

/// Why an order cannot go on. Derived from the saved state, so it survives a reload.
#[derive(Clone, Debug, PartialEq)]
pub enum Failure {
    /// Authorizations the CA could not validate: the name, the status, and the CA's problem.
    Authorizations(Vec<FailedAuthorization>),
    /// The order is invalid with no failed authorization to blame.
    Order(Option<Box<Problem>>),
    /// Authorizations that offer no challenge this client can complete (by name).
    NoUsableChallenge(Vec<String>),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Authorizations(failed) => {
                for (i, a) in failed.iter().enumerate() {
                    let sep = if i == 0 { "" } else { "; " };
                    let status = a.status.as_str();
                    let failed = match &a.problem {
                        Some(problem) => crate::t!(
                            "authorization for {name} is {status}: {problem}",
                            name = a.name,
                            status = status,
                            problem = problem
                        ),
                        None => crate::t!(
                            "authorization for {name} is {status}",
                            name = a.name,
                            status = status
                        ),
                    };
                    write!(f, "{sep}{failed}")?;
                }
                Ok(())
            }
            Failure::Order(Some(problem)) => f.write_str(&crate::t!(
                "the order is invalid: {problem}",
                problem = problem
            )),
            Failure::Order(None) => f.write_str(crate::t!("the order is invalid")),
            Failure::NoUsableChallenge(names) => f.write_str(&crate::t!(
                "no challenge this client can complete is offered for {names}",
                names = names.join(", ")
            )),
        }
    }
}

/// One authorization that failed.
#[derive(Clone, Debug, PartialEq)]
pub struct FailedAuthorization {
    pub name: String,
    pub status: AuthorizationStatus,
    /// The challenge's error, when the CA gave one.
    pub problem: Option<Problem>,
}

/// Where an issuance is, as the page's steps show it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// newOrder and the authorizations are being read.
    Ordering,
    /// The person must place the records or files.
    Placing,
    /// The challenges are answered and the CA checks them.
    Validating,
    /// Finalize, issuance and the download.
    Finalizing,
    Done,
    Failed,
}

/// One authorization of the order and this client's progress on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationProgress {
    pub url: String,
    /// As last read; `None` until fetched.
    #[serde(default)]
    pub authorization: Option<Authorization>,
    /// The challenge type chosen for it, among those it offers that this client can do.
    #[serde(default)]
    pub challenge_type: Option<ChallengeType>,
    /// Its chosen challenge was answered, and the CA took the answer.
    #[serde(default)]
    pub answered: bool,
    /// What the person chose for a dns-persist-01 record (policy=wildcard, persistUntil); see
    /// [`Issuance::persist_choice`](super::Issuance::persist_choice) for the record as placed.
    #[serde(default)]
    pub persist: PersistChoice,
}

impl AuthorizationProgress {
    pub(super) fn new(url: String) -> Self {
        AuthorizationProgress {
            url,
            authorization: None,
            challenge_type: None,
            answered: false,
            persist: PersistChoice::default(),
        }
    }

    /// Still to be proven: fetched and `pending`.
    pub fn is_pending(&self) -> bool {
        self.authorization
            .as_ref()
            .is_some_and(|a| a.status == AuthorizationStatus::Pending)
    }

    /// The challenge of the chosen type.
    pub fn chosen_challenge(&self) -> Option<&Challenge> {
        let kind = self.challenge_type.as_ref()?;
        self.authorization.as_ref()?.challenge(kind)
    }

    pub(super) fn failed(&self) -> Option<FailedAuthorization> {
        let authorization = self.authorization.as_ref()?;
        let failed = matches!(
            authorization.status,
            AuthorizationStatus::Invalid
                | AuthorizationStatus::Deactivated
                | AuthorizationStatus::Expired
                | AuthorizationStatus::Revoked
        );
        failed.then(|| FailedAuthorization {
            name: authorization.display_name(),
            status: authorization.status,
            problem: authorization.failure().cloned(),
        })
    }
}

/// A non-idempotent request whose outcome is unknown: its reply was lost, was a server error, or the CA
/// refused it in a way the state must explain. The state is read back before anything is sent again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Unsure {
    NewOrder,
    Answer { authorization_url: String },
    Finalize,
}

/// A wait the flow keeps until its time, so a reload waits out the rest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Wait {
    /// Milliseconds since the Unix epoch.
    pub until_ms: u64,
    pub why: WaitReason,
}
