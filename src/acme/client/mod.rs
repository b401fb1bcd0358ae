//! The ACME client handle: the only part of the core that does I/O, and only through [`HttpClient`].
//! This file holds the handle and the request machinery of RFC 8555 §6 (JWS, nonces, retries, errors,
//! the observer); the resources it speaks to are in `accounts`, `orders` and `revocation`.
//!
//! It keeps the directory, a nonce cache fed by every response's Replay-Nonce (so HEAD newNonce happens
//! only when the cache is empty, RFC 8555 §7.2), request counters, and an observer that sees every exchange
//! for the protocol log. Everything the flow produces (accounts, orders, authorizations) is a plain
//! serializable value the caller keeps; the handle itself holds nothing that must survive a reload.

mod accounts;
mod orders;
mod revocation;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::acme::account::AccountCredentials;
use crate::acme::directory::Directory;
use crate::acme::error::Error;
use crate::acme::jws::{self, Jws, KeyRef, LocalSigner, Payload, Signer};
use crate::acme::poll;
use crate::acme::problem::Problem;
use crate::acme::transport::{self, HttpClient, HttpRequest, HttpResponse};
use crate::pki::key::PrivateKey;

/// How many times a request rejected with badNonce is sent again with a fresh nonce before giving up.
/// Each retry uses the nonce the error response carried, so it costs one request, no newNonce.
pub const DEFAULT_BAD_NONCE_RETRIES: u32 = 10;

/// One request and its answer, as the protocol log shows it. Holds only what crossed the wire in the
/// clear: the decoded protected header and payload, never a private key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Exchange {
    /// What the request was for: "newNonce", "newOrder", "authorization", …
    pub kind: String,
    pub method: String,
    pub url: String,
    /// `None` when no HTTP answer arrived.
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protected: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Value>,
    /// The response headers that matter to ACME (Location, Replay-Nonce, Retry-After, Link, Content-Type).
    #[serde(default)]
    pub response_headers: Vec<(String, String)>,
    /// The response body as text, cut at [`LOG_BODY_LIMIT`] bytes.
    #[serde(default)]
    pub response_body: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transport_error: Option<String>,
}

/// How much of a response body the log keeps: enough for any ACME object or certificate chain.
pub const LOG_BODY_LIMIT: usize = 32 * 1024;
const LOGGED_HEADERS: [&str; 5] = [
    "location",
    "replay-nonce",
    "retry-after",
    "link",
    "content-type",
];

/// Requests made, by kind, and the retries among them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub requests: BTreeMap<String, u32>,
    pub bad_nonce_retries: u32,
    pub server_error_retries: u32,
}

impl Stats {
    pub fn total(&self) -> u32 {
        self.requests.values().sum()
    }
}

/// A certificate chain as downloaded (RFC 8555 §7.4.2), with the URLs of the alternate chains the CA
/// offered through `Link: rel="alternate"`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateChain {
    pub url: String,
    pub pem: String,
    pub alternates: Vec<String>,
}

/// Revocation reasons a subscriber may give (RFC 5280 §5.3.1, as RFC 8555 §7.6 uses them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevocationReason {
    Unspecified = 0,
    KeyCompromise = 1,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
}

crate::json::wire_names!(RevocationReason {
    Unspecified = "unspecified",
    KeyCompromise = "keyCompromise",
    AffiliationChanged = "affiliationChanged",
    Superseded = "superseded",
    CessationOfOperation = "cessationOfOperation",
});

