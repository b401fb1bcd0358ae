//! The protocol inspector's teaching, as plain functions of the protocol log: each exchange's RFC section
//! and why it comes at that point, the nonce chain (RFC 8555 §6.5: which reply's Replay-Nonce signed
//! which request), the signature a request carries, each challenge's key authorization derived step by
//! step (§8.1, §8.3, §8.4, with the RFC 7638 thumbprint), the request the flow is about to send, and the
//! log as JSON. Nothing here holds or shows a private key: the log never had one. One file: the
//! functions are small and read the same entries; half of it is their tests, which drive the real
//! client through a scripted CA.

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::log::ProtocolLog;
use crate::acme::client::Exchange;
use crate::acme::directory::Directory;
use crate::acme::flow::Request;
use crate::b64;

/// The filter value that shows failed exchanges and badNonce retries.
pub const PROBLEMS: &str = "problems";

/// Where an exchange is in the RFCs, and why the page sends it at that point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lesson {
    pub rfc: u16,
    pub section: &'static str,
    /// In the page's language.
    pub why: &'static str,
}

impl Lesson {
    pub fn link(&self) -> String {
        format!(
            "https://www.rfc-editor.org/rfc/rfc{}#section-{}",
            self.rfc, self.section
        )
    }

    /// "RFC 8555 §7.4".
    pub fn label(&self) -> String {
        format!("RFC {} §{}", self.rfc, self.section)
    }
}

const fn rfc8555(section: &'static str, why: &'static str) -> Lesson {
    Lesson {
        rfc: 8555,
        section,
        why,
    }
}

/// Entry `i`'s lesson. A request sent again after badNonce is §6.5's retry, whatever it asks for.
pub fn lesson(entries: &[Exchange], i: usize) -> Lesson {
    let e = &entries[i];
    if is_retry(entries, i) {
        return rfc8555(
            "6.5",
            crate::t!("Sent again: the CA refused the nonce before (badNonce); this one carries the nonce of that refusal."),
        );
    }
    let payload = |name: &str| e.payload.as_ref().and_then(|p| p.get(name));
    let deactivating = payload("status").and_then(Value::as_str) == Some("deactivated");
    match e.kind.as_str() {
        "directory" => rfc8555("7.1.1", crate::t!("The one URL a client is given: it names all the others.")),
        "newNonce" => rfc8555("7.2", crate::t!("Each signed request needs a fresh nonce, and the page had none left.")),
        "newAccount" if payload("onlyReturnExisting") == Some(&Value::Bool(true)) => {
            rfc8555("7.3.1", crate::t!("Finds the account of this key without creating one."))
        }
        "newAccount" => rfc8555(
            "7.3",
            crate::t!("Registers the account key. Signed with the key itself (jwk): there is no account URL yet."),
        ),
        "account" if deactivating => rfc8555("7.3.6", crate::t!("Deactivates the account for good.")),
        "account" => rfc8555("7.3.2", crate::t!("Reads or updates the account at its URL (kid).")),
        "keyChange" => rfc8555("7.3.5", crate::t!("Moves the account to a new key: the new key signs the inner JWS.")),
        "newOrder" => rfc8555(
            "7.4",
            crate::t!("Asks for a certificate for these names; the order lists one authorization per name."),
        ),
        "authorization" if deactivating => rfc8555("7.5.2", crate::t!("Gives up an authorization.")),
        "authorization" => rfc8555("7.5", crate::t!("Reads how to prove one name: its challenges and their tokens.")),
        "challenge" => rfc8555("7.5.1", crate::t!("The record or file is in place: the CA may check it now.")),
        "order" if finalized_before(entries, i) => {
            rfc8555("7.4", crate::t!("Asks whether the CA has issued the certificate yet."))
        }
        "order" => rfc8555("7.4", crate::t!("Asks whether the CA has validated every name yet.")),
        "finalize" => rfc8555("7.4", crate::t!("Every name is proven: sends the CSR.")),
        "certificate" => rfc8555("7.4.2", crate::t!("The order is valid: downloads the certificate chain.")),
        "revokeCert" => rfc8555("7.6", crate::t!("Revokes a certificate.")),
        "renewalInfo" => Lesson {
            rfc: 9773,
            section: "4",
            why: crate::t!("Asks when the CA wants this certificate renewed."),
        },
        _ => rfc8555("6", crate::t!("A request to the CA.")),
    }
}

