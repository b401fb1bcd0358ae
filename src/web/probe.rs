//! Checks, before anything else, that this page can use a CA: the directory URL is sound, the CA answers
//! a page (CORS), its directory is ACME, and `Replay-Nonce` is readable from JS.
//!
//! A page sees one `TypeError: Failed to fetch` for a network failure, an untrusted TLS certificate and a
//! CORS refusal alike. The probe separates what it can by asking again in `no-cors` mode: an opaque answer
//! there proves the server is reachable and trusted, so only CORS can have blocked the first request. A
//! network failure and an untrusted certificate stay indistinguishable, and the messages say so.
//!
//! The trick needs a page that is not cross-origin isolated with `Cross-Origin-Embedder-Policy:
//! require-corp`: that policy turns every opaque answer without a `Cross-Origin-Resource-Policy` header
//! into a network error, so a CORS block would look like an unreachable server (`credentialless` is fine,
//! since these requests carry no credentials). Serve the app without it.

use std::fmt;

use web_sys::RequestMode;

use super::fetch::{self, FetchHttp};
use super::js;
use crate::acme::directory::Directory;
use crate::acme::transport::{HttpClient, HttpRequest, HttpResponse, TransportError};

/// What stands between this page and the CA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeFailure {
    /// The URL cannot be a directory URL; the text says why.
    InvalidUrl(String),
    /// No answer: the network is down, the host is wrong, or the browser does not trust the server's TLS
    /// certificate. A page cannot tell these apart.
    UnreachableOrUntrusted,
    /// The server answers, but not to web pages (no CORS headers).
    CorsBlocked,
    /// The server answers, but not with an ACME directory; the text says what came instead.
    NotAcme(String),
    /// The CA answers pages, but hides response headers ACME needs (not in Access-Control-Expose-Headers).
    HeadersHidden(Vec<String>),
    /// The directory or newNonce answered with this HTTP error status.
    HttpStatus(u16),
}

/// A failed probe: what failed, for which URL (the directory's, or newNonce's), and the browser's own
/// words where there are any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeError {
    pub kind: ProbeFailure,
    pub url: String,
    /// The browser's message or the parse error, for the protocol log; may be empty.
    pub detail: String,
}

impl ProbeError {
    fn new(kind: ProbeFailure, url: &str, detail: impl Into<String>) -> Self {
        ProbeError {
            kind,
            url: url.to_string(),
            detail: detail.into(),
        }
    }

    /// Whether the URL points at this machine (a test CA such as Pebble, usually with its own TLS CA).
    pub fn is_local(&self) -> bool {
        web_sys::Url::new(&self.url).is_ok_and(|u| js::is_loopback_host(&u.hostname()))
    }

    /// What to do about it, in plain words.
    pub fn hint(&self) -> String {
        match &self.kind {
            ProbeFailure::InvalidUrl(_) => crate::t!(
                "Enter the CA's ACME directory URL as its documentation gives it: a full https:// address, \
                 often ending in /directory."
            )
            .into(),
            ProbeFailure::UnreachableOrUntrusted if self.is_local() => crate::t!(
                "Check that the local CA is running. If it is, this browser probably does not trust its TLS \
                 certificate: open {url} in a new tab once, accept the certificate warning, then try again.",
                url = self.url
            ),
            ProbeFailure::UnreachableOrUntrusted => crate::t!(
                "Check your connection and the URL. Open {url} in a new tab: it should show a JSON document. \
                 If the tab shows a certificate warning instead, this browser does not trust the CA's \
                 certificate.",
                url = self.url
            ),
            ProbeFailure::CorsBlocked => crate::t!(
                "This CA blocks browser clients; try another CA, or use a command-line ACME client for this \
                 one."
            )
            .into(),
            ProbeFailure::NotAcme(_) => crate::t!(
                "Check the URL: it must be the CA's ACME directory (a JSON document listing newNonce, \
                 newAccount and newOrder), not its website."
            )
            .into(),
            ProbeFailure::HeadersHidden(_) => crate::t!(
                "This CA answers web pages but hides headers ACME needs, so it cannot be used from a \
                 browser; try another CA."
            )
            .into(),
            ProbeFailure::HttpStatus(404 | 410) => {
                crate::t!("Check the URL: the CA has no directory there.").into()
            }
            ProbeFailure::HttpStatus(429) => crate::t!(
                "The CA is limiting requests from your address; wait a few minutes and try again."
            )
            .into(),
            ProbeFailure::HttpStatus(status) if *status >= 500 => {
                crate::t!("The CA has a problem right now; try again later.").into()
            }
            ProbeFailure::HttpStatus(_) => crate::t!(
                "Check the URL; if it is right, the CA refuses this request, so try again later."
            )
            .into(),
        }
    }
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.url;
        let text = match &self.kind {
            ProbeFailure::InvalidUrl(why) => crate::t!(
                "{url} is not a usable directory URL: {why}",
                url = format!("{url:?}"),
                why = why
            ),
            ProbeFailure::UnreachableOrUntrusted => crate::t!(
                "{url} did not answer: the network is down, the host name is wrong, or this browser does not \
                 trust the server's TLS certificate (a web page cannot tell these apart)",
                url = url
            ),
            ProbeFailure::CorsBlocked => crate::t!(
                "{url} answers, but does not allow web pages to read its answers (no CORS headers)",
                url = url
            ),
            ProbeFailure::NotAcme(what) => crate::t!(
                "{url} is not an ACME directory: {why}",
                url = url,
                why = what
            ),
            ProbeFailure::HeadersHidden(headers) if headers.len() == 1 => crate::t!(
                "{url} hides the {header} header from web pages (the CA's Access-Control-Expose-Headers does \
                 not list it), and ACME cannot work without it",
                url = url,
                header = headers.join(", ")
            ),
            ProbeFailure::HeadersHidden(headers) => crate::t!(
                "{url} hides the {headers} headers from web pages (the CA's Access-Control-Expose-Headers \
                 does not list them), and ACME cannot work without them",
                url = url,
                headers = headers.join(", ")
            ),
            ProbeFailure::HttpStatus(status) => crate::t!(
                "{url} answered with HTTP {status}",
                url = url,
                status = status
            ),
        };
        f.write_str(&text)
    }
}

