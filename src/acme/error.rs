//! The protocol layer's error: every way an ACME exchange can fail, keeping the cause, each with a hint a
//! person can act on.

use std::time::Duration;

use crate::acme::ari::RenewalInfoError;
use crate::acme::authorization::ChallengeError;
use crate::acme::problem::Problem;
use crate::acme::transport::TransportError;
use crate::pki::cert::CertError;
use crate::pki::csr::CsrError;
use crate::pki::key::KeyError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No HTTP answer at all (network, TLS trust, CORS).
    #[error(transparent)]
    Transport(#[from] TransportError),

    /// The CA answered with an ACME problem document (RFC 8555 §6.7).
    #[error("{}", crate::t!(
        "{request}: the CA refused (HTTP {status}): {problem}",
        request = .request,
        status = .status,
        problem = .problem
    ))]
    Acme {
        request: String,
        status: u16,
        problem: Box<Problem>,
    },

    /// The CA kept rejecting nonces (§6.5) after the bounded number of transparent retries.
    #[error("{}", crate::t!(
        "{request}: the CA rejected {retries} fresh nonces in a row: {problem}",
        request = .request,
        retries = .retries,
        problem = .problem
    ))]
    BadNonceExhausted {
        request: String,
        retries: u32,
        problem: Box<Problem>,
    },

    /// A reply that is not what RFC 8555 says it should be: not JSON, an HTML error page, a missing member.
    #[error("{}", crate::t!(
        "{request}: unexpected reply from {url} (HTTP {status}): {reason}",
        request = .request,
        url = .url,
        status = .status,
        reason = .reason
    ))]
    UnexpectedReply {
        request: String,
        url: String,
        status: u16,
        reason: String,
        /// The reply's Retry-After (a 503 from a proxy, say), measured by the server's clock.
        retry_after: Option<Duration>,
    },

    /// A URL the CA returned that the client will not request (another origin, plain http, not a URL).
    #[error("{}", crate::t!(
        "{request}: refused to request {url}: {reason}",
        request = .request,
        url = .url,
        reason = .reason
    ))]
    UnsafeUrl {
        request: String,
        url: String,
        reason: String,
    },

    /// A reply larger than any ACME object or certificate chain.
    #[error("{}", crate::t!(
        "{request}: the reply from {url} is {bytes} bytes, more than the {limit} this client reads",
        request = .request,
        url = .url,
        bytes = crate::i18n::number(*.bytes as u64),
        limit = crate::i18n::number(*.limit as u64)
    ))]
    TooLarge {
        request: String,
        url: String,
        bytes: usize,
        limit: usize,
    },

    /// A header ACME needs is absent. Behind a browser this usually means the CA's CORS
    /// `Access-Control-Expose-Headers` does not list it.
    #[error("{}", crate::t!(
        "{request}: the CA's reply has no {header} header, or does not let web pages read it (CORS)",
        request = .request,
        header = .header
    ))]
    MissingHeader {
        request: String,
        header: &'static str,
    },

    /// A step was asked for before its resource was ready (e.g. finalize while the order is pending).
    #[error("{0}")]
    NotReady(String),

    /// The CA kept an order pending or processing through every poll the flow allows.
    #[error("{}", crate::t!(
        "{what} did not settle after {polls} polls",
        what = .what,
        polls = .polls
    ))]
    GaveUp { what: String, polls: u32 },

    /// The CA does not offer what was asked (its directory has no such resource).
    #[error("{}", crate::t!("this CA does not offer {feature}", feature = .0))]
    Unsupported(&'static str),

    /// A request this client built could not be encoded (a bug, reported rather than a panic).
    #[error("{}", crate::t!(
        "could not build the {request} request: {detail}",
        request = .request,
        detail = .detail
    ))]
    Internal { request: String, detail: String },

    #[error(transparent)]
    Key(#[from] KeyError),
    #[error(transparent)]
    Challenge(#[from] ChallengeError),
    #[error(transparent)]
    Csr(#[from] CsrError),
    #[error(transparent)]
    Cert(#[from] CertError),
    #[error(transparent)]
    RenewalInfo(#[from] RenewalInfoError),
}

impl Error {
    /// The CA's problem document, when the failure carries one.
    pub fn problem(&self) -> Option<&Problem> {
        match self {
            Error::Acme { problem, .. } | Error::BadNonceExhausted { problem, .. } => Some(problem),
            _ => None,
        }
    }

    /// How long the CA asked us to wait (rateLimited, 503), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::UnexpectedReply { retry_after, .. } => *retry_after,
            _ => self.problem().and_then(|p| p.retry_after),
        }
    }

    /// What a person should do, in plain words.
    pub fn hint(&self) -> String {
        match self {
            Error::Transport(e) => e.explanation().to_string(),
            Error::MissingHeader { header, .. } => crate::t!(
                "This CA does not let web pages read its {header} header, so a browser client cannot work with it. \
                 Choose another CA.",
                header = header
            ),
            Error::UnexpectedReply { .. } => crate::t!("The CA sent something that is not an ACME reply. Check the \
                directory URL; if it is right, try again later. The protocol log has the reply.")
                .to_string(),
            Error::NotReady(_) => crate::t!("Finish the earlier steps first.").to_string(),
            Error::GaveUp { .. } => crate::t!("The CA is slow to validate or issue. Try again in a few minutes: the order \
                and its keys are kept, and nothing is sent twice.")
                .to_string(),
            Error::UnsafeUrl { .. } => crate::t!("The CA sent a link this page will not follow, to keep your keys and \
                requests with the CA you chose. If the CA is right, it has moved: connect to its directory again.")
                .to_string(),
            Error::TooLarge { .. } => crate::t!("The CA sent far more than an ACME reply. Check the directory URL; the \
                protocol log shows the start of the reply.")
                .to_string(),
            Error::Unsupported(_) => crate::t!("Choose a CA that offers it, or go on without it.").to_string(),
            Error::Internal { .. } => {
                crate::t!("This is a bug in Certsmith; the protocol log has the details.").to_string()
            }
            _ => match self.problem() {
                Some(problem) => problem.hint(),
                None => crate::t!("See the message above.").to_string(),
            },
        }
    }
}