/// Whether a finalize was sent for the order that entry `i` polls.
fn finalized_before(entries: &[Exchange], i: usize) -> bool {
    entries[..i]
        .iter()
        .rev()
        .take_while(|e| e.kind != "newOrder")
        .any(|e| e.kind == "finalize")
}

/// A response header of an exchange (the log keeps their names in lower case).
pub fn header<'a>(e: &'a Exchange, name: &str) -> Option<&'a str> {
    e.response_headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The CA refused the request's nonce (§6.5): the client sends it again with the nonce of the refusal.
pub fn is_bad_nonce(e: &Exchange) -> bool {
    e.status == Some(400)
        && crate::json::from_text::<Value>(&e.response_body).is_ok_and(|body| {
            body.get("type").and_then(Value::as_str) == Some("urn:ietf:params:acme:error:badNonce")
        })
}

/// Entry `i` is the same request sent again after a badNonce.
pub fn is_retry(entries: &[Exchange], i: usize) -> bool {
    let e = &entries[i];
    i > 0 && {
        let before = &entries[i - 1];
        is_bad_nonce(before) && before.url == e.url && before.method == e.method
    }
}

/// The nonce a signed request carried.
pub fn nonce(e: &Exchange) -> Option<&str> {
    e.protected.as_ref()?.get("nonce")?.as_str()
}

/// The entry whose reply's Replay-Nonce signed entry `i`; `None` when it came from outside the log
/// (the page's CA probe) or the request carried none.
pub fn nonce_source(entries: &[Exchange], i: usize) -> Option<usize> {
    let used = nonce(&entries[i])?;
    (0..i)
        .rev()
        .find(|&j| header(&entries[j], "replay-nonce") == Some(used))
}

/// The filter choices: every kind in the log, in order of first appearance.
pub fn kinds(entries: &[Exchange]) -> Vec<&str> {
    let mut kinds: Vec<&str> = Vec::new();
    for e in entries {
        if !kinds.contains(&e.kind.as_str()) {
            kinds.push(&e.kind);
        }
    }
    kinds
}

/// Whether entry `i` passes `filter`: "" (all), a kind, or [`PROBLEMS`].
pub fn shown(entries: &[Exchange], i: usize, filter: &str) -> bool {
    let e = &entries[i];
    match filter {
        "" => true,
        PROBLEMS => e.status.is_none_or(|s| s >= 400) || is_retry(entries, i),
        kind => e.kind == kind,
    }
}

/// A request's signature: its algorithm and its length in bytes, which the algorithm fixes (ES256 is
/// r‖s, 64 bytes; RS256 is as long as the key's modulus, read from the `jwk`, or given as
/// `account_rsa`, the modulus length of the account `kid` names).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub alg: String,
    pub bytes: Option<usize>,
}

pub fn signature(e: &Exchange, account_rsa: Option<(&str, usize)>) -> Option<Signature> {
    let protected = e.protected.as_ref()?;
    let alg = protected.get("alg")?.as_str()?;
    let modulus = || {
        let n = protected.pointer("/jwk/n").and_then(Value::as_str);
        n.and_then(|n| b64::decode(n).ok())
            .map(|n| n.len())
            .or_else(|| {
                let kid = protected.get("kid").and_then(Value::as_str);
                account_rsa
                    .filter(|(url, _)| kid == Some(*url))
                    .map(|a| a.1)
            })
    };
    let bytes = match alg {
        "ES256" => Some(64),
        "ES384" => Some(96),
        "ES512" => Some(132),
        _ if alg.starts_with("RS") || alg.starts_with("PS") => modulus(),
        _ => None,
    };
    Some(Signature {
        alg: alg.to_string(),
        bytes,
    })
}

/// One challenge's key authorization, step by step: the token, the account key's JWK in RFC 7638's
/// canonical form and its SHA-256 thumbprint, the key authorization (§8.1), its SHA-256, and what is
/// placed: the TXT value base64url(SHA-256) for dns-01 (§8.4), the key authorization itself for
/// http-01 (§8.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyAuthorization {
    pub name: String,
    pub challenge: String,
    pub token: String,
    pub jwk: String,
    pub thumbprint: String,
    pub key_authorization: String,
    pub sha256_hex: String,
    pub value: String,
}

