//! Problem documents (RFC 7807) and the ACME error types (RFC 8555 §6.7), with subproblems (§6.7.1) and a
//! plain-language hint for the person in front of the page.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::acme::identifier::Identifier;
use crate::{i18n, t, t_key};

/// The URN namespace of ACME error types (RFC 8555 §6.7).
pub const ACME_ERROR_NS: &str = "urn:ietf:params:acme:error:";

/// An RFC 7807 problem document as an ACME server sends it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Problem {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub type_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The identifier a subproblem is about (§6.7.1); absent on a top-level problem.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifier: Option<Identifier>,
    #[serde(
        default,
        deserialize_with = "crate::acme::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub subproblems: Vec<Problem>,
    /// The Retry-After of the response that carried this problem (rateLimited, §6.6), when it had one.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "opt_secs")]
    pub retry_after: Option<Duration>,
}

/// The ACME error types of RFC 8555 §6.7 (and RFC 9773's), so code can match on them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    AccountDoesNotExist,
    AlreadyRevoked,
    BadCsr,
    BadNonce,
    BadPublicKey,
    BadRevocationReason,
    BadSignatureAlgorithm,
    Caa,
    Compound,
    Connection,
    Dns,
    ExternalAccountRequired,
    IncorrectResponse,
    InvalidContact,
    Malformed,
    OrderNotReady,
    RateLimited,
    RejectedIdentifier,
    ServerInternal,
    Tls,
    Unauthorized,
    UnsupportedContact,
    UnsupportedIdentifier,
    UserActionRequired,
    AlreadyReplaced,
    /// A type outside the ACME namespace, or one this client does not know.
    Other,
}

impl ProblemKind {
    fn from_name(name: &str) -> Self {
        use ProblemKind::*;
        match name {
            "accountDoesNotExist" => AccountDoesNotExist,
            "alreadyRevoked" => AlreadyRevoked,
            "badCSR" => BadCsr,
            "badNonce" => BadNonce,
            "badPublicKey" => BadPublicKey,
            "badRevocationReason" => BadRevocationReason,
            "badSignatureAlgorithm" => BadSignatureAlgorithm,
            "caa" => Caa,
            "compound" => Compound,
            "connection" => Connection,
            "dns" => Dns,
            "externalAccountRequired" => ExternalAccountRequired,
            "incorrectResponse" => IncorrectResponse,
            "invalidContact" => InvalidContact,
            "malformed" => Malformed,
            "orderNotReady" => OrderNotReady,
            "rateLimited" => RateLimited,
            "rejectedIdentifier" => RejectedIdentifier,
            "serverInternal" => ServerInternal,
            "tls" => Tls,
            "unauthorized" => Unauthorized,
            "unsupportedContact" => UnsupportedContact,
            "unsupportedIdentifier" => UnsupportedIdentifier,
            "userActionRequired" => UserActionRequired,
            "alreadyReplaced" => AlreadyReplaced,
            _ => Other,
        }
    }
}

impl Problem {
    /// The ACME error type, if the `type` is in the ACME namespace.
    pub fn kind(&self) -> ProblemKind {
        self.type_uri
            .as_deref()
            .and_then(|t| t.strip_prefix(ACME_ERROR_NS))
            .map_or(ProblemKind::Other, ProblemKind::from_name)
    }

    /// True for `badNonce` (§6.5): the request is safe to send again with a fresh nonce.
    pub fn is_bad_nonce(&self) -> bool {
        self.kind() == ProblemKind::BadNonce
    }

    /// What a person should do about this problem, in plain words. Subproblems come first, since they
    /// say which name failed and why; each different hint is given once.
    pub fn hint(&self) -> String {
        if !self.subproblems.is_empty() {
            let mut hints: Vec<String> = Vec::new();
            for hint in self.subproblems.iter().map(Problem::hint) {
                if !hints.contains(&hint) {
                    hints.push(hint);
                }
            }
            return hints.join(" ");
        }
        let detail = self
            .detail
            .as_deref()
            .unwrap_or_default()
            .to_ascii_lowercase();
        challenge_hint(self.kind(), &detail)
            .unwrap_or_else(|| kind_hint(self.kind(), self.retry_after).to_string())
    }
}