/// Who signs a revocation request (§7.6): the account that ordered the certificate, or the holder of the
/// certificate's private key (with a `jwk` header).
#[derive(Clone, Copy, Debug)]
pub enum Revoker<'a> {
    Account(&'a AccountCredentials),
    CertificateKey(&'a PrivateKey),
}

type Observer = Rc<dyn Fn(&Exchange)>;

/// The ACME client. Generic over the transport, so the same code runs over fetch, a native client, or a
/// test script, and over who signs its requests ([`Signer`]: this crate, or WebCrypto in the page).
pub struct Client<H, S = LocalSigner> {
    http: H,
    signer: S,
    directory: Directory,
    directory_url: String,
    nonces: RefCell<Vec<String>>,
    stats: RefCell<Stats>,
    observer: Option<Observer>,
    bad_nonce_retries: u32,
    /// Where requests may go: the directory's origin and those of the resources it names.
    allowed_origins: Vec<String>,
}

impl<H: HttpClient> Client<H> {
    /// Fetches the directory (§7.1.1) and returns a client for that CA, signing with [`LocalSigner`].
    pub async fn new(http: H, directory_url: &str) -> Result<Self, Error> {
        Self::with_observer(http, directory_url, None).await
    }

    /// Like [`Client::new`], with an observer that sees every exchange, the directory fetch included.
    pub async fn with_observer(
        http: H,
        directory_url: &str,
        observer: Option<Observer>,
    ) -> Result<Self, Error> {
        Self::with_signer(http, LocalSigner, directory_url, observer).await
    }

    /// A client for a directory already fetched (e.g. kept in the app's state), signing with
    /// [`LocalSigner`].
    pub fn from_directory(http: H, directory_url: &str, directory: Directory) -> Self {
        Self::from_directory_with_signer(http, LocalSigner, directory_url, directory)
    }
}

impl<H: HttpClient, S: Signer> Client<H, S> {
    /// Like [`Client::with_observer`], with requests signed by `signer`.
    pub async fn with_signer(
        http: H,
        signer: S,
        directory_url: &str,
        observer: Option<Observer>,
    ) -> Result<Self, Error> {
        let placeholder = Directory {
            new_nonce: String::new(),
            new_account: String::new(),
            new_order: String::new(),
            new_authz: None,
            revoke_cert: String::new(),
            key_change: String::new(),
            renewal_info: None,
            meta: Default::default(),
        };
        let mut client =
            Client::from_directory_with_signer(http, signer, directory_url, placeholder);
        client.observer = observer;
        let response = client
            .send("directory", HttpRequest::get(directory_url), None)
            .await?;
        client.directory = client.json("directory", directory_url, &response)?;
        client.allowed_origins = allowed_origins(directory_url, &client.directory);
        Ok(client)
    }

    /// Like [`Client::from_directory`], with requests signed by `signer`.
    pub fn from_directory_with_signer(
        http: H,
        signer: S,
        directory_url: &str,
        directory: Directory,
    ) -> Self {
        Client {
            http,
            signer,
            allowed_origins: allowed_origins(directory_url, &directory),
            directory,
            directory_url: directory_url.to_string(),
            nonces: RefCell::new(Vec::new()),
            stats: RefCell::new(Stats::default()),
            observer: None,
            bad_nonce_retries: DEFAULT_BAD_NONCE_RETRIES,
        }
    }

    pub fn set_observer(&mut self, observer: Option<Observer>) {
        self.observer = observer;
    }

    pub fn set_bad_nonce_retries(&mut self, retries: u32) {
        self.bad_nonce_retries = retries;
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub fn directory_url(&self) -> &str {
        &self.directory_url
    }

    pub fn stats(&self) -> Stats {
        self.stats.borrow().clone()
    }

    pub fn http(&self) -> &H {
        &self.http
    }

    async fn post_as_get(
        &self,
        kind: &str,
        account: &AccountCredentials,
        url: &str,
    ) -> Result<HttpResponse, Error> {
        self.post(
            kind,
            url,
            &account.key,
            KeyRef::Kid(&account.url),
            Payload::PostAsGet,
        )
        .await
    }

    async fn post_kid(
        &self,
        kind: &str,
        account: &AccountCredentials,
        url: &str,
        payload: &Value,
    ) -> Result<HttpResponse, Error> {
        self.post(
            kind,
            url,
            &account.key,
            KeyRef::Kid(&account.url),
            Payload::Json(payload),
        )
        .await
    }

    async fn post(
        &self,
        kind: &str,
        url: &str,
        key: &PrivateKey,
        key_ref: KeyRef<'_>,
        payload: Payload<'_>,
    ) -> Result<HttpResponse, Error> {
        self.post_with_retries(kind, url, key, key_ref, payload, None)
            .await
    }

    /// Signs and sends one POST, retrying transparently on badNonce (§6.5, with the nonce the error
    /// carried: the CA refused it before acting) up to the configured bound. A POST-as-GET is also sent
    /// once more after a bare 5xx without Retry-After (a proxy hiccup); a POST that changes state is not,
    /// since the CA may have acted on it: its caller reads the state back instead.
    async fn post_with_retries(
        &self,
        kind: &str,
        url: &str,
        key: &PrivateKey,
        key_ref: KeyRef<'_>,
        payload: Payload<'_>,
        accept: Option<&'static str>,
    ) -> Result<HttpResponse, Error> {
        let mut bad_nonces = 0;
        let mut server_retries = 0;
        loop {
            let nonce = self.nonce().await?;
            let signed = jws::sign(&self.signer, key, key_ref, url, Some(&nonce), payload).await?;
            let body = serde_json::to_string(&signed).map_err(|e| internal(kind, e))?;
            let request = HttpRequest {
                accept,
                ..HttpRequest::post(url, body)
            };
            let response = self.send(kind, request, Some(&signed)).await?;
            if response.is_success() {
                return Ok(response);
            }
            let error = self.problem_error(kind, url, &response);
            match &error {
                Error::Acme { problem, .. } if problem.is_bad_nonce() => {
                    if bad_nonces >= self.bad_nonce_retries {
                        let problem = problem.clone();
                        return Err(Error::BadNonceExhausted {
                            request: kind.to_string(),
                            retries: bad_nonces,
                            problem,
                        });
                    }
                    bad_nonces += 1;
                    self.stats.borrow_mut().bad_nonce_retries += 1;
                }
                _ if is_transient(&response)
                    && server_retries == 0
                    && matches!(payload, Payload::PostAsGet) =>
                {
                    server_retries += 1;
                    self.stats.borrow_mut().server_error_retries += 1;
                }
                _ => return Err(error),
            }
        }
    }

    /// A nonce from the cache, or from newNonce when the cache is empty (§7.2).
    async fn nonce(&self) -> Result<String, Error> {
        if let Some(nonce) = self.nonces.borrow_mut().pop() {
            return Ok(nonce);
        }
        let url = self.directory.new_nonce.clone();
        let response = self.send("newNonce", HttpRequest::head(&url), None).await?;
        if !response.is_success() {
            return Err(self.problem_error("newNonce", &url, &response));
        }
        self.nonces.borrow_mut().pop().ok_or(Error::MissingHeader {
            request: "newNonce".into(),
            header: "Replay-Nonce",
        })
    }

    /// Sends one request, feeds the nonce cache, counts it, and shows it to the observer.
    async fn send(
        &self,
        kind: &str,
        request: HttpRequest,
        signed: Option<&Jws>,
    ) -> Result<HttpResponse, Error> {
        // The directory URL is the person's choice; every other URL came from the CA and is checked.
        let refusal = if kind == "directory" {
            (!transport::is_safe_scheme(&request.url)).then(|| {
                crate::t!("it uses plain http:// for a host that is not this machine").to_string()
            })
        } else {
            transport::refuse_ca_url(&request.url, &self.allowed_origins)
        };
        if let Some(reason) = refusal {
            return Err(Error::UnsafeUrl {
                request: kind.to_string(),
                url: request.url,
                reason,
            });
        }
        *self
            .stats
            .borrow_mut()
            .requests
            .entry(kind.to_string())
            .or_default() += 1;
        let mut exchange = Exchange {
            kind: kind.to_string(),
            method: request.method.as_str().to_string(),
            url: request.url.clone(),
            status: None,
            protected: signed.and_then(Jws::protected_header),
            payload: signed.and_then(Jws::payload_json),
            response_headers: Vec::new(),
            response_body: String::new(),
            transport_error: None,
        };
        let result = self.http.send(request).await;
        match &result {
            Ok(response) => {
                self.remember_nonce(response);
                exchange.status = Some(response.status);
                exchange.response_headers = logged_headers(response);
                exchange.response_body = truncated_body(response);
            }
            Err(e) => exchange.transport_error = Some(e.to_string()),
        }
        if let Some(observer) = &self.observer {
            observer(&exchange);
        }
        let response = result?;
        if response.body.len() > transport::MAX_BODY {
            return Err(Error::TooLarge {
                request: kind.to_string(),
                url: exchange.url,
                bytes: response.body.len(),
                limit: transport::MAX_BODY,
            });
        }
        Ok(response)
    }

    fn remember_nonce(&self, response: &HttpResponse) {
        if let Some(nonce) = response.header("replay-nonce") {
            // §6.5.1: a nonce is base64url; anything else would only be rejected later.
            let nonce = nonce.trim();
            if !nonce.is_empty()
                && nonce
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                self.nonces.borrow_mut().push(nonce.to_string());
            }
        }
    }

    /// The Location of a reply, resolved against the request's URL (it may be relative).
    fn location(&self, kind: &str, url: &str, response: &HttpResponse) -> Result<String, Error> {
        response
            .header("location")
            .map(|location| transport::resolve_url(url, location))
            .ok_or(Error::MissingHeader {
                request: kind.to_string(),
                header: "Location",
            })
    }

    fn json<T: DeserializeOwned>(
        &self,
        kind: &str,
        url: &str,
        response: &HttpResponse,
    ) -> Result<T, Error> {
        if !response.is_success() {
            return Err(self.problem_error(kind, url, response));
        }
        serde_json::from_slice(&response.body)
            .map_err(|e| self.unexpected(kind, url, response, describe_bad_json(response, &e)))
    }

    /// Turns an error response into [`Error::Acme`], or [`Error::UnexpectedReply`] when it carries no problem
    /// document. The response's Retry-After is attached to the problem (rateLimited, §6.6).
    fn problem_error(&self, kind: &str, url: &str, response: &HttpResponse) -> Error {
        match serde_json::from_slice::<Problem>(&response.body) {
            Ok(mut problem) if problem.type_uri.is_some() || problem.detail.is_some() => {
                problem.retry_after = poll::retry_after_by_server_clock(response);
                Error::Acme {
                    request: kind.to_string(),
                    status: response.status,
                    problem: Box::new(problem),
                }
            }
            _ => {
                let reason = crate::t!(
                    "an error without a problem document: {excerpt}",
                    excerpt = excerpt(&response.body_text())
                );
                self.unexpected(kind, url, response, reason)
            }
        }
    }

    fn unexpected(&self, kind: &str, url: &str, response: &HttpResponse, reason: String) -> Error {
        Error::UnexpectedReply {
            request: kind.to_string(),
            url: url.to_string(),
            status: response.status,
            reason,
            retry_after: poll::retry_after_by_server_clock(response),
        }
    }
}

/// The origins requests may go to: the directory's, and those of every resource it names (a CA may
/// serve ARI or newNonce from another host, as the directory says).
fn allowed_origins(directory_url: &str, directory: &Directory) -> Vec<String> {
    let named = [
        Some(directory_url),
        Some(directory.new_nonce.as_str()),
        Some(directory.new_account.as_str()),
        Some(directory.new_order.as_str()),
        directory.new_authz.as_deref(),
        Some(directory.revoke_cert.as_str()),
        Some(directory.key_change.as_str()),
        directory.renewal_info.as_deref(),
    ];
    let mut origins: Vec<String> = named
        .into_iter()
        .flatten()
        .filter_map(transport::origin)
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

/// A 5xx worth one immediate retry: no Retry-After asked us to wait longer.
fn is_transient(response: &HttpResponse) -> bool {
    matches!(response.status, 500 | 502 | 503 | 504) && response.header("retry-after").is_none()
}

fn describe_bad_json(response: &HttpResponse, error: &serde_json::Error) -> String {
    let text = response.body_text();
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        crate::t!(
            "an HTML page instead of JSON (a proxy, captive portal or wrong URL?): {excerpt}",
            excerpt = excerpt(trimmed)
        )
    } else if trimmed.is_empty() {
        crate::t!("an empty body where a JSON object was expected").to_string()
    } else {
        crate::t!(
            "the JSON is not a valid ACME object ({error}): {excerpt}",
            error = error,
            excerpt = excerpt(trimmed)
        )
    }
}

fn excerpt(text: &str) -> String {
    let mut cut: String = text.chars().take(200).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    cut
}

fn logged_headers(response: &HttpResponse) -> Vec<(String, String)> {
    response
        .headers
        .iter()
        .filter(|(name, _)| LOGGED_HEADERS.iter().any(|h| name.eq_ignore_ascii_case(h)))
        .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
        .collect()
}

fn truncated_body(response: &HttpResponse) -> String {
    let text = response.body_text();
    if text.len() <= LOG_BODY_LIMIT {
        return text;
    }
    let mut end = LOG_BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    crate::t!(
        "{start}… ({bytes} bytes in all)",
        start = &text[..end],
        bytes = crate::i18n::number(text.len() as u64)
    )
}

/// Serializing our own request structs cannot fail; if it ever does, say so rather than panic.
fn internal(request: &str, e: serde_json::Error) -> Error {
    Error::Internal {
        request: request.to_string(),
        detail: e.to_string(),
    }
}
