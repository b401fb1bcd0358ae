//! The issuance flow of RFC 8555 §7.4 as one pure, serializable value: from the saved state of one order,
//! what the CA last said and the current time, [`Issuance::next`] decides the next request, a wait, a
//! pause for the person (or hook) to place the challenges, or the outcome. Drivers (the page, the native
//! example, the tests) only execute: they send [`Next::Send`]'s request through
//! [`Client::execute`](crate::acme::client::Client::execute), hand the result to [`Issuance::record`],
//! schedule [`Next::Wait`], and ask again. None of them holds flow logic.
//!
//! It keeps to the request floor of the RFC: newOrder, one POST-as-GET per authorization, one answer per
//! challenge (§7.5.1), then the order is polled (§7.1.6, not each authorization), finalize, and the
//! certificate (§7.4.2): 4 + 2N requests after the account, one more when finalize answers
//! "processing". Authorizations are read again only to explain a failure. It uses the status a challenge
//! reply already carries (some CAs validate inside that POST) and the order finalize returns. Every
//! Retry-After is honoured. A non-idempotent request (newOrder, a challenge answer, finalize) whose reply
//! was lost or was a server error is never sent again blindly: the state is read back first.

use std::collections::BTreeSet;
use std::fmt;
use std::future::Future;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::acme::account::AccountCredentials;
use crate::acme::authorization::{
    placement, Authorization, AuthorizationStatus, Challenge, ChallengeStatus, ChallengeType,
    Placement,
};
use crate::acme::client::{CertificateChain, Client};
use crate::acme::error::Error;
use crate::acme::identifier::{allowed_challenge_types, Identifier};
use crate::acme::order::{NewOrder, Order, OrderStatus};
use crate::acme::poll::backoff;
use crate::acme::problem::{Problem, ProblemKind};
use crate::acme::transport::HttpClient;
use crate::pki::key::PrivateKey;

/// Consecutive transient failures (dropped connection, 5xx, a short rate limit) waited out before the
/// error is shown; "try again" starts a new count.
pub const MAX_TRANSIENT_FAILURES: u32 = 5;
/// Order polls while the CA validates or issues before the flow stops and says so (with the back-off
/// capped at 30 s, about 20 minutes).
pub const MAX_POLLS: u32 = 45;
/// The longest Retry-After on an error that is waited out by itself; a longer one (a rate limit of hours)
/// is shown to the person with its time instead.
pub const MAX_AUTOMATIC_WAIT: Duration = Duration::from_secs(10 * 60);

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

    /// Whether sending it twice is harmless: POST-as-GET is; newOrder, an answer and finalize change
    /// the CA's state, so their outcome is read back before they are sent again.
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WaitReason {
    /// The CA is checking the challenges.
    Validating,
    /// The CA is issuing the certificate.
    Issuing,
    /// The CA asked to wait (Retry-After on 429 or 503), or a request failed in transit.
    Backoff,
}

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
                    let status = format!("{:?}", a.status).to_lowercase();
                    match &a.problem {
                        Some(p) => write!(f, "{sep}authorization for {} is {status}: {p}", a.name)?,
                        None => write!(f, "{sep}authorization for {} is {status}", a.name)?,
                    }
                }
                Ok(())
            }
            Failure::Order(Some(problem)) => write!(f, "the order is invalid: {problem}"),
            Failure::Order(None) => f.write_str("the order is invalid"),
            Failure::NoUsableChallenge(names) => write!(
                f,
                "no challenge this client can complete is offered for {}",
                names.join(", ")
            ),
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
}

