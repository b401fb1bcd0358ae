//! Authorizations and challenges (RFC 8555 §7.1.4, §8), key authorizations (§8.1) and what a person must
//! place for each challenge type: the dns-01 TXT record (§8.4), the http-01 file (§8.3), or the lasting
//! dns-persist-01 record (draft-ietf-acme-dns-persist-01 §4, built in [`crate::acme::persist`]).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::acme::account::AccountCredentials;
use crate::acme::identifier::{Identifier, IdentifierKind};
use crate::acme::persist::{
    validation_domain_name, PersistChallenge, PersistChoice, PersistError, PersistRecord,
};
use crate::acme::problem::Problem;
use crate::b64;
use crate::pki::key::PrivateKey;

/// The status of an authorization (§7.1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthorizationStatus {
    Pending,
    Valid,
    Invalid,
    Deactivated,
    Expired,
    Revoked,
    Unknown,
}

crate::json::wire_names!(AuthorizationStatus {
    Pending = "pending",
    Valid = "valid",
    Invalid = "invalid",
    Deactivated = "deactivated",
    Expired = "expired",
    Revoked = "revoked",
    Unknown = "unknown",
}, other = Unknown);

impl AuthorizationStatus {
    /// The status as ACME names it (§7.1.6).
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorizationStatus::Pending => "pending",
            AuthorizationStatus::Valid => "valid",
            AuthorizationStatus::Invalid => "invalid",
            AuthorizationStatus::Deactivated => "deactivated",
            AuthorizationStatus::Expired => "expired",
            AuthorizationStatus::Revoked => "revoked",
            AuthorizationStatus::Unknown => "unknown",
        }
    }
}

/// The status of a challenge (§7.1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChallengeStatus {
    Pending,
    Processing,
    Valid,
    Invalid,
    Unknown,
}

crate::json::wire_names!(ChallengeStatus {
    Pending = "pending",
    Processing = "processing",
    Valid = "valid",
    Invalid = "invalid",
    Unknown = "unknown",
}, other = Unknown);

/// A challenge type (RFC 8555 §8, and the types CAs list beside it today). The ones this client cannot
/// complete from a page still parse, so an authorization that offers them is never refused.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(from = "String", into = "String")]
#[non_exhaustive]
pub enum ChallengeType {
    /// A file served over HTTP (§8.3).
    Http01,
    /// A TXT record at `_acme-challenge.<name>` (§8.4).
    Dns01,
    /// A certificate in a TLS handshake (RFC 8737); a page cannot answer it.
    TlsAlpn01,
    /// One persistent TXT record (draft-ietf-acme-dns-persist): its challenge object, record and check
    /// are in [`crate::acme::persist`].
    DnsPersist01,
    /// A TXT record scoped to the account (draft-ietf-acme-dns-account-label).
    DnsAccount01,
    /// Any other type, as the CA named it.
    Unknown(String),
}

impl ChallengeType {
    /// The type as ACME names it (`"dns-01"`, …).
    pub fn as_str(&self) -> &str {
        match self {
            ChallengeType::Http01 => "http-01",
            ChallengeType::Dns01 => "dns-01",
            ChallengeType::TlsAlpn01 => "tls-alpn-01",
            ChallengeType::DnsPersist01 => "dns-persist-01",
            ChallengeType::DnsAccount01 => "dns-account-01",
            ChallengeType::Unknown(name) => name,
        }
    }
}

impl From<String> for ChallengeType {
    fn from(name: String) -> Self {
        match name.as_str() {
            "http-01" => ChallengeType::Http01,
            "dns-01" => ChallengeType::Dns01,
            "tls-alpn-01" => ChallengeType::TlsAlpn01,
            "dns-persist-01" => ChallengeType::DnsPersist01,
            "dns-account-01" => ChallengeType::DnsAccount01,
            _ => ChallengeType::Unknown(name),
        }
    }
}

impl From<&str> for ChallengeType {
    fn from(name: &str) -> Self {
        ChallengeType::from(name.to_string())
    }
}

impl From<ChallengeType> for String {
    fn from(kind: ChallengeType) -> Self {
        kind.as_str().to_string()
    }
}

