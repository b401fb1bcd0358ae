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
//! Retry-After is honoured. A challenge answer or finalize whose reply was lost or was a server error is
//! never sent again blindly: the authorization or the order is read back first. newOrder is the exception,
//! as nothing can be read back without the order's URL its reply carried: it is sent again, and the order
//! a lost reply may have created stays pending and expires unused (the stress run counts these).
//!
//! The module is split by role: [`Issuance`] and its decisions here, what it exchanges with drivers in
//! `messages`, how it takes a reply or an error in `record`, and the unattended driver loop in `run`.

mod messages;
mod record;
mod run;

use std::collections::BTreeSet;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::acme::account::AccountCredentials;
use crate::acme::authorization::{
    placement, Authorization, AuthorizationStatus, ChallengeError, ChallengeType, Placement,
};
use crate::acme::client::CertificateChain;
use crate::acme::error::Error;
use crate::acme::identifier::{allowed_challenge_types, Identifier};
use crate::acme::order::{NewOrder, Order, OrderStatus};
use crate::acme::persist::PersistChoice;

pub use messages::{
    Answered, AuthorizationProgress, FailedAuthorization, Failure, Next, Reply, Request, Stage,
    Unsure, Wait, WaitReason,
};
pub use run::{run, Driver, RunError};

/// Consecutive transient failures (dropped connection, 5xx, a short rate limit) waited out before the
/// error is shown; "try again" starts a new count.
pub const MAX_TRANSIENT_FAILURES: u32 = 5;
/// Order polls while the CA validates or issues before the flow stops and says so (with the back-off
/// capped at 30 s, about 20 minutes).
pub const MAX_POLLS: u32 = 45;
/// The longest Retry-After on an error that is waited out by itself; a longer one (a rate limit of hours)
/// is shown to the person with its time instead.
pub const MAX_AUTOMATIC_WAIT: Duration = Duration::from_secs(10 * 60);

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
    /// The CA refused `replaces` with alreadyReplaced (RFC 9773 §5), so the order was placed without it.
    #[serde(default)]
    pub replaces_dropped: bool,
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
            replaces_dropped: false,
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
        // A failure is final once it is explained: no wait stands before saying so.
        let failure = self.failure();
        if let Some(failure) = failure.clone().filter(|_| self.to_explain.is_empty()) {
            return Next::Failed(failure);
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
        let changed = usable && progress.challenge_type.as_ref() != Some(kind);
        if changed {
            progress.challenge_type = Some(kind.clone());
        }
        changed
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
    pub fn placements(
        &self,
        account: &AccountCredentials,
    ) -> Vec<(String, Result<Placement, Error>)> {
        self.authorizations
            .iter()
            .enumerate()
            .filter(|(_, a)| a.is_pending() && !a.answered)
            .filter_map(|(index, a)| {
                Some((
                    a.authorization.as_ref()?.display_name(),
                    self.placement(index, account)?.map_err(Error::from),
                ))
            })
            .collect()
    }

    /// The record or file of authorization `index` for its chosen challenge, once it is read.
    pub fn placement(
        &self,
        index: usize,
        account: &AccountCredentials,
    ) -> Option<Result<Placement, ChallengeError>> {
        let progress = self.authorizations.get(index)?;
        let authorization = progress.authorization.as_ref()?;
        let challenge = progress.chosen_challenge()?;
        Some(placement(
            authorization,
            challenge,
            account,
            self.persist_choice(index),
        ))
    }

    /// The dns-persist-01 choice of authorization `index` as its record is placed: the person's, with
    /// policy=wildcard when [`Issuance::persist_wildcard_required`].
    pub fn persist_choice(&self, index: usize) -> PersistChoice {
        let mut choice = self
            .authorizations
            .get(index)
            .map(|a| a.persist)
            .unwrap_or_default();
        choice.wildcard |= self.persist_wildcard_required(index);
        choice
    }

    /// Whether the dns-persist-01 record of authorization `index` must carry policy=wildcard: a wildcard
    /// of this order for the same name is still to be proven with dns-persist-01, and a name and its
    /// wildcard share the one record at `_validation-persist.<name>` (draft-ietf-acme-dns-persist-01
    /// §10.2), so one record serves both.
    pub fn persist_wildcard_required(&self, index: usize) -> bool {
        let Some(name) = self.identifier_value(index) else {
            return false;
        };
        self.authorizations.iter().any(|a| {
            a.is_pending()
                && !a.answered
                && a.challenge_type == Some(ChallengeType::DnsPersist01)
                && a.authorization
                    .as_ref()
                    .is_some_and(|z| z.wildcard && z.identifier.value == name)
        })
    }

    /// Sets the dns-persist-01 choice of authorization `index`, and of every authorization for the same
    /// name (they share its record), before anything is answered. Returns whether it changed.
    pub fn choose_persist(&mut self, index: usize, choice: PersistChoice) -> bool {
        let Some(name) = self.identifier_value(index).filter(|_| !self.placed) else {
            return false;
        };
        let mut changed = false;
        for progress in self.authorizations.iter_mut().filter(|a| {
            a.authorization
                .as_ref()
                .is_some_and(|z| z.identifier.value == name)
        }) {
            changed |= progress.persist != choice;
            progress.persist = choice;
        }
        changed
    }

    /// The identifier value of authorization `index` (a wildcard's base name), once it is read.
    fn identifier_value(&self, index: usize) -> Option<String> {
        let authorization = self.authorizations.get(index)?.authorization.as_ref()?;
        Some(authorization.identifier.value.clone())
    }

    /// The status of one of this order's authorizations: as last read, except that a pending one is valid
    /// once the order is ready, processing or valid. A CA makes an order ready only when all of its
    /// authorizations are valid (§7.1.6); the flow learns that from the order and does not read each
    /// authorization again. `None` before the authorization is read.
    pub fn authorization_status(
        &self,
        authz: &AuthorizationProgress,
    ) -> Option<AuthorizationStatus> {
        let status = authz.authorization.as_ref()?.status;
        let order_past_ready = self.order.as_ref().is_some_and(|o| {
            matches!(
                o.status,
                OrderStatus::Ready | OrderStatus::Processing | OrderStatus::Valid
            )
        });
        Some(match status {
            AuthorizationStatus::Pending if order_past_ready => AuthorizationStatus::Valid,
            status => status,
        })
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
/// the identifier allows (a wildcard only dns-01 or dns-persist-01, an IP address only http-01), in
/// [`allowed_challenge_types`]'s order. Unknown types are skipped.
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

fn millis(time: SystemTime) -> u64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn from_millis(ms: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ms)
}