/// Hints for the validation failures people meet most, recognized from the CA's detail text. Whether the
/// failure is about a DNS record or an HTTP file is decided first, from the words the CA uses, so a
/// "value not found" in a TXT lookup is never mistaken for a missing file.
fn challenge_hint(kind: ProblemKind, detail: &str) -> Option<String> {
    let says = |words: &[&str]| words.iter().any(|w| detail.contains(w));
    let about_dns =
        kind == ProblemKind::Dns || says(&["txt", "dns challenge", "_acme-challenge", "nxdomain"]);
    let about_http = !about_dns
        && says(&[
            "/.well-known/acme-challenge",
            "http-01",
            "key authorization file",
        ]);
    let hint = if about_dns
        && says(&[
            "nxdomain",
            "no txt record",
            "no valid txt",
            "servfail",
            "no such host",
        ]) {
        t!("The CA could not see the TXT record yet. Check the record name in your DNS panel, wait until the \
         check shows it at every resolver (new records can take minutes to an hour to appear), then start a \
         new order: a failed authorization cannot be retried.")
    } else if about_dns
        && (says(&["incorrect", "not found", "mismatch", "did not match"]) || is_wrong_value(kind))
    {
        t!("The CA found TXT records at that name, but none with the expected value. Copy the value again \
         exactly (no quotes or spaces added; keep both values where a name and its wildcard share the \
         record), wait until the check shows it, and start a new order.")
    } else if about_http && says(&["404", "not found"]) {
        t!("The CA could not find the file at that path. Check that the file is uploaded to \
         /.well-known/acme-challenge/ on the site itself, with the exact name and no extension, over plain http.")
    } else if kind == ProblemKind::Connection
        || says(&["connection refused", "timeout", "timed out"])
    {
        t!("The CA could not connect to the host. Check that the name points at your server and that port 80 is \
         open to the internet (for HTTP-01), or use DNS-01 instead.")
    } else if is_wrong_value(kind) || says(&["did not match", "incorrect"]) {
        t!("The CA found the record or file, but its value is wrong. Copy the value again exactly (no quotes or \
         spaces added, no old value left beside it) and start a new order.")
    } else {
        return None;
    };
    Some(hint.to_string())
}

fn is_wrong_value(kind: ProblemKind) -> bool {
    kind == ProblemKind::Unauthorized || kind == ProblemKind::IncorrectResponse
}

fn kind_hint(kind: ProblemKind, retry_after: Option<Duration>) -> String {
    use ProblemKind::*;
    let text = match kind {
        BadNonce => t!("The CA refused a one-time number (nonce); trying again normally works."),
        RateLimited => {
            return match retry_after {
                Some(wait) => t!(
                    "The CA's rate limit was reached. You can try again in {wait}; your keys and order are kept.",
                    wait = describe_duration(wait)
                ),
                None => t!("The CA's rate limit was reached. Wait before trying again; consider the staging CA for \
                         tests. Your keys and order are kept.")
                    .to_string(),
            }
        }
        Caa => t!("A CAA record in the domain's DNS forbids this CA from issuing. Add a CAA record naming this CA or \
                remove the restriction."),
        RejectedIdentifier | UnsupportedIdentifier => {
            t!("The CA will not issue for this name (it may be an internal name, an IP address it does not \
             support, or on a blocklist). Remove it from the list.")
        }
        Dns => t!("The CA could not resolve the name in DNS. Check that the domain exists and its name servers answer."),
        Tls => t!("The CA hit a TLS error talking to your server."),
        Unauthorized => t!("The CA says this account is not allowed to do that."),
        AccountDoesNotExist => t!("No account exists for this key at this CA. Create a new account instead."),
        ExternalAccountRequired => {
            t!("This CA requires External Account Binding: enter the key ID and HMAC key from your CA's dashboard.")
        }
        InvalidContact | UnsupportedContact => t!("The CA refused the contact email address. Check it, or leave it empty."),
        BadCsr => t!("The CA refused the certificate request (CSR). Check that it names exactly the order's names and \
                   uses a supported key."),
        BadPublicKey | BadSignatureAlgorithm => t!("The CA does not accept this key type. Try ECDSA P-256 or RSA 2048."),
        OrderNotReady => t!("The order is not ready to finalize: some authorization is not valid yet."),
        AlreadyRevoked => t!("This certificate is already revoked."),
        BadRevocationReason => t!("The CA does not accept that revocation reason; choose another."),
        UserActionRequired => t!("The CA needs you to do something first (often: accept new terms). Open the link it gives."),
        ServerInternal => t!("The CA had an internal error. Try again in a little while; nothing is lost."),
        Malformed => t!("The CA did not understand the request. This may be a bug in Certsmith; the protocol log has \
                      the details."),
        AlreadyReplaced => t!("That certificate was already replaced by another order."),
        Compound => t!("Several things went wrong; see each one below."),
        Connection | IncorrectResponse | Other => t!("See the CA's message for details."),
    };
    text.to_string()
}

/// "3 minutes", "2 hours", "45 seconds": for hints.
pub fn describe_duration(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0..=119 => i18n::plural(secs, t_key!("{n} second"), t_key!("{n} seconds")),
        120..=7199 => i18n::plural(
            secs.div_ceil(60),
            t_key!("{n} minute"),
            t_key!("{n} minutes"),
        ),
        _ => i18n::plural(secs.div_ceil(3600), t_key!("{n} hour"), t_key!("{n} hours")),
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(id) = &self.identifier {
            write!(f, "{id}: ")?;
        }
        // An empty detail or title says nothing: fall back as if it were absent (found by fuzz/acme_json).
        fn given(text: Option<&str>) -> Option<&str> {
            text.filter(|t| !t.trim().is_empty())
        }
        let text = given(self.detail.as_deref())
            .or(given(self.title.as_deref()))
            .unwrap_or(t!("no details given"));
        let short_type = self
            .type_uri
            .as_deref()
            .map(|t| t.strip_prefix(ACME_ERROR_NS).unwrap_or(t));
        match short_type {
            Some(t) => write!(f, "{text} ({t})")?,
            None => f.write_str(text)?,
        }
        for sub in &self.subproblems {
            write!(f, "; {sub}")?;
        }
        Ok(())
    }
}