impl std::fmt::Display for ChallengeType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An authorization object.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Authorization {
    pub identifier: Identifier,
    pub status: AuthorizationStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, deserialize_with = "crate::acme::null_as_default")]
    pub challenges: Vec<Challenge>,
    #[serde(
        default,
        deserialize_with = "crate::acme::null_as_default",
        skip_serializing_if = "std::ops::Not::not"
    )]
    pub wildcard: bool,
}

/// An authorization with its URL, as kept in the app's saved state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuthorizationHandle {
    pub url: String,
    pub authorization: Authorization,
}

impl Authorization {
    /// The challenge of the given type, if the CA offered it.
    pub fn challenge(&self, challenge_type: &ChallengeType) -> Option<&Challenge> {
        self.challenges
            .iter()
            .find(|c| &c.challenge_type == challenge_type)
    }

    /// The name as it would appear in the order: `*.example.com` for a wildcard authorization, whose
    /// identifier carries only `example.com` (§7.1.4).
    pub fn display_name(&self) -> String {
        if self.wildcard {
            format!("*.{}", self.identifier.value)
        } else {
            self.identifier.value.clone()
        }
    }

    /// Resolves relative challenge URLs against the URL the authorization was read from.
    pub fn resolve_urls(&mut self, base: &str) {
        for challenge in &mut self.challenges {
            challenge.url = crate::acme::transport::resolve_url(base, &challenge.url);
        }
    }

    /// The first problem among the challenges, which says why an invalid authorization failed.
    pub fn failure(&self) -> Option<&Problem> {
        self.challenges.iter().find_map(|c| c.error.as_ref())
    }
}

/// A challenge object (§7.1.5, §8).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Challenge {
    #[serde(rename = "type")]
    pub challenge_type: ChallengeType,
    pub url: String,
    pub status: ChallengeStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validated: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Problem>,
    /// dns-persist-01: the names the record may give for the CA (draft-ietf-acme-dns-persist-01 §3.1;
    /// -02 spells the member `issuerDomainNames`). Empty for every other type.
    #[serde(
        rename = "issuer-domain-names",
        alias = "issuerDomainNames",
        default,
        deserialize_with = "crate::acme::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub issuer_domain_names: Vec<String>,
}

/// Why a challenge cannot be prepared.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    #[error("{}", crate::t!(
        "the CA offered no {challenge_type} challenge for {name}",
        challenge_type = .0,
        name = .1
    ))]
    NotOffered(ChallengeType, String),
    #[error("{}", crate::t!("the {challenge_type} challenge has no token", challenge_type = .0))]
    MissingToken(ChallengeType),
    /// A token is base64url by §8.1; anything else could smuggle a path (`../`) into the HTTP-01 file name.
    #[error("{}", crate::t!(
        "the CA sent a malformed challenge token {token}",
        token = format!("{:?}", .0)
    ))]
    MalformedToken(String),
    #[error("{}", crate::t!(
        "{challenge_type} challenges cannot be completed by this client",
        challenge_type = .0
    ))]
    Unsupported(ChallengeType),
    #[error("{}", crate::t!(
        "the CA sent an unusable dns-persist-01 challenge: {reason}",
        reason = .0
    ))]
    Persist(PersistError),
}

/// The key authorization of §8.1: `token || '.' || base64url(JWK thumbprint of the account key)`.
pub fn key_authorization(token: &str, account_key: &PrivateKey) -> Result<String, ChallengeError> {
    check_token(token)?;
    Ok(format!("{token}.{}", account_key.thumbprint()))
}

fn check_token(token: &str) -> Result<(), ChallengeError> {
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if token.is_empty() || !token.chars().all(base64url) {
        return Err(ChallengeError::MalformedToken(token.to_string()));
    }
    Ok(())
}

