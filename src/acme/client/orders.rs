//! Orders (RFC 8555 §7.4 and §7.5): the requests of the issuance flow, sent through one `execute`, and
//! the same requests one by one for the tests and the inspector (newOrder, reading an order or
//! authorization, deactivating an authorization, downloading a chain). Both read an order or an
//! authorization through the same two functions, which resolve the URLs in it against its own.

use std::time::SystemTime;

use serde_json::json;

use super::CertificateChain;
use super::{internal, Client};
use crate::acme::account::AccountCredentials;
use crate::acme::authorization::Authorization;
use crate::acme::error::Error;
use crate::acme::flow::{Answered, Reply, Request};
use crate::acme::jws::{KeyRef, Payload, Signer};
use crate::acme::order::{NewOrder, Order, OrderHandle};
use crate::acme::poll;
use crate::acme::transport::{self, HttpClient, HttpResponse, PEM_CHAIN};

impl<H: HttpClient, S: Signer> Client<H, S> {
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
        let order = self.read_order("newOrder", &url, &order_url, &response)?;
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
        self.read_order("order", url, url, &response)
    }

    /// Fetches one authorization (§7.5).
    pub async fn fetch_authorization(
        &self,
        account: &AccountCredentials,
        url: &str,
    ) -> Result<Authorization, Error> {
        let response = self.post_as_get("authorization", account, url).await?;
        self.read_authorization("authorization", url, &response)
    }

    /// The order in `response` (to a request sent to `url`), its URLs resolved against the order's own
    /// URL `order_url` (a CA may give them relative).
    fn read_order(
        &self,
        kind: &'static str,
        url: &str,
        order_url: &str,
        response: &HttpResponse,
    ) -> Result<Order, Error> {
        let mut order: Order = self.json(kind, url, response)?;
        order.resolve_urls(order_url);
        Ok(order)
    }

    /// The authorization in `response`, its challenges' URLs resolved against its own `url`.
    fn read_authorization(
        &self,
        kind: &'static str,
        url: &str,
        response: &HttpResponse,
    ) -> Result<Authorization, Error> {
        let mut authorization: Authorization = self.json(kind, url, response)?;
        authorization.resolve_urls(url);
        Ok(authorization)
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
                crate::t!("the certificate chain is not text").into(),
            )
        })?;
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(self.unexpected(
                "certificate",
                url,
                &response,
                crate::t!("the reply holds no PEM certificate").into(),
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

    /// Sends one request of the issuance flow ([`crate::acme::flow`]) and returns what the CA answered,
    /// with its Retry-After measured from `now`.
    pub async fn execute(
        &self,
        account: &AccountCredentials,
        request: &Request,
        now: SystemTime,
    ) -> Result<Answered, Error> {
        let kind = request.kind();
        let (url, payload) = request
            .target(&self.directory)
            .map_err(|e| internal(kind, e))?;
        let response = match (request, &payload) {
            (Request::Certificate { .. }, _) => HttpResponse::default(),
            (_, Some(payload)) => self.post_kid(kind, account, url, payload).await?,
            (_, None) => self.post_as_get(kind, account, url).await?,
        };
        let reply = match request {
            Request::NewOrder(_) => {
                let order_url = self.location(kind, url, &response)?;
                Reply::Order {
                    order: self.read_order(kind, url, &order_url, &response)?,
                    url: order_url,
                }
            }
            Request::Authorization { url } => Reply::Authorization {
                authorization: self.read_authorization(kind, url, &response)?,
                url: url.clone(),
            },
            Request::Answer { challenge_url, .. } => {
                Reply::Challenge(self.json(kind, challenge_url, &response)?)
            }
            Request::Order { url } => Reply::Order {
                order: self.read_order(kind, url, url, &response)?,
                url: url.clone(),
            },
            Request::Finalize {
                order_url,
                finalize_url,
                ..
            } => Reply::Order {
                order: self.read_order(kind, finalize_url, order_url, &response)?,
                url: order_url.clone(),
            },
            // The chain has its own download: Accept, alternates by Link (§7.4.2).
            Request::Certificate { url } => {
                Reply::Certificate(self.download_certificate(account, url).await?)
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
}