impl std::error::Error for ProbeError {}

/// Checks a directory URL without fetching it: https://, or http:// only for localhost / 127.0.0.1.
pub fn check_directory_url(directory_url: &str) -> Result<(), String> {
    js::check_service_url(directory_url).map(|_| ())
}

/// What a successful probe read: the directory, and the nonce newNonce gave (RFC 8555 §7.2), which the
/// page's client uses for its first request instead of asking again.
#[derive(Clone, Debug, PartialEq)]
pub struct Probed {
    pub directory: Directory,
    pub nonce: String,
}

/// Fetches and checks the directory of the CA at `directory_url`, as [`crate::acme::client::Client`] will use it.
pub async fn probe_ca(directory_url: &str) -> Result<Probed, ProbeError> {
    let url = directory_url.trim();
    js::check_service_url(url)
        .map_err(|why| ProbeError::new(ProbeFailure::InvalidUrl(why), url, ""))?;
    let http = FetchHttp::default();

    let response = send_or_classify(&http, HttpRequest::get(url)).await?;
    if !response.is_success() {
        return Err(ProbeError::new(
            ProbeFailure::HttpStatus(response.status),
            url,
            excerpt(&response),
        ));
    }
    let directory = parse_directory(&response).map_err(|why| {
        let detail = excerpt(&response);
        ProbeError::new(ProbeFailure::NotAcme(why), url, detail)
    })?;

    let nonce_url = directory.new_nonce.as_str();
    let nonce = send_or_classify(&http, HttpRequest::head(nonce_url)).await?;
    if !nonce.is_success() {
        return Err(ProbeError::new(
            ProbeFailure::HttpStatus(nonce.status),
            nonce_url,
            "",
        ));
    }
    let Some(nonce) = nonce.header("replay-nonce").filter(|n| !n.is_empty()) else {
        return Err(ProbeError::new(
            ProbeFailure::HeadersHidden(vec!["Replay-Nonce".into()]),
            nonce_url,
            "",
        ));
    };
    Ok(Probed {
        nonce: nonce.to_string(),
        directory,
    })
}

/// Sends a CORS request; when it fails, asks again in no-cors mode to tell CORS from the rest.
async fn send_or_classify(
    http: &FetchHttp,
    request: HttpRequest,
) -> Result<HttpResponse, ProbeError> {
    let first: TransportError = match http.send(request.clone()).await {
        Ok(response) => return Ok(response),
        Err(e) => e,
    };
    let url = request.url.as_str();
    // no-cors allows only GET, HEAD and POST with simple headers; both our probes qualify.
    match fetch::fetch(&request, RequestMode::NoCors, http.timeout()).await {
        Ok(_opaque) => Err(ProbeError::new(
            ProbeFailure::CorsBlocked,
            url,
            first.detail,
        )),
        Err(_) => {
            let mut detail = first.detail;
            if js::cross_origin_isolated() {
                detail.push_str(
                    " (this page is cross-origin isolated, so a server that only lacks CORS headers looks \
                     the same)",
                );
            }
            Err(ProbeError::new(
                ProbeFailure::UnreachableOrUntrusted,
                url,
                detail,
            ))
        }
    }
}

/// The directory, or why this is not one.
fn parse_directory(response: &HttpResponse) -> Result<Directory, String> {
    let text = response.body_text();
    let trimmed = text.trim_start();
    if trimmed.is_empty() {
        return Err(crate::t!("the answer is empty").into());
    }
    if trimmed.starts_with('<') {
        return Err(crate::t!("the answer is a web page (HTML), not a JSON directory").into());
    }
    let value: serde_json::Value = crate::json::from_text(trimmed)
        .map_err(|e| crate::t!("the answer is not JSON ({why})", why = e))?;
    if !value.is_object() {
        return Err(crate::t!("the answer is JSON but not an object").into());
    }
    let missing: Vec<&str> = ["newNonce", "newAccount", "newOrder"]
        .into_iter()
        .filter(|k| !value.get(*k).is_some_and(serde_json::Value::is_string))
        .collect();
    if !missing.is_empty() {
        return Err(crate::t!("it has no {fields}", fields = missing.join(", ")));
    }
    let directory: Directory = crate::json::from_text(trimmed)
        .map_err(|e| crate::t!("it is incomplete ({why})", why = e))?;
    for (name, endpoint) in [
        ("newNonce", &directory.new_nonce),
        ("newAccount", &directory.new_account),
        ("newOrder", &directory.new_order),
    ] {
        if js::check_service_url(endpoint).is_err() {
            return Err(crate::t!(
                "its {field} {url} is not an https:// URL",
                field = name,
                url = format!("{endpoint:?}")
            ));
        }
    }
    Ok(directory)
}

fn excerpt(response: &HttpResponse) -> String {
    let text = response.body_text();
    let mut cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}