/// The JWK's required members only, in lexicographic order, without whitespace (RFC 7638 §3.2, §3.3).
pub fn canonical_jwk(jwk: &Value) -> Option<String> {
    let members: &[&str] = match jwk.get("kty")?.as_str()? {
        "EC" => &["crv", "kty", "x", "y"],
        "RSA" => &["e", "kty", "n"],
        _ => return None,
    };
    let mut canonical = Map::new();
    for name in members {
        canonical.insert(
            (*name).into(),
            Value::String(jwk.get(*name)?.as_str()?.into()),
        );
    }
    Some(Value::Object(canonical).to_string())
}

pub fn key_authorization_steps(
    name: &str,
    challenge: &str,
    token: &str,
    jwk: &Value,
) -> Option<KeyAuthorization> {
    let canonical = canonical_jwk(jwk)?;
    let thumbprint = b64::encode(Sha256::digest(canonical.as_bytes()));
    let key_authorization = format!("{token}.{thumbprint}");
    let digest = Sha256::digest(key_authorization.as_bytes());
    let value = if challenge == "dns-01" {
        b64::encode(digest)
    } else {
        key_authorization.clone()
    };
    Some(KeyAuthorization {
        name: name.to_string(),
        challenge: challenge.to_string(),
        token: token.to_string(),
        jwk: canonical,
        thumbprint,
        key_authorization,
        sha256_hex: digest.iter().map(|b| format!("{b:02x}")).collect(),
        value,
    })
}

/// The key authorization of every dns-01 and http-01 challenge in the authorizations the log read,
/// for the account key `jwk` (public).
pub fn key_authorizations(entries: &[Exchange], jwk: &Value) -> Vec<KeyAuthorization> {
    let mut found: Vec<KeyAuthorization> = Vec::new();
    let bodies = entries
        .iter()
        .filter(|e| e.kind == "authorization" && e.status == Some(200))
        .filter_map(|e| crate::json::from_text::<Value>(&e.response_body).ok());
    for body in bodies {
        let value = body.pointer("/identifier/value").and_then(Value::as_str);
        let wildcard = body.get("wildcard") == Some(&Value::Bool(true));
        let name = format!(
            "{}{}",
            if wildcard { "*." } else { "" },
            value.unwrap_or("?")
        );
        let challenges = body.get("challenges").and_then(Value::as_array);
        for c in challenges.into_iter().flatten() {
            let kind = c.get("type").and_then(Value::as_str).unwrap_or_default();
            let token = c.get("token").and_then(Value::as_str);
            let Some(token) = token.filter(|_| kind == "dns-01" || kind == "http-01") else {
                continue;
            };
            let seen = found
                .iter()
                .any(|k| k.token == token && k.challenge == kind);
            if let Some(steps) = key_authorization_steps(&name, kind, token, jwk).filter(|_| !seen)
            {
                found.push(steps);
            }
        }
    }
    found
}

/// The request the flow is about to send, as the log will show it: its URL, its payload, and the
/// protected header but for the nonce, which the client takes when it sends (§7.2).
pub fn preview(request: &Request, directory: &Directory, kid: &str, alg: &str) -> Exchange {
    // Only a newOrder payload is serialized, and a NewOrder always serializes: no payload if not.
    let (url, payload) = request
        .target(directory)
        .unwrap_or((&directory.new_order, None));
    let url = url.to_string();
    Exchange {
        kind: request.kind().to_string(),
        method: "POST".into(),
        status: None,
        protected: Some(json!({ "alg": alg, "kid": kid, "url": url })),
        url,
        payload,
        response_headers: Vec::new(),
        response_body: String::new(),
        transport_error: None,
    }
}