impl AuthorizationProgress {
    fn new(url: String) -> Self {
        AuthorizationProgress {
            url,
            authorization: None,
            challenge_type: None,
            answered: false,
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

    fn failed(&self) -> Option<FailedAuthorization> {
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

/// One issuance: the order, its authorizations, and where the flow is. Serializable: saved after every
/// step, it resumes after a reload or a crash.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Issuance {
    /// Tells this issuance from the next one, before the order has a URL.
    pub id: u64,
    /// The newOrder payload.
    pub request: NewOrder,
    /// The CSR (DER) sent with finalize.
    #[serde(with = "crate::b64::serde_bytes")]
    pub csr: Vec<u8>,
    /// Challenge types, most wanted first.
    pub preference: Vec<ChallengeType>,
    /// The order's URL (newOrder's Location), once created.
    #[serde(default)]
    pub order_url: Option<String>,
    #[serde(default)]
    pub order: Option<Order>,
    #[serde(default)]
    pub authorizations: Vec<AuthorizationProgress>,
    /// The person (or the hook) has placed every record and file.
    #[serde(default)]
    pub placed: bool,
    #[serde(default)]
    pub unsure: Option<Unsure>,
    #[serde(default)]
    pub wait: Option<Wait>,
    /// Authorizations to read again to explain why the order failed.
    #[serde(default)]
    pub to_explain: Vec<String>,
    /// Authorizations whose answer the CA refused once: a second refusal is shown, not retried.
    #[serde(default)]
    pub refused_answers: BTreeSet<String>,
    /// Consecutive transient failures.
    #[serde(default)]
    pub failures: u32,
    /// Order polls since the last change of state.
    #[serde(default)]
    pub polls: u32,
    /// Whether finalize answered "processing" (one more request by the RFC's count).
    #[serde(default)]
    pub finalize_processing: bool,
    #[serde(default)]
    pub chain: Option<CertificateChain>,
}

impl Issuance {
    /// A new issuance of `request`, finalized with `csr` (DER). `id` only has to differ from the
    /// previous issuance's (a timestamp does).
    pub fn new(id: u64, request: NewOrder, csr: Vec<u8>, preference: Vec<ChallengeType>) -> Self {
        Issuance {
            id,
            request,
            csr,
            preference,
            order_url: None,
            order: None,
            authorizations: Vec::new(),
            placed: false,
            unsure: None,
            wait: None,
            to_explain: Vec::new(),
            refused_answers: BTreeSet::new(),
            failures: 0,
            polls: 0,
            finalize_processing: false,
            chain: None,
        }
    }

    /// The order's status as last seen; `None` before newOrder answered.
    pub fn status(&self) -> Option<OrderStatus> {
        self.order.as_ref().map(|o| o.status)
    }

    /// The names ordered, as sent.
    pub fn names(&self) -> Vec<&str> {
        self.request
            .identifiers
            .iter()
            .map(|i| i.value.as_str())
            .collect()
    }

    /// What to do now.
    pub fn next(&self, now: SystemTime) -> Next {
        if self.chain.is_some() {
            return Next::Done;
        }
        if let Some(wait) = self.wait.filter(|w| millis(now) < w.until_ms) {
            return Next::Wait {
                until: from_millis(wait.until_ms),
                why: wait.why,
            };
        }
        if let Some(url) = self.to_explain.first() {
            return Next::Send(Request::Authorization { url: url.clone() });
        }
        if let Some(failure) = self.failure() {
            return Next::Failed(failure);
        }
        if let Some(unsure) = &self.unsure {
            return Next::Send(self.read_back(unsure));
        }
        let (Some(order_url), Some(order)) = (&self.order_url, &self.order) else {
            return Next::Send(Request::NewOrder(self.request.clone()));
        };
        let poll = Request::Order {
            url: order_url.clone(),
        };
        match order.status {
            OrderStatus::Pending => self.next_for_pending(poll),
            OrderStatus::Ready => Next::Send(Request::Finalize {
                order_url: order_url.clone(),
                finalize_url: order.finalize.clone(),
                csr: self.csr.clone(),
            }),
            OrderStatus::Valid => match &order.certificate {
                Some(url) => Next::Send(Request::Certificate { url: url.clone() }),
                // Valid without a certificate URL breaks §7.1.3; asking again is all a client can do.
                None => Next::Send(poll),
            },
            OrderStatus::Processing | OrderStatus::Unknown => Next::Send(poll),
            OrderStatus::Invalid => Next::Failed(Failure::Order(order.error.clone().map(Box::new))),
        }
    }

    fn next_for_pending(&self, poll: Request) -> Next {
        if let Some(unread) = self
            .authorizations
            .iter()
            .find(|a| a.authorization.is_none())
        {
            return Next::Send(Request::Authorization {
                url: unread.url.clone(),
            });
        }
        let to_answer: Vec<&AuthorizationProgress> = self
            .authorizations
            .iter()
            .filter(|a| a.is_pending() && !a.answered)
            .collect();
        let Some(first) = to_answer.first() else {
            return Next::Send(poll);
        };
        if !self.placed {
            return Next::Place;
        }
        match first.chosen_challenge() {
            Some(challenge) => Next::Send(Request::Answer {
                authorization_url: first.url.clone(),
                challenge_url: challenge.url.clone(),
            }),
            // failure() reports it; kept total for a state edited by hand.
            None => Next::Failed(Failure::NoUsableChallenge(vec![first.name()])),
        }
    }

    fn read_back(&self, unsure: &Unsure) -> Request {
        match (unsure, &self.order_url) {
            (Unsure::Answer { authorization_url }, _) => Request::Authorization {
                url: authorization_url.clone(),
            },
            (Unsure::Finalize, Some(url)) => Request::Order { url: url.clone() },
            // Without the order's URL nothing can be read back. The order a lost reply created, if
            // any, stays pending and expires unused (CAs such as Let's Encrypt hand the same pending
            // order back for the same names).
            _ => Request::NewOrder(self.request.clone()),
        }
    }

    /// Takes the result of `request` (sent for [`Issuance::next`]) into the state. `Err` means the
    /// person must see the error; the state then still says what "try again" does (a read-back first
    /// where the outcome is unknown).
    pub fn record(
        &mut self,
        request: &Request,
        result: Result<Answered, Error>,
        now: SystemTime,
    ) -> Result<(), Error> {
        match result {
            Ok(answered) => {
                self.failures = 0;
                self.wait = None;
                self.take_reply(request, answered, now);
                if self.polls > MAX_POLLS {
                    // Stop asking; "try again" polls afresh. Nothing of the order is lost.
                    self.polls = 0;
                    self.wait = None;
                    return Err(Error::GaveUp {
                        what: format!(
                            "the order at {}",
                            self.order_url.as_deref().unwrap_or("the CA")
                        ),
                        polls: MAX_POLLS,
                    });
                }
                Ok(())
            }
            Err(error) => self.take_error(request, error, now),
        }
    }

    fn take_reply(&mut self, request: &Request, answered: Answered, now: SystemTime) {
        let Answered { reply, retry_after } = answered;
        match reply {
            Reply::Order { url, order } => self.take_order(request, url, order, retry_after, now),
            Reply::Authorization { url, authorization } => {
                self.take_authorization(&url, authorization)
            }
            Reply::Challenge(challenge) => {
                if let Request::Answer {
                    authorization_url, ..
                } = request
                {
                    self.take_challenge(authorization_url, challenge, retry_after, now);
                }
            }
            Reply::Certificate(chain) => self.chain = Some(chain),
        }
    }

    fn take_order(
        &mut self,
        request: &Request,
        url: String,
        order: Order,
        retry_after: Option<Duration>,
        now: SystemTime,
    ) {
        if matches!(request, Request::NewOrder(_)) || self.order_url.is_none() {
            self.authorizations = order
                .authorizations
                .iter()
                .cloned()
                .map(AuthorizationProgress::new)
                .collect();
            self.order_url = Some(url);
        }
        let changed = self.order.as_ref().map(|o| o.status) != Some(order.status);
        if changed {
            self.polls = 0;
        }
        if matches!(request, Request::Finalize { .. }) && order.status == OrderStatus::Processing {
            self.finalize_processing = true;
        }
        if matches!(self.unsure, Some(Unsure::NewOrder | Unsure::Finalize)) {
            self.unsure = None;
        }
        let status = order.status;
        self.order = Some(order);
        match status {
            OrderStatus::Pending if self.all_answered() => {
                self.wait_a_poll(retry_after, WaitReason::Validating, now)
            }
            OrderStatus::Processing | OrderStatus::Unknown => {
                self.wait_a_poll(retry_after, WaitReason::Issuing, now)
            }
            OrderStatus::Valid if self.order.as_ref().is_some_and(|o| o.certificate.is_none()) => {
                self.wait_a_poll(retry_after, WaitReason::Issuing, now)
            }
            OrderStatus::Invalid => self.explain_failure(),
            _ => {}
        }
    }

    /// Waits before the next order poll: the CA's Retry-After, else the back-off step.
    fn wait_a_poll(&mut self, retry_after: Option<Duration>, why: WaitReason, now: SystemTime) {
        let wait = retry_after.unwrap_or_else(|| backoff(self.polls));
        self.polls += 1;
        self.wait_for(wait, why, now);
    }

    fn wait_for(&mut self, wait: Duration, why: WaitReason, now: SystemTime) {
        self.wait = Some(Wait {
            until_ms: millis(now).saturating_add(wait.as_millis() as u64),
            why,
        });
    }

    /// Every authorization still pending has been answered (the answers are in the CA's hands).
    fn all_answered(&self) -> bool {
        self.authorizations
            .iter()
            .all(|a| a.authorization.is_some() && (!a.is_pending() || a.answered))
    }

    /// An invalid order: read again every authorization whose failure is not known yet.
    fn explain_failure(&mut self) {
        if self.authorizations.iter().any(|a| a.failed().is_some()) {
            return;
        }
        self.to_explain = self.authorizations.iter().map(|a| a.url.clone()).collect();
    }

    fn take_authorization(&mut self, url: &str, authorization: Authorization) {
        self.to_explain.retain(|u| u != url);
        let preference = self.preference.clone();
        let Some(progress) = self.authorizations.iter_mut().find(|a| a.url == url) else {
            return;
        };
        if progress.challenge_type.is_none() {
            progress.challenge_type = choose_challenge(&authorization, &preference);
        }
        let read_back = matches!(&self.unsure, Some(Unsure::Answer { authorization_url }) if authorization_url == url);
        if read_back {
            // The answer's fate: taken if the challenge (or the authorization) moved on from pending.
            let challenge_moved = progress
                .challenge_type
                .as_ref()
                .and_then(|t| authorization.challenge(t))
                .is_some_and(|c| c.status != ChallengeStatus::Pending);
            progress.answered =
                challenge_moved || authorization.status != AuthorizationStatus::Pending;
            self.unsure = None;
        }
        progress.authorization = Some(authorization);
    }

    fn take_challenge(
        &mut self,
        authorization_url: &str,
        challenge: Challenge,
        retry_after: Option<Duration>,
        now: SystemTime,
    ) {
        let Some(progress) = self
            .authorizations
            .iter_mut()
            .find(|a| a.url == authorization_url)
        else {
            return;
        };
        progress.answered = true;
        let status = challenge.status;
        let unexplained = status == ChallengeStatus::Invalid && challenge.error.is_none();
        if let Some(authorization) = progress.authorization.as_mut() {
            // §7.1.6: one valid challenge makes the authorization valid, an invalid one invalid.
            match status {
                ChallengeStatus::Valid => authorization.status = AuthorizationStatus::Valid,
                ChallengeStatus::Invalid => authorization.status = AuthorizationStatus::Invalid,
                _ => {}
            }
            if let Some(slot) = authorization
                .challenges
                .iter_mut()
                .find(|c| c.url == challenge.url)
            {
                *slot = challenge;
            }
        }
        if unexplained {
            self.to_explain.push(authorization_url.to_string());
        }
        if self.all_answered() {
            // The first order poll waits for the CA's Retry-After, the first back-off step, or not at all
            // when every answer came back already valid.
            let settled = self.authorizations.iter().all(|a| {
                a.authorization
                    .as_ref()
                    .is_some_and(|z| z.status != AuthorizationStatus::Pending)
            });
            self.polls = 0;
            if !settled {
                self.wait_a_poll(retry_after, WaitReason::Validating, now);
            }
        }
    }

    fn take_error(
        &mut self,
        request: &Request,
        error: Error,
        now: SystemTime,
    ) -> Result<(), Error> {
        if let Some(wait) = transient_wait(&error, self.failures) {
            self.failures += 1;
            if !request.is_idempotent() {
                self.unsure = Some(self.unsure_of(request));
            }
            if self.failures > MAX_TRANSIENT_FAILURES || wait > MAX_AUTOMATIC_WAIT {
                self.failures = 0;
                return Err(error);
            }
            self.wait_for(wait, WaitReason::Backoff, now);
            return Ok(());
        }
        match request {
            Request::Answer {
                authorization_url, ..
            } => {
                // Often the answer already went through (a lost reply, a reload): "Cannot update
                // challenge with status valid". Read the authorization back; refuse twice, and it shows.
                self.unsure = Some(self.unsure_of(request));
                if self.refused_answers.insert(authorization_url.clone()) {
                    return Ok(());
                }
                Err(error)
            }
            Request::Finalize { .. } => {
                self.unsure = Some(Unsure::Finalize);
                if error.problem().map(Problem::kind) == Some(ProblemKind::OrderNotReady) {
                    return Ok(());
                }
                Err(error)
            }
            _ => Err(error),
        }
    }

    fn unsure_of(&self, request: &Request) -> Unsure {
        match request {
            Request::Answer {
                authorization_url, ..
            } => Unsure::Answer {
                authorization_url: authorization_url.clone(),
            },
            Request::Finalize { .. } => Unsure::Finalize,
            _ => Unsure::NewOrder,
        }
    }

    /// The person (or the hook) has placed every record and file: the challenges may be answered.
    pub fn confirm_placed(&mut self) {
        self.placed = true;
    }

    /// Chooses the challenge type of authorization `index`, before anything is answered. Returns
    /// whether it changed.
    pub fn choose_challenge(&mut self, index: usize, kind: &ChallengeType) -> bool {
        if self.placed {
            return false;
        }
        let Some(progress) = self.authorizations.get_mut(index) else {
            return false;
        };
        let usable = progress
            .authorization
            .as_ref()
            .is_some_and(|a| usable_challenge_types(a).contains(kind));
        if usable {
            progress.challenge_type = Some(kind.clone());
        }
        usable
    }

    /// Where the flow is.
    pub fn stage(&self) -> Stage {
        if self.chain.is_some() {
            return Stage::Done;
        }
        if self.to_explain.is_empty() && self.failure().is_some() {
            return Stage::Failed;
        }
        let Some(order) = &self.order else {
            return Stage::Ordering;
        };
        match order.status {
            OrderStatus::Pending
                if self
                    .authorizations
                    .iter()
                    .any(|a| a.authorization.is_none()) =>
            {
                Stage::Ordering
            }
            OrderStatus::Pending
                if !self.placed
                    && self
                        .authorizations
                        .iter()
                        .any(|a| a.is_pending() && !a.answered) =>
            {
                Stage::Placing
            }
            OrderStatus::Pending | OrderStatus::Invalid => Stage::Validating,
            _ => Stage::Finalizing,
        }
    }

    /// Why the order cannot succeed, if it cannot.
    pub fn failure(&self) -> Option<Failure> {
        let failed: Vec<FailedAuthorization> = self
            .authorizations
            .iter()
            .filter_map(AuthorizationProgress::failed)
            .collect();
        if !failed.is_empty() {
            return Some(Failure::Authorizations(failed));
        }
        if let Some(order) = self
            .order
            .as_ref()
            .filter(|o| o.status == OrderStatus::Invalid)
        {
            return Some(Failure::Order(order.error.clone().map(Box::new)));
        }
        let unusable: Vec<String> = self
            .authorizations
            .iter()
            .filter(|a| a.is_pending() && !a.answered && a.chosen_challenge().is_none())
            .map(AuthorizationProgress::name)
            .collect();
        (!unusable.is_empty()).then_some(Failure::NoUsableChallenge(unusable))
    }

    /// What must be placed before the challenges are answered: for each pending authorization not yet
    /// answered, its name and the record or file of its chosen challenge.
    pub fn placements(&self, account_key: &PrivateKey) -> Vec<(String, Result<Placement, Error>)> {
        self.authorizations
            .iter()
            .filter(|a| a.is_pending() && !a.answered)
            .filter_map(|a| {
                let authorization = a.authorization.as_ref()?;
                let challenge = a.chosen_challenge()?;
                Some((
                    authorization.display_name(),
                    placement(authorization, challenge, account_key).map_err(Error::from),
                ))
            })
            .collect()
    }

    /// Authorizations the CA already holds as valid for this account (reused, §7.1.4): nothing to place.
    pub fn reused(&self) -> Vec<String> {
        self.authorizations
            .iter()
            .filter(|a| !a.answered)
            .filter_map(|a| a.authorization.as_ref())
            .filter(|a| a.status == AuthorizationStatus::Valid)
            .map(Authorization::display_name)
            .collect()
    }
}

impl AuthorizationProgress {
    /// The name it proves (`*.example.com` for a wildcard), or its URL before it is read.
    pub fn name(&self) -> String {
        self.authorization
            .as_ref()
            .map(Authorization::display_name)
            .unwrap_or_else(|| self.url.clone())
    }
}

/// The challenge types this client can complete for an authorization: what the CA offers, within what
/// the identifier allows (a wildcard only dns-01, an IP address only http-01). Unknown types are skipped.
pub fn usable_challenge_types(authorization: &Authorization) -> Vec<ChallengeType> {
    let named = Identifier {
        kind: authorization.identifier.kind,
        value: authorization.display_name(),
    };
    allowed_challenge_types(&named)
        .iter()
        .filter(|t| authorization.challenge(t).is_some())
        .cloned()
        .collect()
}

/// The first type of `preference` the authorization can use, else the first it can use at all.
fn choose_challenge(
    authorization: &Authorization,
    preference: &[ChallengeType],
) -> Option<ChallengeType> {
    let usable = usable_challenge_types(authorization);
    preference
        .iter()
        .find(|t| usable.contains(t))
        .or_else(|| usable.first())
        .cloned()
}

/// How long to wait before trying again after a failure that may pass: a dropped connection, a server
/// error, a rate limit or badNonce storm. `None` for a refusal that waiting does not cure.
fn transient_wait(error: &Error, failures: u32) -> Option<Duration> {
    let transient = match error {
        Error::Transport(_) | Error::BadNonceExhausted { .. } => true,
        Error::Acme {
            status, problem, ..
        } => *status >= 500 || *status == 429 || problem.kind() == ProblemKind::RateLimited,
        Error::UnexpectedReply { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    };
    transient.then(|| error.retry_after().unwrap_or_else(|| backoff(failures)))
}

fn millis(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn from_millis(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
}

/// What a driver of [`run`] supplies: the time, the waits, and the placing of records and files.
pub trait Driver {
    /// The current time.
    fn now(&self) -> SystemTime;
    /// Returns at `until`: a thread sleep, a timer, or a test clock moving on.
    fn wait(&mut self, until: SystemTime, why: WaitReason) -> impl Future<Output = ()>;
    /// Places the record or file that proves `name`, before any challenge is answered.
    fn place(&mut self, name: &str, placement: &Placement) -> Result<(), String>;
}

/// Why [`run`] stopped short of a certificate.
#[derive(Debug)]
pub enum RunError {
    /// A request failed in a way waiting does not cure.
    Acme(Box<Error>),
    /// The driver could not place a record or file.
    Place(String),
    /// The CA declared the order or an authorization invalid.
    Failed(Failure),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Acme(error) => write!(f, "{error} (hint: {})", error.hint()),
            RunError::Place(message) => f.write_str(message),
            RunError::Failed(failure) => write!(f, "{failure}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<Error> for RunError {
    fn from(error: Error) -> Self {
        RunError::Acme(Box::new(error))
    }
}

/// Runs `issuance` to its end without a person: every record and file goes to the driver's
/// [`Driver::place`] when the flow asks for them. Returns the issuance with its [`Issuance::chain`].
/// (The page has a person in the loop and runs the same steps itself, one action at a time.)
pub async fn run<H: HttpClient, D: Driver>(
    client: &Client<H>,
    account: &AccountCredentials,
    mut issuance: Issuance,
    driver: &mut D,
) -> Result<Issuance, RunError> {
    loop {
        let now = driver.now();
        match issuance.next(now) {
            Next::Send(request) => {
                let result = client.execute(account, &request, now).await;
                issuance.record(&request, result, driver.now())?;
            }
            Next::Wait { until, why } => driver.wait(until, why).await,
            Next::Place => {
                for (name, placement) in issuance.placements(&account.key) {
                    driver.place(&name, &placement?).map_err(RunError::Place)?;
                }
                issuance.confirm_placed();
            }
            Next::Done => return Ok(issuance),
            Next::Failed(failure) => return Err(RunError::Failed(failure)),
        }
    }
}
