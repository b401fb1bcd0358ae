//! The ACME client handle: the only part of the core that does I/O, and only through [`HttpClient`].
//!
//! It keeps the directory, a nonce cache fed by every response's Replay-Nonce (so HEAD newNonce happens
//! only when the cache is empty, RFC 8555 §7.2), request counters, and an observer that sees every exchange
//! for the protocol log. Everything the flow produces (accounts, orders, authorizations) is a plain
//! serializable value the caller keeps; the handle itself holds nothing that must survive a reload.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::SystemTime;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::acme::account::{Account, AccountCredentials, NewAccount};
use crate::acme::ari::RenewalInfo;
use crate::acme::authorization::{Authorization, Challenge};
use crate::acme::directory::Directory;
use crate::acme::error::Error;
use crate::acme::flow::{Answered, Reply, Request};
use crate::acme::jws::{self, ExternalAccountKey, Jws, KeyRef, Payload};
use crate::acme::order::{NewOrder, Order, OrderHandle, OrderStatus};
use crate::acme::poll;
use crate::acme::problem::Problem;
use crate::acme::transport::{self, HttpClient, HttpRequest, HttpResponse, PEM_CHAIN};
use crate::b64;
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RevocationReason {
    Unspecified = 0,
    KeyCompromise = 1,
    AffiliationChanged = 3,
    Superseded = 4,
    CessationOfOperation = 5,
}