/// What a person must place before the CA looks.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Placement {
    /// dns-01 (§8.4): a TXT record at `_acme-challenge.<name>` whose value is base64url(SHA-256(key
    /// authorization)).
    Dns01 { record_name: String, value: String },
    /// http-01 (§8.3): the key authorization served at `http://<name>/.well-known/acme-challenge/<token>`.
    Http01 {
        url: String,
        path: String,
        token: String,
        content: String,
    },
    /// dns-persist-01 (draft-ietf-acme-dns-persist-01 §4): one TXT record at
    /// `_validation-persist.<name>` naming the CA and the account, left in place for later issuances.
    DnsPersist01 {
        record_name: String,
        record: PersistRecord,
        /// Every name the CA accepts for itself in the record (§3.1); the record uses the first.
        issuer_domain_names: Vec<String>,
    },
}

impl Placement {
    /// The zone-file line of a TXT record, as many DNS panels accept for import.
    pub fn zone_file_line(&self) -> Option<String> {
        match self {
            Placement::Dns01 { record_name, value } => {
                Some(format!("{record_name}. 300 IN TXT \"{value}\""))
            }
            Placement::DnsPersist01 {
                record_name,
                record,
                ..
            } => Some(record.zone_file_line(record_name)),
            Placement::Http01 { .. } => None,
        }
    }
}

/// The record or file for one challenge of an authorization. The account signs the key authorization
/// of dns-01 and http-01 (§8.1) and is named by its URL in a dns-persist-01 record, whose other parts
/// are the person's `persist` choice.
pub fn placement(
    authorization: &Authorization,
    challenge: &Challenge,
    account: &AccountCredentials,
    persist: PersistChoice,
) -> Result<Placement, ChallengeError> {
    match challenge.challenge_type {
        ChallengeType::Dns01 | ChallengeType::Http01 => {}
        ChallengeType::DnsPersist01 => {
            return persist_placement(authorization, challenge, &account.url, persist)
        }
        // Refused by type before the token is looked for: "no token" would blame the CA for what this
        // function does not do.
        _ => {
            return Err(ChallengeError::Unsupported(
                challenge.challenge_type.clone(),
            ))
        }
    }
    let token = challenge
        .token
        .as_deref()
        .ok_or_else(|| ChallengeError::MissingToken(challenge.challenge_type.clone()))?;
    let key_auth = key_authorization(token, &account.key)?;
    let name = &authorization.identifier.value;
    match &challenge.challenge_type {
        ChallengeType::Dns01 => Ok(Placement::Dns01 {
            record_name: format!("_acme-challenge.{name}"),
            value: b64::encode(Sha256::digest(key_auth.as_bytes())),
        }),
        ChallengeType::Http01 => {
            let path = format!("/.well-known/acme-challenge/{token}");
            let host = match authorization.identifier.kind {
                // RFC 8738 §3: an IPv6 address in a URL is bracketed.
                IdentifierKind::Ip if name.contains(':') => format!("[{name}]"),
                _ => name.clone(),
            };
            Ok(Placement::Http01 {
                url: format!("http://{host}{path}"),
                path,
                token: token.to_string(),
                content: key_auth,
            })
        }
        other => Err(ChallengeError::Unsupported(other.clone())),
    }
}