/// The whole log as JSON: each exchange with its section, why, and the entry whose nonce it used.
pub fn export(log: &ProtocolLog) -> Value {
    let entries: Vec<Value> = (0..log.entries.len())
        .map(|i| {
            let lesson = lesson(&log.entries, i);
            let mut entry = serde_json::to_value(&log.entries[i]).unwrap_or_default();
            entry["rfc"] = lesson.link().into();
            entry["why"] = lesson.why.into();
            if let Some(j) = nonce_source(&log.entries, i) {
                entry["nonceFrom"] = j.into();
            }
            entry
        })
        .collect();
    json!({ "format": "certsmith protocol log", "entries": entries, "waits": log.waits })
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::rc::Rc;

    use super::*;
    use crate::acme::account::{AccountCredentials, NewAccount};
    use crate::acme::authorization::{placement, Authorization, Placement};
    use crate::acme::client::Client;
    use crate::acme::persist::PersistChoice;
    use crate::acme::transport::{HttpClient, HttpRequest, HttpResponse, TransportError};
    use crate::pki::key::{jwk_thumbprint, KeyType, PrivateKey};

    /// The RSA JWK of RFC 7638 §3.1, with its optional members.
    const RFC7638_JWK: &str = r#"{"kty":"RSA","e":"AQAB","alg":"RS256","kid":"2011-04-29",
        "n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"}"#;
    /// The token of RFC 8555 §8.4's example.
    const TOKEN: &str = "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA";

    #[test]
    fn key_authorization_of_the_rfc_examples() {
        let jwk: Value = serde_json::from_str(RFC7638_JWK).unwrap();
        let dns = key_authorization_steps("example.org", "dns-01", TOKEN, &jwk).unwrap();
        assert!(dns.jwk.starts_with(r#"{"e":"AQAB","kty":"RSA","n":"0vx7"#));
        assert!(!dns.jwk.contains("kid") && !dns.jwk.contains(' '));
        assert_eq!(
            dns.thumbprint,
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
        assert_eq!(dns.key_authorization, format!("{TOKEN}.{}", dns.thumbprint));
        // Computed apart, with Python's hashlib.
        assert_eq!(
            dns.sha256_hex,
            "653471d42925d7eb4cd39a39cda8b34d3034c94cb90067ab78c8123560ba2e5f"
        );
        assert_eq!(dns.value, "ZTRx1Ckl1-tM05o5zaizTTA0yUy5AGereMgSNWC6Ll8");
        let http = key_authorization_steps("example.org", "http-01", TOKEN, &jwk).unwrap();
        assert_eq!(http.value, dns.key_authorization);
    }

    /// The steps end where the flow's own placement does (§8.3, §8.4), for every key type's JWK.
    #[test]
    fn key_authorization_steps_match_the_placements() {
        for kind in [KeyType::P256, KeyType::P384, KeyType::Rsa2048] {
            let account = AccountCredentials {
                url: "https://ca.test/acct/1".into(),
                key: PrivateKey::generate(kind).unwrap(),
            };
            let jwk = account.key.public_jwk();
            assert_eq!(canonical_jwk(&jwk).unwrap(), jwk.to_string());
            let authorization: Authorization =
                serde_json::from_value(authorization_json()).unwrap();
            let log = [exchange(
                "authorization",
                200,
                &[],
                &authorization_json().to_string(),
            )];
            let steps = key_authorizations(&log, &jwk);
            assert_eq!(steps.len(), 2, "dns-01 and http-01, not tls-alpn-01");
            for (steps, challenge) in steps.iter().zip(&authorization.challenges) {
                assert_eq!(steps.name, "*.example.org");
                assert_eq!(steps.thumbprint, jwk_thumbprint(&jwk).unwrap());
                let placed = placement(
                    &authorization,
                    challenge,
                    &account,
                    PersistChoice::default(),
                );
                match placed.unwrap() {
                    Placement::Dns01 { value, .. } => assert_eq!(steps.value, value),
                    Placement::Http01 { content, .. } => assert_eq!(steps.value, content),
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    fn authorization_json() -> Value {
        json!({
            "status": "pending", "wildcard": true,
            "identifier": { "type": "dns", "value": "example.org" },
            "challenges": [
                { "type": "dns-01", "url": "https://ca.test/c/1", "status": "pending", "token": TOKEN },
                { "type": "http-01", "url": "https://ca.test/c/2", "status": "pending", "token": "tok-2" },
                { "type": "tls-alpn-01", "url": "https://ca.test/c/3", "status": "pending", "token": "tok-3" }
            ]
        })
    }

    fn exchange(kind: &str, status: u16, headers: &[(&str, &str)], body: &str) -> Exchange {
        Exchange {
            kind: kind.into(),
            method: "POST".into(),
            url: format!("https://ca.test/{kind}"),
            status: Some(status),
            protected: None,
            payload: None,
            response_headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
            response_body: body.into(),
            transport_error: None,
        }
    }

    /// A CA that answers from a list, in order.
    struct Script(RefCell<Vec<HttpResponse>>);

    impl HttpClient for &Script {
        async fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
            Ok(self.0.borrow_mut().remove(0))
        }
    }

    fn reply(status: u16, nonce: &str, location: Option<&str>, body: Value) -> HttpResponse {
        let mut headers = vec![("Replay-Nonce".to_string(), nonce.to_string())];
        headers.extend(location.map(|l| ("Location".to_string(), l.to_string())));
        HttpResponse {
            status,
            headers,
            body: body.to_string().into_bytes(),
        }
    }

    /// A session through the real client: newNonce, newAccount refused once with badNonce, newAccount,
    /// newOrder, logged by the client's observer as the page logs it.
    fn session(key: &PrivateKey) -> ProtocolLog {
        let bad_nonce = json!({ "type": "urn:ietf:params:acme:error:badNonce", "detail": "stale" });
        let order = json!({ "status": "pending", "identifiers": [{ "type": "dns", "value": "example.org" }],
                            "authorizations": ["https://ca.test/authz/1"], "finalize": "https://ca.test/fin/1" });
        let script = Script(RefCell::new(vec![
            reply(200, "n1", None, json!(null)),
            reply(400, "n2", None, bad_nonce),
            reply(
                201,
                "n3",
                Some("https://ca.test/acct/1"),
                json!({ "status": "valid" }),
            ),
            reply(201, "n4", Some("https://ca.test/order/1"), order),
        ]));
        let directory: Directory = serde_json::from_value(json!({
            "newNonce": "https://ca.test/nonce", "newAccount": "https://ca.test/acct",
            "newOrder": "https://ca.test/order", "revokeCert": "https://ca.test/revoke",
            "keyChange": "https://ca.test/key"
        }))
        .unwrap();
        let log = Rc::new(RefCell::new(ProtocolLog::default()));
        let mut client = Client::from_directory(&script, "https://ca.test/dir", directory);
        let sink = log.clone();
        client.set_observer(Some(Rc::new(move |e: &Exchange| {
            sink.borrow_mut().push(e.clone())
        })));
        let new_account = NewAccount {
            terms_of_service_agreed: true,
            ..NewAccount::default()
        };
        pollster::block_on(async {
            let (account, _) = client.new_account(key, &new_account, None).await.unwrap();
            let request = crate::acme::order::NewOrder {
                identifiers: vec![crate::acme::identifier::Identifier::dns("example.org")],
                ..Default::default()
            };
            client.new_order(&account, &request).await.unwrap();
        });
        let log = log.borrow().clone();
        log
    }

    #[test]
    fn nonce_chain_with_a_bad_nonce_retry() {
        let log = session(&PrivateKey::generate(KeyType::P256).unwrap());
        let e = &log.entries;
        let sent: Vec<&str> = e.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(sent, ["newNonce", "newAccount", "newAccount", "newOrder"]);
        let sources: Vec<Option<usize>> = (0..e.len()).map(|i| nonce_source(e, i)).collect();
        assert_eq!(sources, [None, Some(0), Some(1), Some(2)]);
        assert_eq!(
            nonce(&e[2]),
            Some("n2"),
            "the retry carries the refusal's nonce"
        );
        assert!(is_bad_nonce(&e[1]) && !is_bad_nonce(&e[2]));
        assert!(is_retry(e, 2) && !is_retry(e, 1) && !is_retry(e, 3));
        let sections: Vec<String> = (0..e.len()).map(|i| lesson(e, i).label()).collect();
        assert_eq!(
            sections,
            [
                "RFC 8555 §7.2",
                "RFC 8555 §7.3",
                "RFC 8555 §6.5",
                "RFC 8555 §7.4"
            ]
        );
        assert_eq!(
            lesson(e, 3).link(),
            "https://www.rfc-editor.org/rfc/rfc8555#section-7.4"
        );
        let problems: Vec<usize> = (0..e.len()).filter(|&i| shown(e, i, PROBLEMS)).collect();
        assert_eq!(problems, [1, 2]);
        assert_eq!(kinds(e), ["newNonce", "newAccount", "newOrder"]);
        assert_eq!(
            (0..e.len()).filter(|&i| shown(e, i, "newAccount")).count(),
            2
        );
        let es256 = signature(&e[1], None).unwrap();
        assert_eq!((es256.alg.as_str(), es256.bytes), ("ES256", Some(64)));
    }

    /// The export of a real session holds the exchanges with their sections, and no private key.
    #[test]
    fn export_has_no_private_key() {
        for kind in [KeyType::P256, KeyType::Rsa2048] {
            let key = PrivateKey::generate(kind).unwrap();
            let mut log = session(&key);
            log.push_wait(3, "validating");
            let text = export(&log).to_string();
            let exported: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(exported["entries"].as_array().unwrap().len(), 4);
            assert_eq!(exported["entries"][2]["nonceFrom"], 1);
            assert_eq!(exported["waits"][0]["before"], 4);
            let private: Value = serde_json::from_str(&key.to_private_jwk().unwrap()).unwrap();
            let d = private["d"].as_str().unwrap();
            let pkcs8 = key.to_pkcs8_pem();
            let pkcs8_body: String = pkcs8.lines().nth(1).unwrap().into();
            assert!(!text.contains(d) && !text.contains(&pkcs8_body) && !text.contains("PRIVATE"));
            assert!(text.contains(key.public_jwk()["kty"].as_str().unwrap()));
            if kind == KeyType::Rsa2048 {
                assert_eq!(signature(&log.entries[1], None).unwrap().bytes, Some(256));
                let mut by_kid = log.entries[3].clone();
                by_kid.protected = Some(json!({ "alg": "RS256", "kid": "https://ca.test/acct/1" }));
                assert_eq!(
                    signature(&by_kid, Some(("https://ca.test/acct/1", 256)))
                        .unwrap()
                        .bytes,
                    Some(256)
                );
                assert_eq!(
                    signature(&by_kid, Some(("https://ca.test/acct/2", 256)))
                        .unwrap()
                        .bytes,
                    None
                );
            }
        }
    }

    #[test]
    fn lessons_follow_the_context() {
        let mut find = exchange("newAccount", 200, &[], "");
        find.payload = Some(json!({ "onlyReturnExisting": true }));
        let poll = exchange("order", 200, &[], "");
        let log = [
            exchange("newOrder", 201, &[], ""),
            poll.clone(),
            exchange("finalize", 200, &[], ""),
            poll,
            find,
        ];
        assert!(lesson(&log, 1).why.contains("validated"));
        assert!(lesson(&log, 3).why.contains("issued"));
        assert_eq!(lesson(&log, 4).section, "7.3.1");
        let mut renewal = exchange("renewalInfo", 200, &[], "");
        renewal.method = "GET".into();
        assert_eq!(
            lesson(&[renewal], 0).link(),
            "https://www.rfc-editor.org/rfc/rfc9773#section-4"
        );
    }

    #[test]
    fn preview_is_what_execute_sends() {
        let directory: Directory = serde_json::from_value(json!({
            "newNonce": "https://ca.test/nonce", "newAccount": "https://ca.test/acct",
            "newOrder": "https://ca.test/order", "revokeCert": "https://ca.test/revoke",
            "keyChange": "https://ca.test/key"
        }))
        .unwrap();
        let finalize = Request::Finalize {
            order_url: "https://ca.test/order/1".into(),
            finalize_url: "https://ca.test/fin/1".into(),
            csr: vec![1, 2, 3],
        };
        let shown = preview(&finalize, &directory, "https://ca.test/acct/1", "ES256");
        assert_eq!(
            (shown.kind.as_str(), shown.url.as_str()),
            ("finalize", "https://ca.test/fin/1")
        );
        assert_eq!(shown.payload, Some(json!({ "csr": "AQID" })));
        assert_eq!(shown.protected.unwrap()["kid"], "https://ca.test/acct/1");
        let poll = preview(
            &Request::Order {
                url: "https://ca.test/order/1".into(),
            },
            &directory,
            "k",
            "ES256",
        );
        assert_eq!(poll.payload, None, "POST-as-GET");
        let order = preview(
            &Request::NewOrder(Default::default()),
            &directory,
            "k",
            "ES256",
        );
        assert_eq!(order.url, "https://ca.test/order");
    }

    #[test]
    fn waits_follow_their_entry_when_the_log_drops_its_oldest() {
        let mut log = ProtocolLog::default();
        log.push(exchange("order", 200, &[], ""));
        log.push_wait(2, "validating");
        for _ in 0..crate::wizard::LOG_LIMIT {
            log.push(exchange("order", 200, &[], ""));
        }
        assert_eq!(
            log.waits[0].before, 0,
            "before the exchange that followed it"
        );
        log.push(exchange("order", 200, &[], ""));
        assert!(log.waits.is_empty(), "that exchange left the log");
        log.push_wait(1, "issuing");
        log.push(exchange("order", 200, &[], ""));
        assert_eq!(log.waits[0].before, crate::wizard::LOG_LIMIT - 1);
        assert_eq!(
            log.newer_half().waits[0].before,
            crate::wizard::LOG_LIMIT / 2 - 1
        );
        log.clear();
        assert!(log.entries.is_empty() && log.waits.is_empty());
    }
}
