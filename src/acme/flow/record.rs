//! How the flow takes what happened to a request: a reply moves the state on (and sets the next wait); an
//! error is waited out when it may pass, turns into a read-back when a state-changing request's outcome
//! is unknown, and is handed to the person otherwise.

use std::time::{Duration, SystemTime};

use super::{
    choose_challenge, millis, Answered, AuthorizationProgress, Issuance, Reply, Request, Unsure,
    Wait, WaitReason, MAX_AUTOMATIC_WAIT, MAX_POLLS, MAX_TRANSIENT_FAILURES,
};
use crate::acme::authorization::{Authorization, AuthorizationStatus, Challenge, ChallengeStatus};
use crate::acme::error::Error;
use crate::acme::order::{Order, OrderStatus};
use crate::acme::poll::backoff;
use crate::acme::problem::{Problem, ProblemKind};
use crate::acme::transport::TransportErrorKind;

impl Issuance {
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
                        what: match self.order_url.as_deref() {
                            Some(url) => crate::t!("the order at {url}", url = url),
                            None => crate::t!("the order at the CA").to_string(),
                        },
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
            // RFC 9773 §5: another order already replaced that certificate. A renewal is still wanted:
            // order the same names without claiming to replace it, and let the page say so.
            Request::NewOrder(sent)
                if sent.replaces.is_some()
                    && error.problem().map(Problem::kind) == Some(ProblemKind::AlreadyReplaced) =>
            {
                self.request.replaces = None;
                self.replaces_dropped = true;
                Ok(())
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
}

/// How long to wait before trying again after a failure that may pass: a dropped connection, a server
/// error, a rate limit or badNonce storm. `None` for a refusal that waiting does not cure.
fn transient_wait(error: &Error, failures: u32) -> Option<Duration> {
    let transient = match error {
        Error::Transport(t) => t.kind != TransportErrorKind::TooLarge,
        Error::BadNonceExhausted { .. } => true,
        Error::Acme {
            status, problem, ..
        } => *status >= 500 || *status == 429 || problem.kind() == ProblemKind::RateLimited,
        Error::UnexpectedReply { status, .. } => *status >= 500 || *status == 429,
        _ => false,
    };
    transient.then(|| error.retry_after().unwrap_or_else(|| backoff(failures)))
}