/// The dns-persist-01 record for `account_url`: at the name's validation domain name (a wildcard's is
/// its base name's, §10.2), with `policy=wildcard` when the person wants it or the name is a wildcard.
fn persist_placement(
    authorization: &Authorization,
    challenge: &Challenge,
    account_url: &str,
    choice: PersistChoice,
) -> Result<Placement, ChallengeError> {
    let persist = PersistChallenge::of(challenge);
    let record = persist
        .record(account_url, choice.wildcard || authorization.wildcard)
        .map_err(ChallengeError::Persist)?;
    Ok(Placement::DnsPersist01 {
        record_name: validation_domain_name(&authorization.identifier.value),
        record: PersistRecord {
            persist_until: choice.persist_until,
            ..record
        },
        issuer_domain_names: persist.issuer_domain_names,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The authorization object of RFC 8555 §7.1.4.
    const RFC_8555_AUTHZ: &str = r#"{
     "status": "valid",
     "expires": "2015-03-01T14:09:07.99Z",

     "identifier": {
       "type": "dns",
       "value": "www.example.org"
     },

     "challenges": [
       {
         "url": "https://example.com/acme/chall/prV_B7yEyA4",
         "type": "http-01",
         "status": "valid",
         "token": "DGyRejmCefe7v4NfDGDKfA",
         "validated": "2014-12-01T12:05:58.16Z"
       }
     ],

     "wildcard": false
   }"#;

    #[test]
    fn parses_rfc_8555_example() {
        let authz: Authorization = serde_json::from_str(RFC_8555_AUTHZ).unwrap();
        assert_eq!(authz.status, AuthorizationStatus::Valid);
        let http = authz.challenge(&ChallengeType::Http01).unwrap();
        assert_eq!(http.token.as_deref(), Some("DGyRejmCefe7v4NfDGDKfA"));
        assert_eq!(http.status, ChallengeStatus::Valid);
        assert!(authz.challenge(&ChallengeType::Dns01).is_none());
    }

    fn authz(
        name: &str,
        kind: IdentifierKind,
        wildcard: bool,
        challenge_type: &str,
        token: &str,
    ) -> Authorization {
        Authorization {
            identifier: Identifier {
                kind,
                value: name.into(),
            },
            status: AuthorizationStatus::Pending,
            expires: None,
            challenges: vec![Challenge {
                challenge_type: challenge_type.into(),
                url: "https://ca.example/chall/1".into(),
                status: ChallengeStatus::Pending,
                token: Some(token.into()),
                validated: None,
                error: None,
                issuer_domain_names: Vec::new(),
            }],
            wildcard,
        }
    }

    fn account() -> AccountCredentials {
        AccountCredentials {
            url: "https://ca.example/acct/123".into(),
            key: PrivateKey::generate(crate::pki::key::KeyType::P256).unwrap(),
        }
    }

    #[test]
    fn dns01_record_is_hash_of_key_authorization() {
        let account = account();
        let key = &account.key;
        let a = authz(
            "example.org",
            IdentifierKind::Dns,
            true,
            "dns-01",
            "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA",
        );
        let placed = placement(&a, &a.challenges[0], &account, PersistChoice::default()).unwrap();
        let key_auth = format!(
            "evaGxfADs6pSRb2LAv9IZf17Dt3juxGJ-PCt92wr-oA.{}",
            key.thumbprint()
        );
        let expected = b64::encode(Sha256::digest(key_auth.as_bytes()));
        assert_eq!(
            placed,
            Placement::Dns01 {
                record_name: "_acme-challenge.example.org".into(),
                value: expected.clone()
            }
        );
        assert_eq!(a.display_name(), "*.example.org");
        assert_eq!(
            placed.zone_file_line().unwrap(),
            format!("_acme-challenge.example.org. 300 IN TXT \"{expected}\"")
        );
    }

    #[test]
    fn http01_file_for_names_and_ipv6() {
        let account = account();
        let key = &account.key;
        let a = authz(
            "2001:db8::1",
            IdentifierKind::Ip,
            false,
            "http-01",
            "tok_en-1",
        );
        match placement(&a, &a.challenges[0], &account, PersistChoice::default()).unwrap() {
            Placement::Http01 {
                url, path, content, ..
            } => {
                assert_eq!(
                    url,
                    "http://[2001:db8::1]/.well-known/acme-challenge/tok_en-1"
                );
                assert_eq!(path, "/.well-known/acme-challenge/tok_en-1");
                assert_eq!(content, format!("tok_en-1.{}", key.thumbprint()));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn refuses_tokens_that_are_not_base64url() {
        let account = account();
        for token in ["../../etc/passwd", "", "a b", "x/y"] {
            let a = authz("a.example", IdentifierKind::Dns, false, "http-01", token);
            assert_eq!(
                placement(&a, &a.challenges[0], &account, PersistChoice::default()),
                Err(ChallengeError::MalformedToken(token.into()))
            );
        }
    }

    /// An authorization offering dns-persist-01 (the challenge object of draft-ietf-acme-dns-persist-01
    /// §3.1, without a token) beside dns-01: the challenge keeps its issuer domain names (either
    /// spelling), and its placement is the one record at `_validation-persist.<name>` for the account URL.
    #[test]
    fn authorization_offering_dns_persist_places_its_record() {
        let persist = r#"{
         "type": "dns-persist-01",
         "url": "https://ca.example/acme/authz/1234/0",
         "status": "pending",
         "issuer-domain-names": ["authority.example", "ca.example.net"]
       }"#;
        let json = format!(
            r#"{{"status": "pending", "identifier": {{"type": "dns", "value": "example.com"}},
              "challenges": [{persist}, {{"type": "dns-01", "url": "https://ca.example/chall/2",
              "status": "pending", "token": "tok"}}]}}"#
        );
        let a: Authorization = serde_json::from_str(&json).unwrap();
        let offered = a.challenge(&ChallengeType::DnsPersist01).unwrap();
        assert_eq!(offered.token, None);
        assert_eq!(offered.url, "https://ca.example/acme/authz/1234/0");
        assert_eq!(
            offered.issuer_domain_names,
            ["authority.example", "ca.example.net"]
        );
        let renamed: Challenge =
            serde_json::from_str(&persist.replace("issuer-domain-names", "issuerDomainNames"))
                .unwrap();
        assert_eq!(&renamed, offered);
        // Saved and read back with the member, and without it for the other types.
        let saved = serde_json::to_value(&a).unwrap();
        assert_eq!(
            saved["challenges"][0]["issuer-domain-names"][1],
            "ca.example.net"
        );
        assert!(saved["challenges"][1].get("issuer-domain-names").is_none());

        let account = account();
        let placed = placement(&a, offered, &account, PersistChoice::default()).unwrap();
        let Placement::DnsPersist01 {
            record_name,
            record,
            issuer_domain_names,
        } = &placed
        else {
            panic!("{placed:?}")
        };
        assert_eq!(record_name, "_validation-persist.example.com");
        assert_eq!(
            record.value(),
            "authority.example; accounturi=https://ca.example/acct/123"
        );
        assert_eq!(issuer_domain_names, &offered.issuer_domain_names);
        assert_eq!(
            placed.zone_file_line().unwrap(),
            "_validation-persist.example.com. 3600 IN TXT \
             \"authority.example; accounturi=https://ca.example/acct/123\""
        );
        // The person's choice: policy=wildcard and a persistUntil.
        let chosen = PersistChoice {
            wildcard: true,
            persist_until: Some(1_721_952_000),
        };
        assert!(matches!(
            placement(&a, offered, &account, chosen),
            Ok(Placement::DnsPersist01 { record, .. }) if record.value()
                == "authority.example; accounturi=https://ca.example/acct/123; policy=wildcard; \
                    persistUntil=1721952000"
        ));
        let dns = a.challenge(&ChallengeType::Dns01).unwrap();
        assert!(matches!(
            placement(&a, dns, &account, chosen),
            Ok(Placement::Dns01 { record_name, .. }) if record_name == "_acme-challenge.example.com"
        ));
    }

    /// A wildcard authorization carries the base name; its record is the base name's and always has
    /// policy=wildcard (draft §10.2). A challenge without issuer names is refused (§3.1).
    #[test]
    fn dns_persist_for_a_wildcard_and_a_malformed_challenge() {
        let account = account();
        let mut a = authz(
            "example.org",
            IdentifierKind::Dns,
            true,
            "dns-persist-01",
            "unused",
        );
        a.challenges[0].token = None;
        a.challenges[0].issuer_domain_names = vec!["ca.example".into()];
        assert!(matches!(
            placement(&a, &a.challenges[0], &account, PersistChoice::default()),
            Ok(Placement::DnsPersist01 { record_name, record, .. })
                if record_name == "_validation-persist.example.org" && record.wildcard
        ));
        a.challenges[0].issuer_domain_names.clear();
        assert_eq!(
            placement(&a, &a.challenges[0], &account, PersistChoice::default()),
            Err(ChallengeError::Persist(PersistError::NoIssuerDomainNames))
        );
    }

    #[test]
    fn tls_alpn_is_refused_clearly() {
        let account = account();
        let a = authz(
            "a.example",
            IdentifierKind::Dns,
            false,
            "tls-alpn-01",
            "abc",
        );
        assert_eq!(
            placement(&a, &a.challenges[0], &account, PersistChoice::default()),
            Err(ChallengeError::Unsupported("tls-alpn-01".into()))
        );
    }
}
