//! DNS-over-HTTPS lookups (RFC 8484) from the page, to check that a dns-01 TXT record is visible before
//! the CA is asked to look. Uses GET with `?dns=` and `Accept: application/dns-message`: a CORS "simple"
//! request, so no preflight; the resolver must still send `Access-Control-Allow-Origin`, which public
//! resolvers do not all do.

use std::fmt;

use super::fetch::FetchHttp;
use super::js;
use crate::acme::transport::{HttpClient, HttpRequest, TransportErrorKind};
use crate::b64;
use crate::dns::wire::{self, rcode_name, RCODE_NOERROR, RCODE_NXDOMAIN};

/// The media type of DNS messages over HTTPS (RFC 8484 §6).
pub const DNS_MESSAGE: &str = "application/dns-message";

/// Why a lookup gave no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DohError {
    /// The name cannot be looked up (empty label, not ASCII, too long...).
    InvalidName(String),
    /// The resolver URL is not usable (not https, not a URL).
    InvalidResolver { resolver: String, reason: String },
    /// No answer the page may read: network, TLS trust, or a resolver that does not allow browser
    /// queries (CORS); a page cannot tell which.
    Unreachable { resolver: String, detail: String },
    /// No answer in time.
    Timeout { resolver: String },
    /// The resolver answered with an HTTP error.
    HttpStatus { resolver: String, status: u16 },
    /// The answer is not a DNS message answering this question.
    Malformed { resolver: String, detail: String },
    /// The DNS server failed or refused (SERVFAIL, REFUSED, ...).
    ServerFailure { resolver: String, rcode: u8 },
}

impl fmt::Display for DohError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            DohError::InvalidName(why) => why.clone(),
            DohError::InvalidResolver { resolver, reason } => crate::t!(
                "the DNS-over-HTTPS resolver {resolver} is not usable: {reason}",
                resolver = format!("{resolver:?}"),
                reason = reason
            ),
            DohError::Unreachable { resolver, detail } => crate::t!(
                "the DNS-over-HTTPS resolver {resolver} gave no answer this page may read ({detail}): it is \
                 unreachable, or it does not allow queries from web pages (CORS). Try another resolver, or \
                 check the record with `dig TXT` instead.",
                resolver = resolver,
                detail = detail
            ),
            DohError::Timeout { resolver } => crate::t!(
                "the DNS-over-HTTPS resolver {resolver} did not answer in time; try again or another resolver",
                resolver = resolver
            ),
            DohError::HttpStatus {
                resolver,
                status: status @ (400 | 404 | 405 | 415),
            } => crate::t!(
                "the DNS-over-HTTPS resolver {resolver} answered with HTTP {status} (is this an RFC 8484 DoH \
                 URL, usually ending in /dns-query?)",
                resolver = resolver,
                status = status
            ),
            DohError::HttpStatus {
                resolver,
                status: 429,
            } => crate::t!(
                "the DNS-over-HTTPS resolver {resolver} answered with HTTP 429 (too many queries: wait a \
                 little)",
                resolver = resolver
            ),
            DohError::HttpStatus { resolver, status } => crate::t!(
                "the DNS-over-HTTPS resolver {resolver} answered with HTTP {status}",
                resolver = resolver,
                status = status
            ),
            DohError::Malformed { resolver, detail } => crate::t!(
                "the DNS-over-HTTPS resolver {resolver} sent something that is not a DNS answer: {detail}",
                resolver = resolver,
                detail = detail
            ),
            DohError::ServerFailure { resolver, rcode } => crate::t!(
                "the DNS server behind {resolver} answered {rcode} (the zone's name servers may be failing or \
                 refusing the query); try again in a minute",
                resolver = resolver,
                rcode = rcode_name(*rcode)
            ),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for DohError {}

/// The TXT records of `name` as `resolver_url` (e.g. `https://dns.example/dns-query`) sees them: one
/// string per record. An absent name (NXDOMAIN) or a name without TXT records (NODATA) gives an empty list.
pub async fn lookup_txt(resolver_url: &str, name: &str) -> Result<Vec<String>, DohError> {
    let resolver = resolver_url.trim();
    let query = wire::txt_query(name).map_err(|e| DohError::InvalidName(e.to_string()))?;
    let parsed = js::check_service_url(resolver).map_err(|reason| DohError::InvalidResolver {
        resolver: resolver.to_string(),
        reason,
    })?;
    let separator = if parsed.search().is_empty() { '?' } else { '&' };
    let mut base = parsed.href();
    if !parsed.hash().is_empty() {
        base.truncate(base.len() - parsed.hash().len());
    }
    let url = format!("{base}{separator}dns={}", b64::encode(&query));

    let request = HttpRequest {
        accept: Some(DNS_MESSAGE),
        ..HttpRequest::get(&url)
    };
    let response = FetchHttp::default()
        .send(request)
        .await
        .map_err(|e| match e.kind {
            TransportErrorKind::Timeout => DohError::Timeout {
                resolver: resolver.to_string(),
            },
            _ => DohError::Unreachable {
                resolver: resolver.to_string(),
                detail: e.detail,
            },
        })?;
    if response.status != 200 {
        return Err(DohError::HttpStatus {
            resolver: resolver.to_string(),
            status: response.status,
        });
    }
    let answer = wire::parse_txt_response_for(&response.body, name).map_err(|e| {
        let content_type = response
            .header("content-type")
            .unwrap_or(crate::t!("no type"));
        let detail = if content_type.starts_with(DNS_MESSAGE) {
            e.to_string()
        } else {
            crate::t!(
                "{why} (the content type is {content_type}, not {expected})",
                why = e,
                content_type = content_type,
                expected = DNS_MESSAGE
            )
        };
        DohError::Malformed {
            resolver: resolver.to_string(),
            detail,
        }
    })?;
    match answer.rcode {
        RCODE_NOERROR | RCODE_NXDOMAIN => Ok(answer.txt),
        rcode => Err(DohError::ServerFailure {
            resolver: resolver.to_string(),
            rcode,
        }),
    }
}