/// Who signs a revocation request (§7.6): the account that ordered the certificate, or the holder of the
/// certificate's private key (with a `jwk` header).
#[derive(Clone, Copy, Debug)]
pub enum Revoker<'a> {
    Account(&'a AccountCredentials),
    CertificateKey(&'a PrivateKey),
}

type Observer = Rc<dyn Fn(&Exchange)>;

/// The ACME client. Generic over the transport, so the same code runs over fetch, a native client, or a
/// test script.
pub struct Client<H> {
    http: H,
    directory: Directory,
    directory_url: String,
    nonces: RefCell<Vec<String>>,
    stats: RefCell<Stats>,
    observer: Option<Observer>,
    bad_nonce_retries: u32,
}

impl<H: HttpClient> Client<H> {
    /// Fetches the directory (§7.1.1) and returns a client for that CA.
    pub async fn new(http: H, directory_url: &str) -> Result<Self, Error> {
        Self::with_observer(http, directory_url, None).await
    }

    /// Like [`Client::new`], with an observer that sees every exchange, the directory fetch included.
    pub async fn with_observer(
        http: H,
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
        let mut client = Client::from_directory(http, directory_url, placeholder);
        client.observer = observer;
        let response = client
            .send("directory", HttpRequest::get(directory_url), None)
            .await?;
        client.directory = client.json("directory", directory_url, &response)?;
        Ok(client)
    }

    /// A client for a directory already fetched (e.g. kept in the app's state).
    pub fn from_directory(http: H, directory_url: &str, directory: Directory) -> Self {
        Client {
            http,
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

    // ----- accounts (§7.3) -----

    /// Creates an account for `key` (§7.3), or returns the existing one for that key (the CA answers 200
    /// with its URL). `eab` is required when the directory's meta says `externalAccountRequired`.
    pub async fn new_account(
        &self,
        key: &PrivateKey,
        request: &NewAccount,
        eab: Option<&ExternalAccountKey>,
    ) -> Result<(AccountCredentials, Account), Error> {
        let mut payload = serde_json::to_value(request).map_err(|e| internal("newAccount", e))?;
        if let Some(eab) = eab {
            let binding = eab.binding(key, &self.directory.new_account)?;
            payload["externalAccountBinding"] =
                serde_json::to_value(binding).map_err(|e| internal("newAccount", e))?;
        }
        let url = self.directory.new_account.clone();
        let response = self
            .post(
                "newAccount",
                &url,
                key,
                KeyRef::Jwk,
                Payload::Json(&payload),
            )
            .await?;
        let account_url = self.location("newAccount", &url, &response)?;
        let account = self.json("newAccount", &url, &response)?;
        Ok((
            AccountCredentials {
                url: account_url,
                key: key.clone(),
            },
            account,
        ))
    }

    /// Finds the account of an existing key without creating one (§7.3.1, onlyReturnExisting); a key with
    /// no account gives the CA's accountDoesNotExist problem.
    pub async fn find_account(
        &self,
        key: &PrivateKey,
    ) -> Result<(AccountCredentials, Account), Error> {
        self.new_account(
            key,
            &NewAccount {
                only_return_existing: true,
                ..NewAccount::default()
            },
            None,
        )
        .await
    }

    /// Fetches the account object (POST-as-GET to the account URL).
    pub async fn fetch_account(&self, account: &AccountCredentials) -> Result<Account, Error> {
        let response = self.post_as_get("account", account, &account.url).await?;
        self.json("account", &account.url, &response)
    }

    /// Replaces the account's contacts (§7.3.2).
    pub async fn update_contacts(
        &self,
        account: &AccountCredentials,
        contact: &[String],
    ) -> Result<Account, Error> {
        let payload = json!({ "contact": contact });
        let response = self
            .post_kid("account", account, &account.url, &payload)
            .await?;
        self.json("account", &account.url, &response)
    }

    /// Rolls the account over to `new_key` (§7.3.5): an inner JWS signed by the new key, carried in an
    /// outer JWS signed by the old one. Returns the credentials to use from now on.
    pub async fn key_change(
        &self,
        account: &AccountCredentials,
        new_key: &PrivateKey,
    ) -> Result<AccountCredentials, Error> {
        let url = self.directory.key_change.clone();
        let inner_payload = json!({ "account": account.url, "oldKey": account.key.public_jwk() });
        let inner = jws::sign(
            new_key,
            KeyRef::Jwk,
            &url,
            None,
            Payload::Json(&inner_payload),
        )?;
        let outer_payload = serde_json::to_value(inner).map_err(|e| internal("keyChange", e))?;
        self.post_kid("keyChange", account, &url, &outer_payload)
            .await?;
        Ok(AccountCredentials {
            url: account.url.clone(),
            key: new_key.clone(),
        })
    }

    /// Deactivates the account (§7.3.6); the CA refuses every later request signed by it.
    pub async fn deactivate_account(&self, account: &AccountCredentials) -> Result<Account, Error> {
        let response = self
            .post_kid(
                "account",
                account,
                &account.url,
                &json!({ "status": "deactivated" }),
            )
            .await?;
        self.json("account", &account.url, &response)
    }

    // ----- orders (§7.4) -----

    /// Places an order (§7.4).
    pub async fn new_order(
        &self,
        account: &AccountCredentials,
        request: &NewOrder,
    ) -> Result<OrderHandle, Error> {
        let url = self.directory.new_order.clone();
        let payload = serde_json::to_value(request).map_err(|e| internal("newOrder", e))?;
        let response = self.post_kid("newOrder", account, &url, &payload).await?;
        let order_url = self.location("newOrder", &url, &response)?;
        let order = self.json("newOrder", &url, &response)?;
        Ok(OrderHandle {
            url: order_url,
            order,
        })
    }

    /// Fetches an order's current state.
    pub async fn fetch_order(
        &self,
        account: &AccountCredentials,
        url: &str,
    ) -> Result<Order, Error> {
        let response = self.post_as_get("order", account, url).await?;
        self.json("order", url, &response)
    }

    /// Fetches one authorization (§7.5).
    pub async fn fetch_authorization(
        &self,
        account: &AccountCredentials,
        url: &str,
    ) -> Result<Authorization, Error> {
        let response = self.post_as_get("authorization", account, url).await?;
        self.json("authorization", url, &response)
    }

    /// Tells the CA the challenge is ready to be checked (§7.5.1): POST `{}` to the challenge URL.
    pub async fn respond_to_challenge(
        &self,
        account: &AccountCredentials,
        url: &str,
    ) -> Result<Challenge, Error> {
        let response = self.post_kid("challenge", account, url, &json!({})).await?;
        self.json("challenge", url, &response)
    }

    /// Deactivates an authorization (§7.5.2), e.g. one the user no longer wants to prove.
    pub async fn deactivate_authorization(
        &self,
        account: &AccountCredentials,
        url: &str,
    ) -> Result<Authorization, Error> {
        let response = self
            .post_kid(
                "authorization",
                account,
                url,
                &json!({ "status": "deactivated" }),
            )
            .await?;
        self.json("authorization", url, &response)
    }

    /// Finalizes a ready order with a DER CSR (§7.4). The returned order is usually `processing` or
    /// already `valid`; poll it until it settles.
    pub async fn finalize(
        &self,
        account: &AccountCredentials,
        order: &Order,
        csr_der: &[u8],
    ) -> Result<Order, Error> {
        if order.status != OrderStatus::Ready {
            return Err(Error::NotReady(format!(
                "the order is {:?}, not ready: every authorization must be valid before finalizing",
                order.status
            )));
        }
        let payload = json!({ "csr": b64::encode(csr_der) });
        let response = self
            .post_kid("finalize", account, &order.finalize, &payload)
            .await?;
        self.json("finalize", &order.finalize, &response)
    }

    /// Downloads a certificate chain (§7.4.2) as PEM, with the alternate chains offered in Link headers.
    pub async fn download_certificate(
        &self,
        account: &AccountCredentials,
        url: &str,
    ) -> Result<CertificateChain, Error> {
        let response = self
            .post_with_retries(
                "certificate",
                url,
                &account.key,
                KeyRef::Kid(&account.url),
                Payload::PostAsGet,
                Some(PEM_CHAIN),
            )
            .await?;
        let pem = String::from_utf8(response.body.clone()).map_err(|_| {
            self.unexpected(
                "certificate",
                url,
                &response,
                "the certificate chain is not text".into(),
            )
        })?;
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(self.unexpected(
                "certificate",
                url,
                &response,
                "the reply holds no PEM certificate".into(),
            ));
        }
        let alternates = transport::links(&response)
            .into_iter()
            .filter(|(_, rel)| rel == "alternate")
            .map(|(link, _)| transport::resolve_url(url, &link))
            .collect();
        Ok(CertificateChain {
            url: url.to_string(),
            pem,
            alternates,
        })
    }

    // ----- the issuance flow's requests -----

    /// Sends one request of the issuance flow ([`crate::acme::flow`]) and returns what the CA answered,
    /// with its Retry-After measured from `now`.
    pub async fn execute(
        &self,
        account: &AccountCredentials,
        request: &Request,
        now: SystemTime,
    ) -> Result<Answered, Error> {
        let kind = request.kind();
        let (reply, response) = match request {
            Request::NewOrder(new_order) => {
                let url = self.directory.new_order.clone();
                let payload = serde_json::to_value(new_order).map_err(|e| internal(kind, e))?;
                let response = self.post_kid(kind, account, &url, &payload).await?;
                let order_url = self.location(kind, &url, &response)?;
                let mut order: Order = self.json(kind, &url, &response)?;
                order.resolve_urls(&order_url);
                (
                    Reply::Order {
                        url: order_url,
                        order,
                    },
                    response,
                )
            }
            Request::Authorization { url } => {
                let response = self.post_as_get(kind, account, url).await?;
                let mut authorization: Authorization = self.json(kind, url, &response)?;
                authorization.resolve_urls(url);
                let reply = Reply::Authorization {
                    url: url.clone(),
                    authorization,
                };
                (reply, response)
            }
            Request::Answer { challenge_url, .. } => {
                let response = self
                    .post_kid(kind, account, challenge_url, &json!({}))
                    .await?;
                (
                    Reply::Challenge(self.json(kind, challenge_url, &response)?),
                    response,
                )
            }
            Request::Order { url } => {
                let response = self.post_as_get(kind, account, url).await?;
                let mut order: Order = self.json(kind, url, &response)?;
                order.resolve_urls(url);
                (
                    Reply::Order {
                        url: url.clone(),
                        order,
                    },
                    response,
                )
            }
            Request::Finalize {
                order_url,
                finalize_url,
                csr,
            } => {
                let payload = json!({ "csr": b64::encode(csr) });
                let response = self.post_kid(kind, account, finalize_url, &payload).await?;
                let mut order: Order = self.json(kind, finalize_url, &response)?;
                order.resolve_urls(order_url);
                let reply = Reply::Order {
                    url: order_url.clone(),
                    order,
                };
                (reply, response)
            }
            Request::Certificate { url } => {
                let chain = self.download_certificate(account, url).await?;
                (Reply::Certificate(chain), HttpResponse::default())
            }
        };
        Ok(Answered {
            reply,
            retry_after: poll::retry_after(&response, now),
        })
    }

    /// Takes a nonce obtained outside the client (the page's CA probe asks newNonce once), so the first
    /// request needs no newNonce of its own (§7.2).
    pub fn add_nonce(&self, nonce: &str) {
        self.remember_nonce(&HttpResponse {
            status: 200,
            headers: vec![("replay-nonce".into(), nonce.into())],
            body: Vec::new(),
        });
    }

    // ----- revocation (§7.6) and renewal information (RFC 9773) -----

    /// Revokes a certificate (DER), signed by its account or by its own key.
    pub async fn revoke_certificate(
        &self,
        revoker: Revoker<'_>,
        certificate_der: &[u8],
        reason: Option<RevocationReason>,
    ) -> Result<(), Error> {
        let mut payload = json!({ "certificate": b64::encode(certificate_der) });
        if let Some(reason) = reason {
            payload["reason"] = json!(reason as u8);
        }
        let url = self.directory.revoke_cert.clone();
        let (key, key_ref) = match revoker {
            Revoker::Account(account) => (&account.key, KeyRef::Kid(&account.url)),
            Revoker::CertificateKey(key) => (key, KeyRef::Jwk),
        };
        self.post("revokeCert", &url, key, key_ref, Payload::Json(&payload))
            .await?;
        Ok(())
    }

    /// Fetches the CA's renewal suggestion for a certificate (RFC 9773 §4.1), by its CertID.
    pub async fn renewal_info(&self, cert_id: &str, now: SystemTime) -> Result<RenewalInfo, Error> {
        let base = self
            .directory
            .renewal_info
            .as_deref()
            .ok_or(Error::Unsupported("renewal information (ARI, RFC 9773)"))?;
        let url = format!("{}/{cert_id}", base.trim_end_matches('/'));
        let response = self
            .send("renewalInfo", HttpRequest::get(&url), None)
            .await?;
        if !response.is_success() {
            return Err(self.problem_error("renewalInfo", &url, &response));
        }
        let mut info: RenewalInfo = self.json("renewalInfo", &url, &response)?;
        info.window()?;
        info.retry_after = poll::retry_after(&response, now);
        Ok(info)
    }

    // ----- the request machinery (§6) -----

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
            let signed = jws::sign(key, key_ref, url, Some(&nonce), payload)?;
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
        Ok(result?)
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
                let reason = format!(
                    "an error without a problem document: {}",
                    excerpt(&response.body_text())
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

/// A 5xx worth one immediate retry: no Retry-After asked us to wait longer.
fn is_transient(response: &HttpResponse) -> bool {
    matches!(response.status, 500 | 502 | 503 | 504) && response.header("retry-after").is_none()
}

fn describe_bad_json(response: &HttpResponse, error: &serde_json::Error) -> String {
    let text = response.body_text();
    let trimmed = text.trim_start();
    if trimmed.starts_with('<') {
        format!(
            "an HTML page instead of JSON (a proxy, captive portal or wrong URL?): {}",
            excerpt(trimmed)
        )
    } else if trimmed.is_empty() {
        "an empty body where a JSON object was expected".to_string()
    } else {
        format!(
            "the JSON is not a valid ACME object ({error}): {}",
            excerpt(trimmed)
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
    format!("{}… ({} bytes in all)", &text[..end], text.len())
}

/// Serializing our own request structs cannot fail; if it ever does, say so rather than panic.
fn internal(request: &str, e: serde_json::Error) -> Error {
    Error::Internal {
        request: request.to_string(),
        detail: e.to_string(),
    }
}