mod opt_secs {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(value: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(d) => s.serialize_some(&d.as_secs()),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_secs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example of RFC 8555 §6.7.1, verbatim.
    const RFC_8555_SUBPROBLEMS: &str = r#"{
        "type": "urn:ietf:params:acme:error:malformed",
        "detail": "Some of the identifiers requested were rejected",
        "subproblems": [
            {
                "type": "urn:ietf:params:acme:error:malformed",
                "detail": "Invalid underscore in DNS name \"_example.org\"",
                "identifier": {
                    "type": "dns",
                    "value": "_example.org"
                }
            },
            {
                "type": "urn:ietf:params:acme:error:rejectedIdentifier",
                "detail": "This CA will not issue for \"example.net\"",
                "identifier": {
                    "type": "dns",
                    "value": "example.net"
                }
            }
        ]
    }"#;

    #[test]
    fn parses_rfc_8555_subproblem_example() {
        let p: Problem = serde_json::from_str(RFC_8555_SUBPROBLEMS).unwrap();
        assert_eq!(p.kind(), ProblemKind::Malformed);
        assert_eq!(p.subproblems.len(), 2);
        assert_eq!(p.subproblems[1].kind(), ProblemKind::RejectedIdentifier);
        assert_eq!(
            p.subproblems[1].identifier,
            Some(Identifier::dns("example.net"))
        );
        let text = p.to_string();
        assert!(
            text.contains("example.net: This CA will not issue"),
            "{text}"
        );
        assert!(
            p.hint().contains("will not issue for this name"),
            "{}",
            p.hint()
        );
    }

    fn problem_of(kind: &str, detail: &str) -> Problem {
        Problem {
            type_uri: Some(format!("{ACME_ERROR_NS}{kind}")),
            detail: Some(detail.into()),
            ..Problem::default()
        }
    }

    /// The wording of real CAs: Let's Encrypt's (Boulder's) and Pebble's validation failures.
    #[test]
    fn hints_for_common_validation_failures() {
        let cases = [
            ("dns", "DNS problem: NXDOMAIN looking up TXT for _acme-challenge.a.example - check that a DNS record exists for this domain", "could not see the TXT record"),
            ("unauthorized", "No TXT record found at _acme-challenge.a.example", "could not see the TXT record"),
            ("unauthorized", "Incorrect TXT record \"abc\" found at _acme-challenge.a.example", "none with the expected value"),
            ("unauthorized", "Correct value not found for DNS challenge", "none with the expected value"),
            ("unauthorized", "Invalid response from http://a.example/.well-known/acme-challenge/x: 404", "could not find the file"),
            ("unauthorized", "The key authorization file from the server did not match this challenge. Expected \"a.b\" (got \"c\")", "value is wrong"),
            ("connection", "127.0.0.1: Fetching http://a.example/.well-known/acme-challenge/x: Connection refused", "could not connect"),
            ("connection", "Timeout during connect (likely firewall problem)", "could not connect"),
        ];
        for (kind, detail, expected) in cases {
            let hint = problem_of(kind, detail).hint();
            assert!(hint.contains(expected), "{detail:?} gave {hint:?}");
        }
    }

    #[test]
    fn rate_limit_hint_says_when() {
        let p = Problem {
            type_uri: Some(format!("{ACME_ERROR_NS}rateLimited")),
            retry_after: Some(Duration::from_secs(3600)),
            ..Problem::default()
        };
        assert!(p.hint().contains("in 60 minutes"), "{}", p.hint());
    }

    #[test]
    fn unknown_and_foreign_types_are_other() {
        let p: Problem = serde_json::from_str(r#"{"type":"about:blank","status":500}"#).unwrap();
        assert_eq!(p.kind(), ProblemKind::Other);
        assert_eq!(p.to_string(), "no details given (about:blank)");
    }

    /// fuzz/corpus/acme_json/crash-empty-detail: an empty detail and no type showed an empty message.
    #[test]
    fn an_empty_detail_is_no_detail() {
        let p: Problem = serde_json::from_str(r#"{"detail":"","status":426}"#).unwrap();
        assert_eq!(p.to_string(), "no details given");
        let p: Problem = serde_json::from_str(r#"{"title":"Upgrade","detail":" "}"#).unwrap();
        assert_eq!(p.to_string(), "Upgrade");
    }

    #[test]
    fn tolerates_missing_members() {
        let p: Problem = serde_json::from_str("{}").unwrap();
        assert_eq!(p.kind(), ProblemKind::Other);
    }
}
