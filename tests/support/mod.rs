//! The scripted transport shared by the scripted tests: each test lists the exact requests the client
//! must make and the replies it gets, so a wrong URL, method or extra request fails the test. Transport
//! glue only: no flow logic lives here.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::VecDeque;

use certsmith::acme::account::AccountCredentials;
use certsmith::acme::client::Client;
use certsmith::acme::directory::Directory;
use certsmith::acme::transport::{HttpClient, HttpRequest, HttpResponse, Method, TransportError};
use certsmith::b64;
use certsmith::pki::key::{KeyType, PrivateKey};

pub const DIR: &str = "https://ca.test/dir";

/// One scripted exchange: the method and URL expected, and the reply to give.
pub type Step = (Method, String, Result<HttpResponse, TransportError>);

/// A transport that answers from a script and fails the test on any request it did not expect.
#[derive(Default)]
pub struct Script {
    pub steps: RefCell<VecDeque<Step>>,
    pub seen: RefCell<Vec<HttpRequest>>,
}

impl Script {
    pub fn expect(&self, method: Method, url: &str, reply: HttpResponse) -> &Self {
        self.steps
            .borrow_mut()
            .push_back((method, url.to_string(), Ok(reply)));
        self
    }

    pub fn expect_failure(&self, method: Method, url: &str, error: TransportError) -> &Self {
        self.steps
            .borrow_mut()
            .push_back((method, url.to_string(), Err(error)));
        self
    }

    pub fn assert_done(&self) {
        assert!(
            self.steps.borrow().is_empty(),
            "requests never made: {:?}",
            self.steps.borrow()
        );
    }

    /// The nonce in the protected header of the n-th request (0-based).
    pub fn nonce_of(&self, n: usize) -> String {
        let seen = self.seen.borrow();
        let body: serde_json::Value =
            serde_json::from_str(seen[n].body.as_deref().unwrap()).unwrap();
        let header: serde_json::Value =
            serde_json::from_slice(&b64::decode(body["protected"].as_str().unwrap()).unwrap())
                .unwrap();
        header["nonce"].as_str().unwrap().to_string()
    }
}

impl HttpClient for &Script {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (method, url, reply) = self
            .steps
            .borrow_mut()
            .pop_front()
            .unwrap_or_else(|| panic!("unexpected request {request:?}"));
        assert_eq!(
            (request.method, request.url.as_str()),
            (method, url.as_str()),
            "request out of script"
        );
        if method == Method::Post {
            assert!(request.body.is_some(), "POST without a body");
        }
        self.seen.borrow_mut().push(request);
        reply
    }
}

pub fn reply(status: u16, headers: &[(&str, &str)], body: &str) -> HttpResponse {
    HttpResponse {
        status,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: body.as_bytes().to_vec(),
    }
}

pub fn problem(status: u16, kind: &str, detail: &str, extra: &[(&str, &str)]) -> HttpResponse {
    let body = format!(
        r#"{{"type":"urn:ietf:params:acme:error:{kind}","detail":"{detail}","status":{status}}}"#
    );
    let mut headers = vec![("Content-Type", "application/problem+json")];
    headers.extend_from_slice(extra);
    reply(status, &headers, &body)
}

pub fn directory() -> Directory {
    serde_json::from_str(
        r#"{"newNonce":"https://ca.test/nonce","newAccount":"https://ca.test/acct","newOrder":"https://ca.test/order",
            "revokeCert":"https://ca.test/revoke","keyChange":"https://ca.test/keychange",
            "renewalInfo":"https://ca.test/ari"}"#,
    )
    .unwrap()
}

pub fn client(script: &Script) -> Client<&Script> {
    Client::from_directory(script, DIR, directory())
}

pub fn account() -> AccountCredentials {
    AccountCredentials {
        url: "https://ca.test/acct/1".into(),
        key: PrivateKey::generate(KeyType::P256).unwrap(),
    }
}

pub fn nonce(n: &str) -> HttpResponse {
    reply(200, &[("Replay-Nonce", n)], "")
}

pub const ORDER_JSON: &str = r#"{"status":"pending","identifiers":[{"type":"dns","value":"a.test"}],
    "authorizations":["https://ca.test/authz/1"],"finalize":"https://ca.test/order/1/finalize"}"#;
