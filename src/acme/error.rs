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
    #[error("{request}: the CA refused (HTTP {status}): {problem}")]
    Acme {
        request: String,
        status: u16,
        problem: Box<Problem>,
    },

    /// The CA kept rejecting nonces (§6.5) after the bounded number of transparent retries.
    #[error("{request}: the CA rejected {retries} fresh nonces in a row: {problem}")]
    BadNonceExhausted {
        request: String,
        retries: u32,
        problem: Box<Problem>,
    },

    /// A reply that is not what RFC 8555 says it should be: not JSON, an HTML error page, a missing member.
    #[error("{request}: unexpected reply from {url} (HTTP {status}): {reason}")]
    UnexpectedReply {
        request: String,
        url: String,
        status: u16,
        reason: String,
        /// The reply's Retry-After (a 503 from a proxy, say), measured by the server's clock.
        retry_after: Option<Duration>,
    },

    /// A URL the CA returned that the client will not request (another origin, plain http, not a URL).
    #[error("{request}: refused to request {url}: {reason}")]
    UnsafeUrl {
        request: String,
        url: String,
        reason: String,
    },

    /// A reply larger than any ACME object or certificate chain.
    #[error(
        "{request}: the reply from {url} is {bytes} bytes, more than the {limit} this client reads"
    )]
    TooLarge {
        request: String,
        url: String,
        bytes: usize,
        limit: usize,
    },

    /// A header ACME needs is absent. Behind a browser this usually means the CA's CORS
    /// `Access-Control-Expose-Headers` does not list it.
    #[error("{request}: the CA's reply has no {header} header, or does not let web pages read it (CORS)")]
    MissingHeader {
        request: String,
        header: &'static str,
    },

    /// An order or authorization reached a state from which it cannot go on.
    #[error("{what} is {status}{}", problem.as_ref().map(|p| format!(": {p}")).unwrap_or_default())]
    Failed {
        what: String,
        status: String,
        problem: Option<Box<Problem>>,
    },

    /// A step was asked for before its resource was ready (e.g. finalize while the order is pending).
    #[error("{0}")]
    NotReady(String),

    /// The CA kept an order pending or processing through every poll the flow allows.
    #[error("{what} did not settle after {polls} polls")]
    GaveUp { what: String, polls: u32 },

    /// The CA does not offer what was asked (its directory has no such resource).
    #[error("this CA does not offer {0}")]
    Unsupported(&'static str),

    /// A request this client built could not be encoded (a bug, reported rather than a panic).
    #[error("could not build the {request} request: {detail}")]
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
            Error::Failed { problem, .. } => problem.as_deref(),
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
            Error::MissingHeader { header, .. } => format!(
                "This CA does not let web pages read its {header} header, so a browser client cannot work with it. \
                 Choose another CA."
            ),
            Error::UnexpectedReply { .. } => "The CA sent something that is not an ACME reply. Check the \
                directory URL; if it is right, try again later. The protocol log has the reply."
                .to_string(),
            Error::NotReady(_) => "Finish the earlier steps first.".to_string(),
            Error::GaveUp { .. } => "The CA is slow to validate or issue. Try again in a few minutes: the order \
                and its keys are kept, and nothing is sent twice."
                .to_string(),
            Error::UnsafeUrl { .. } => "The CA sent a link this page will not follow, to keep your keys and \
                requests with the CA you chose. If the CA is right, it has moved: connect to its directory again."
                .to_string(),
            Error::TooLarge { .. } => "The CA sent far more than an ACME reply. Check the directory URL; the \
                protocol log shows the start of the reply."
                .to_string(),
            Error::Unsupported(_) => "Choose a CA that offers it, or go on without it.".to_string(),
            Error::Internal { .. } => "This is a bug in Certsmith; the protocol log has the details.".to_string(),
            _ => match self.problem() {
                Some(problem) => problem.hint(),
                None => "See the message above.".to_string(),
            },
        }
    }
}
