//! dns-persist-01 (draft-ietf-acme-dns-persist-01, the revision Let's Encrypt's Boulder cites): one
//! TXT record at `_validation-persist.<name>` that names the CA and the ACME account, left in place and
//! reused for every later issuance.
//!
//! Here: the challenge object (§3.1), the validation domain name (§4), the record value, which is an
//! RFC 8659 §4.2 issue-value (§4.1), built from [`PersistRecord`] and parsed back from what DNS returns,
//! whether the TXT strings seen at that name satisfy the challenge for an account (§4.2, §4.3.2), and
//! whether a record's persistUntil is near (§7.9). Nothing here does I/O or reads the clock.
//!
//! Revision -02 (September 2026) renames the challenge member `issuer-domain-names` to
//! `issuerDomainNames` and replaces the plain account URL in `accounturi` with a hashed URI. Both
//! spellings are read, and [`hashed_account_uri`] computes the -02 value, so a CA that moves to -02 needs
//! no new parser: the record's `accounturi` is then that hashed URI instead of the account URL.
//!
//! In the issuance flow: a [`crate::acme::authorization::Challenge`] keeps the issuer domain names,
//! [`crate::acme::authorization::placement`] turns it into the record for the account URL and the
//! person's [`PersistChoice`], and the page checks what DNS-over-HTTPS returns with [`satisfies`], so a
//! record written with other spacing or case still counts. The challenge is answered with `{}`, as the
//! RFC 8555 types are (RFC 8555 §7.5.1): the record, not the answer, carries the proof.
//!
//! One file of about 1000 lines because over half of it is tests quoting the draft's examples.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::acme::authorization::{Challenge, ChallengeStatus, ChallengeType};
use crate::b64;

/// The label prepended to the name being validated (§2, §4).
pub const VALIDATION_LABEL: &str = "_validation-persist";
/// The most issuer domain names a challenge may list (§3.1).
pub const MAX_ISSUER_DOMAIN_NAMES: usize = 10;
/// The longest issuer domain name, in octets (§3.1).
const MAX_NAME_OCTETS: usize = 253;

/// Why a dns-persist-01 challenge or record cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PersistError {
    #[error("{}", crate::t!(
        "the challenge is {challenge_type}, not dns-persist-01",
        challenge_type = .0
    ))]
    NotPersist(ChallengeType),
    #[error("{}", crate::t!(
        "the dns-persist-01 challenge object is malformed: {error}",
        error = .0
    ))]
    Json(String),
    #[error("{}", crate::t!("the dns-persist-01 challenge lists no issuer domain names"))]
    NoIssuerDomainNames,
    #[error("{}", crate::t!(
        "the dns-persist-01 challenge lists {count} issuer domain names; at most 10 are allowed",
        count = .0
    ))]
    TooManyIssuerDomainNames(usize),
    #[error("{}", crate::t!(
        "the issuer domain name {name} is not a lowercase A-label name without a trailing dot",
        name = format!("{:?}", .0)
    ))]
    BadIssuerDomainName(String),
    #[error("{}", crate::t!("the record names no issuer domain"))]
    MissingIssuer,
    #[error("{}", crate::t!(
        "the record's issuer domain {name} is not a domain name",
        name = format!("{:?}", .0)
    ))]
    MalformedIssuer(String),
    #[error("{}", crate::t!(
        "the record's parameter {parameter} is not tag=value",
        parameter = format!("{:?}", .0)
    ))]
    MalformedParameter(String),
    #[error("{}", crate::t!(
        "the record has the parameter {parameter} twice",
        parameter = .0
    ))]
    DuplicateParameter(String),
    #[error("{}", crate::t!("the record has no accounturi parameter"))]
    MissingAccountUri,
    #[error("{}", crate::t!(
        "the record's persistUntil {value} is not a base-10 integer",
        value = format!("{:?}", .0)
    ))]
    MalformedPersistUntil(String),
    #[error("{}", crate::t!(
        "the domain name {name} is too long to hash",
        name = format!("{:?}", .0)
    ))]
    NameTooLong(String),
}

/// The dns-persist-01 challenge object (§3.1). It carries no token: the record depends only on the CA,
/// the account and the name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersistChallenge {
    #[serde(rename = "type")]
    pub challenge_type: ChallengeType,
    pub url: String,
    pub status: ChallengeStatus,
    /// The names the record may use as its issuer-domain-name; any one of them satisfies the CA.
    #[serde(
        rename = "issuer-domain-names",
        alias = "issuerDomainNames",
        default,
        deserialize_with = "crate::acme::null_as_default"
    )]
    pub issuer_domain_names: Vec<String>,
    /// The account URI the CA expects, when it says (the working text between -00 and -02 had this
    /// member; some clients read it).
    #[serde(
        rename = "accounturi",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub account_uri: Option<String>,
}

impl PersistChallenge {
    /// The persist view of a challenge object an authorization carried (not checked yet).
    pub fn of(challenge: &Challenge) -> Self {
        PersistChallenge {
            challenge_type: challenge.challenge_type.clone(),
            url: challenge.url.clone(),
            status: challenge.status,
            issuer_domain_names: challenge.issuer_domain_names.clone(),
            account_uri: None,
        }
    }

    /// Reads a challenge object and checks it (§3.1).
    pub fn from_json(json: &str) -> Result<Self, PersistError> {
        let challenge: PersistChallenge =
            crate::json::from_text(json).map_err(|e| PersistError::Json(e.to_string()))?;
        challenge.check()?;
        Ok(challenge)
    }

    /// §3.1: a client MUST reject a challenge whose issuer domain names are empty or more than 10; each
    /// is a lowercase A-label name without a trailing dot, at most 253 octets.
    pub fn check(&self) -> Result<(), PersistError> {
        if self.challenge_type != ChallengeType::DnsPersist01 {
            return Err(PersistError::NotPersist(self.challenge_type.clone()));
        }
        match self.issuer_domain_names.len() {
            0 => return Err(PersistError::NoIssuerDomainNames),
            n if n > MAX_ISSUER_DOMAIN_NAMES => {
                return Err(PersistError::TooManyIssuerDomainNames(n))
            }
            _ => {}
        }
        match self
            .issuer_domain_names
            .iter()
            .find(|name| normalize_issuer(name).as_deref() != Some(name.as_str()))
        {
            Some(bad) => Err(PersistError::BadIssuerDomainName(bad.clone())),
            None => Ok(()),
        }
    }

    /// The record for `account_uri`, using the first issuer domain name (§7.6: their order means
    /// nothing, so the first is as good as any and stays the same across challenges).
    pub fn record(&self, account_uri: &str, wildcard: bool) -> Result<PersistRecord, PersistError> {
        self.check()?;
        Ok(PersistRecord {
            wildcard,
            ..PersistRecord::new(&self.issuer_domain_names[0], account_uri)
        })
    }

    /// What a record must hold for this challenge (§4.2).
    pub fn expected<'a>(&'a self, account_uri: &'a str, wildcard: bool) -> Expected<'a> {
        Expected {
            issuer_domain_names: &self.issuer_domain_names,
            account_uri,
            wildcard,
        }
    }
}

/// The validation domain name for a name (§4): `_validation-persist.<name>`. A wildcard name maps to its
/// base name, where the record for the wildcard lives (§10.2), as its authorization's identifier does
/// (RFC 8555 §7.1.4).
pub fn validation_domain_name(name: &str) -> String {
    let name = name.strip_suffix('.').unwrap_or(name);
    let base = name.strip_prefix("*.").unwrap_or(name);
    format!("{VALIDATION_LABEL}.{base}")
}

/// One `_validation-persist` record value (§4.1).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistRecord {
    /// One of the challenge's issuer domain names, normalized (§3.1).
    pub issuer_domain_name: String,
    /// The `accounturi` parameter: the account URL (RFC 8555 §7.3), compared without any case folding.
    pub account_uri: String,
    /// `policy=wildcard`: the record also covers the wildcard and every subdomain (§5.1).
    pub wildcard: bool,
    /// `persistUntil`, in seconds since the Unix epoch: the record is not valid after it (§4.1 item 5).
    pub persist_until: Option<i64>,
}

impl PersistRecord {
    /// A record for exactly the name it is placed at, without an end.
    pub fn new(issuer_domain_name: &str, account_uri: &str) -> Self {
        PersistRecord {
            issuer_domain_name: issuer_domain_name.to_string(),
            account_uri: account_uri.to_string(),
            wildcard: false,
            persist_until: None,
        }
    }

    /// The TXT value, with parameters in the draft's order and separators: `authority.example;
    /// accounturi=…; policy=wildcard; persistUntil=…` (§10). The fields must fit the issue-value grammar
    /// (an account URL does); [`PersistRecord::parse`] then returns this record.
    pub fn value(&self) -> String {
        let mut parts = vec![
            self.issuer_domain_name.clone(),
            format!("accounturi={}", self.account_uri),
        ];
        if self.wildcard {
            parts.push("policy=wildcard".into());
        }
        if let Some(until) = self.persist_until {
            parts.push(format!("persistUntil={until}"));
        }
        parts.join("; ")
    }

    /// The zone-file line (TTL 3600 as in §4.3.4), its value cut into quoted strings of at most 255
    /// octets (§9.1, RFC 1035 §3.3.14) with `"` and `\` escaped (RFC 1035 §5.1).
    pub fn zone_file_line(&self, record_name: &str) -> String {
        let strings: Vec<String> = self
            .value()
            .as_bytes()
            .chunks(255)
            .map(|chunk| format!("\"{}\"", zone_escape(&String::from_utf8_lossy(chunk))))
            .collect();
        format!("{record_name}. 3600 IN TXT {}", strings.join(" "))
    }

    /// Parses a TXT value as DNS returns it (§4.1): tolerant where the draft is (white space around
    /// every part, the case and trailing dot of the issuer domain name, the case of tags and of the
    /// policy value, unknown parameters ignored), strict where it says a record is malformed (§9.3.1:
    /// a duplicate parameter, no accounturi, a persistUntil that is not an integer, anything outside the
    /// RFC 8659 grammar).
    pub fn parse(value: &str) -> Result<Self, PersistError> {
        let (head, params) = split_issue_value(value);
        let issuer_domain_name = parse_issuer(head)?;
        let mut record = PersistRecord::new(&issuer_domain_name, "");
        let mut account_uri = None;
        let mut seen = Vec::new();
        for param in params {
            let (tag, value) = parse_parameter(param)?;
            let tag = tag.to_ascii_lowercase();
            if seen.contains(&tag) {
                return Err(PersistError::DuplicateParameter(tag));
            }
            match tag.as_str() {
                "accounturi" => account_uri = Some(value.to_string()),
                "policy" => record.wildcard = value.eq_ignore_ascii_case("wildcard"),
                "persistuntil" => record.persist_until = Some(parse_persist_until(value)?),
                // §4.1 item 1: unknown tags are ignored, for forward compatibility.
                _ => {}
            }
            seen.push(tag);
        }
        record.account_uri = account_uri
            .filter(|uri| !uri.is_empty())
            .ok_or(PersistError::MissingAccountUri)?;
        Ok(record)
    }

    /// True once `now` is after persistUntil (§4.1 item 5: "after the specified timestamp").
    pub fn is_expired(&self, now: SystemTime) -> bool {
        self.persist_until
            .is_some_and(|until| unix_nanos(now) > seconds_to_nanos(until))
    }

    /// True when persistUntil has passed or is at most `threshold` away: time to extend or replace the
    /// record before a renewal trips on it (§7.9; -02 §9.4 asks clients to warn).
    pub fn persist_until_near(&self, now: SystemTime, threshold: Duration) -> bool {
        self.persist_until.is_some_and(|until| {
            seconds_to_nanos(until) - unix_nanos(now) <= threshold.as_nanos() as i128
        })
    }
}

impl std::fmt::Display for PersistRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.value())
    }
}

/// What the person chooses for the record (§4.1): whether it also covers the wildcard and every
/// subdomain, and when it stops counting. Kept per authorization by the flow; the rest of the record
/// comes from the CA and the account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PersistChoice {
    /// `policy=wildcard` (§5.1). A wildcard authorization needs it whatever this says (§10.2).
    #[serde(default)]
    pub wildcard: bool,
    /// `persistUntil`, in seconds since the Unix epoch; `None`: the record has no end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persist_until: Option<i64>,
}

/// How close a persistUntil may come before the page warns that later renewals will need a new record
/// (§7.9; -02 §9.4 asks clients to warn).
pub const PERSIST_UNTIL_WARNING: Duration = Duration::from_secs(30 * 86_400);

/// The persistUntil of 00:00 UTC on an ISO 8601 calendar date (`2027-06-30`, what a date input gives);
/// `None` for anything else.
pub fn persist_until_from_date(date: &str) -> Option<i64> {
    let mut parts = date.trim().splitn(3, '-');
    let year: i32 = parts.next()?.parse().ok()?;
    let month: u8 = parts.next()?.parse().ok()?;
    let day: u8 = parts.next()?.parse().ok()?;
    let date =
        time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    Some(date.midnight().assume_utc().unix_timestamp())
}

/// The UTC calendar date of a persistUntil (`2027-06-30`), as a date input shows it.
pub fn persist_until_date(until: i64) -> Option<String> {
    let date = time::OffsetDateTime::from_unix_timestamp(until)
        .ok()?
        .date();
    Some(format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    ))
}

/// What a record must hold to satisfy a challenge for one account (§4.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expected<'a> {
    /// The challenge's issuer domain names.
    pub issuer_domain_names: &'a [String],
    /// The account URL (or, under -02, the hashed URI).
    pub account_uri: &'a str,
    /// The authorization is for a wildcard (RFC 8555 §7.1.4 `"wildcard": true`).
    pub wildcard: bool,
}

/// Why the TXT records at the validation domain name would not satisfy the challenge: the malformed and
/// unauthorized cases of §9.3.1, the most telling first.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("{}", crate::t!("there is no TXT record"))]
    NoRecords,
    #[error("{}", crate::t!(
        "the TXT records name other issuers: {issuers}",
        issuers = .0.join(", ")
    ))]
    OtherIssuers(Vec<String>),
    #[error("{}", crate::t!(
        "the record for this CA is malformed: {error}",
        error = .0
    ))]
    Malformed(PersistError),
    #[error("{}", crate::t!(
        "the record names another account: {account}",
        account = .0
    ))]
    WrongAccount(String),
    #[error("{}", crate::t!("the record lacks policy=wildcard, which a wildcard and its subdomains need"))]
    NotWildcard,
    #[error("{}", crate::t!(
        "the record's persistUntil ({persist_until}) has passed",
        persist_until = .0
    ))]
    Expired(i64),
}

/// Whether the TXT strings seen at the validation domain name (one string per record, its
/// character-strings joined) satisfy the challenge at `now`, as the CA decides it (§4.2, §4.3.2): some
/// record names one of its issuers, the account, `policy=wildcard` when the name is a wildcard, and a
/// persistUntil not passed. Records for other issuers are ignored.
pub fn satisfies<S: AsRef<str>>(
    txt: &[S],
    expected: &Expected,
    now: SystemTime,
) -> Result<PersistRecord, Mismatch> {
    let mut others = Vec::new();
    let mut malformed = None;
    let mut refused = None;
    for value in txt.iter().map(AsRef::as_ref) {
        let issuer = parse_issuer(split_issue_value(value).0).ok();
        match issuer.filter(|i| expected.issuer_domain_names.contains(i)) {
            None => others.push(value.to_string()),
            Some(_) => match PersistRecord::parse(value) {
                Err(err) => malformed = malformed.or(Some(Mismatch::Malformed(err))),
                Ok(record) => match refusal(&record, expected, now) {
                    Some(why) => refused = refused.or(Some(why)),
                    None => return Ok(record),
                },
            },
        }
    }
    Err(malformed.or(refused).unwrap_or(if others.is_empty() {
        Mismatch::NoRecords
    } else {
        Mismatch::OtherIssuers(others)
    }))
}

/// Why a well-formed record for the right issuer does not authorize the account, if it does not.
fn refusal(record: &PersistRecord, expected: &Expected, now: SystemTime) -> Option<Mismatch> {
    // §4.1: Simple String Comparison (RFC 3986 §6.2.1), no case folding.
    if record.account_uri != expected.account_uri {
        return Some(Mismatch::WrongAccount(record.account_uri.clone()));
    }
    if expected.wildcard && !record.wildcard {
        return Some(Mismatch::NotWildcard);
    }
    if record.is_expired(now) {
        return record.persist_until.map(Mismatch::Expired);
    }
    None
}

/// The hashed account URI of -02 §4.1: `<accountHashPrefix>sha-256/<base64url(SHA-256(len(domain) ||
/// domain || thumbprint || account URL))>`. `domain` is the name the record is placed for, or `*` for the
/// form that does not depend on it; `thumbprint` is the account key's base64url JWK thumbprint.
pub fn hashed_account_uri(
    prefix: &str,
    domain: &str,
    thumbprint: &str,
    account_url: &str,
) -> Result<String, PersistError> {
    let length =
        u8::try_from(domain.len()).map_err(|_| PersistError::NameTooLong(domain.to_string()))?;
    let digest = Sha256::new()
        .chain_update([length])
        .chain_update(domain)
        .chain_update(thumbprint)
        .chain_update(account_url)
        .finalize();
    Ok(format!("{prefix}sha-256/{}", b64::encode(digest)))
}

/// Splits an issue-value at its first `;` into the issuer part and the parameters (RFC 8659 §4.2).
fn split_issue_value(value: &str) -> (&str, Vec<&str>) {
    let mut parts = value.split(';');
    let head = parts.next().unwrap_or_default();
    (head, parts.collect())
}

/// The issuer domain name of a record, normalized as §9.2 describes (case, Unicode, trailing dot), then
/// held to RFC 8659's label grammar.
fn parse_issuer(head: &str) -> Result<String, PersistError> {
    let raw = trim_wsp(head);
    if raw.is_empty() {
        return Err(PersistError::MissingIssuer);
    }
    normalize_issuer(raw).ok_or_else(|| PersistError::MalformedIssuer(raw.to_string()))
}

/// Lower case, NFC, A-labels, no trailing dot (§9.2), then `label *("." label)` with `label = (ALPHA /
/// DIGIT) *( *("-") (ALPHA / DIGIT))` (RFC 8659 §4.2) and at most 253 octets (§3.1).
fn normalize_issuer(name: &str) -> Option<String> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let ascii = crate::idn::domain_to_ascii(name).ok()?;
    let ldh = |label: &str| {
        let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        edge(label.chars().next())
            && edge(label.chars().last())
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    (ascii.len() <= MAX_NAME_OCTETS && ascii.split('.').all(ldh)).then_some(ascii)
}

/// One `tag = value` parameter (RFC 8659 §4.2): the tag LDH, the value printable ASCII without `;`.
fn parse_parameter(param: &str) -> Result<(&str, &str), PersistError> {
    let param = trim_wsp(param);
    let malformed = || PersistError::MalformedParameter(param.to_string());
    let (tag, value) = param.split_once('=').ok_or_else(malformed)?;
    let (tag, value) = (trim_wsp(tag), trim_wsp(value));
    let tag_ok = !tag.is_empty()
        && tag.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !tag.starts_with('-')
        && !tag.ends_with('-');
    let value_ok = value
        .chars()
        .all(|c| matches!(c, '\x21'..='\x3a' | '\x3c'..='\x7e'));
    if tag_ok && value_ok {
        Ok((tag, value))
    } else {
        Err(malformed())
    }
}

fn parse_persist_until(value: &str) -> Result<i64, PersistError> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PersistError::MalformedPersistUntil(value.to_string()));
    }
    value
        .parse()
        .map_err(|_| PersistError::MalformedPersistUntil(value.to_string()))
}

/// RFC 5234 WSP (space and horizontal tab), which RFC 8659 allows around every part.
fn trim_wsp(text: &str) -> &str {
    text.trim_matches([' ', '\t'])
}

fn zone_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('"', "\\\"")
}

/// Nanoseconds from the Unix epoch to `time`, negative before it: exact for any time, so persistUntil
/// compares without rounding or overflow.
fn unix_nanos(time: SystemTime) -> i128 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => after.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

fn seconds_to_nanos(seconds: i64) -> i128 {
    i128::from(seconds) * 1_000_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Figure 1 of draft-ietf-acme-dns-persist-01 §3.1 (and §10.1 step 1).
    const DRAFT_CHALLENGE: &str = r#"{
     "type": "dns-persist-01",
     "url": "https://ca.example/acme/authz/1234/0",
     "status": "pending",
     "issuer-domain-names": ["authority.example", "ca.example.net"]
   }"#;

    /// The account URI of the draft's examples (§4.1, §10).
    const ACCOUNT: &str = "https://ca.example/acct/123";

    fn at(unix: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(unix)
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|n| n.to_string()).collect()
    }

    /// A TXT record's value as the draft writes it: quoted character-strings that DNS joins (§9.1).
    fn joined(strings: &[&str]) -> String {
        strings.concat()
    }

    #[test]
    fn parses_the_draft_challenge_object() {
        let challenge = PersistChallenge::from_json(DRAFT_CHALLENGE).unwrap();
        assert_eq!(challenge.challenge_type, ChallengeType::DnsPersist01);
        assert_eq!(challenge.status, ChallengeStatus::Pending);
        assert_eq!(
            challenge.issuer_domain_names,
            ["authority.example", "ca.example.net"]
        );
        assert_eq!(challenge.account_uri, None);
        // -02 §3.1 spells the member issuerDomainNames; some revisions add accounturi.
        let renamed = DRAFT_CHALLENGE.replace("issuer-domain-names", "issuerDomainNames");
        let with_account = DRAFT_CHALLENGE.replace(
            r#""status""#,
            r#""accounturi": "https://ca.example/acct/123", "status""#,
        );
        assert_eq!(PersistChallenge::from_json(&renamed).unwrap(), challenge);
        assert_eq!(
            PersistChallenge::from_json(&with_account)
                .unwrap()
                .account_uri
                .as_deref(),
            Some(ACCOUNT)
        );
    }

    #[test]
    fn refuses_challenges_section_3_1_calls_malformed() {
        let with = |list: &[&str]| PersistChallenge {
            issuer_domain_names: names(list),
            ..PersistChallenge::from_json(DRAFT_CHALLENGE).unwrap()
        };
        assert_eq!(with(&[]).check(), Err(PersistError::NoIssuerDomainNames));
        let eleven: Vec<String> = (0..11).map(|i| format!("ca{i}.example")).collect();
        let eleven: Vec<&str> = eleven.iter().map(String::as_str).collect();
        assert_eq!(
            with(&eleven).check(),
            Err(PersistError::TooManyIssuerDomainNames(11))
        );
        assert!(with(&eleven[..10]).check().is_ok());
        let long = format!("{}.example", vec!["a".repeat(63); 4].join("."));
        for bad in [
            "Authority.example",
            "authority.example.",
            "bücher.example",
            "",
            &long,
        ] {
            assert_eq!(
                with(&["ca.example", bad]).check(),
                Err(PersistError::BadIssuerDomainName(bad.into())),
                "{bad}"
            );
        }
        assert!(with(&["xn--bcher-kva.example"]).check().is_ok());
        let dns01 = DRAFT_CHALLENGE.replace("dns-persist-01", "dns-01");
        assert_eq!(
            PersistChallenge::from_json(&dns01),
            Err(PersistError::NotPersist(ChallengeType::Dns01))
        );
    }

    /// §4: "if the domain being validated is "example.com", the Validation Domain Name would be
    /// "_validation-persist.example.com""; §10.2 places the record for "*.example.com" at the base
    /// domain's name too.
    #[test]
    fn validation_domain_name_of_names_and_wildcards() {
        assert_eq!(
            validation_domain_name("example.com"),
            "_validation-persist.example.com"
        );
        assert_eq!(
            validation_domain_name("*.example.com"),
            "_validation-persist.example.com"
        );
        assert_eq!(
            validation_domain_name("www.example.com."),
            "_validation-persist.www.example.com"
        );
    }

    /// The records of §4.1 Figure 2 / §10.1, §10.2 Figure 4, §10.3 Figure 5 and §10.4 Figure 6.
    fn draft_records() -> Vec<(PersistRecord, String)> {
        let basic = PersistRecord::new("authority.example", ACCOUNT);
        let wildcard = PersistRecord {
            wildcard: true,
            ..basic.clone()
        };
        let until = PersistRecord {
            persist_until: Some(1_721_952_000),
            ..basic.clone()
        };
        let both = PersistRecord {
            persist_until: Some(1_721_952_000),
            ..wildcard.clone()
        };
        vec![
            (
                basic,
                joined(&[
                    "authority.example;",
                    " accounturi=https://ca.example/acct/123",
                ]),
            ),
            (
                wildcard,
                joined(&[
                    "authority.example;",
                    " accounturi=https://ca.example/acct/123;",
                    " policy=wildcard",
                ]),
            ),
            (
                until,
                joined(&[
                    "authority.example;",
                    " accounturi=https://ca.example/acct/123;",
                    " persistUntil=1721952000",
                ]),
            ),
            (
                both,
                joined(&[
                    "authority.example;",
                    " accounturi=https://ca.example/acct/123;",
                    " policy=wildcard;",
                    " persistUntil=1721952000",
                ]),
            ),
        ]
    }

    #[test]
    fn builds_the_draft_records() {
        for (record, text) in draft_records() {
            assert_eq!(record.value(), text);
            assert_eq!(record.to_string(), text);
        }
    }

    #[test]
    fn parses_the_draft_records_back() {
        for (record, text) in draft_records() {
            assert_eq!(PersistRecord::parse(&text), Ok(record));
        }
    }

    /// §4.3.4 Figure 3: two CAs authorized side by side at one name.
    #[test]
    fn parses_the_two_ca_example() {
        let ca1 = PersistRecord::parse(&joined(&[
            "ca1.example;",
            " accounturi=https://ca1.example/acct/12345;",
            " policy=wildcard",
        ]))
        .unwrap();
        let ca2 = PersistRecord::parse(&joined(&[
            "ca2.example;",
            " accounturi=https://ca2.example/acct/67890;",
            " persistUntil=1767225600",
        ]))
        .unwrap();
        assert_eq!(
            (
                ca1.issuer_domain_name.as_str(),
                ca1.wildcard,
                ca1.persist_until
            ),
            ("ca1.example", true, None)
        );
        assert_eq!(
            (ca2.account_uri.as_str(), ca2.wildcard, ca2.persist_until),
            ("https://ca2.example/acct/67890", false, Some(1_767_225_600))
        );
    }

    /// Tolerant where the draft is: white space (RFC 8659 WSP), the issuer name's case, Unicode and
    /// trailing dot (§9.2), tag case (RFC 8659), the policy value's case (§4.1 item 4: "WILDCARD" and
    /// "wildcard" are equivalent), unknown tags (§4.1 item 1), unknown policy values (read as none).
    #[test]
    fn parsing_is_tolerant_where_the_draft_is() {
        let record = PersistRecord::parse(
            "\t Authority.EXAMPLE. ;AccountURI = https://ca.example/acct/123 ;\tPOLICY=WILDCARD; \
             future-tag=x; PERSISTUNTIL=1721952000 ",
        )
        .unwrap();
        assert_eq!(
            record,
            PersistRecord {
                wildcard: true,
                persist_until: Some(1_721_952_000),
                ..PersistRecord::new("authority.example", ACCOUNT)
            }
        );
        let unicode = PersistRecord::parse("Bücher.example; accounturi=x").unwrap();
        assert_eq!(unicode.issuer_domain_name, "xn--bcher-kva.example");
        let other_policy = PersistRecord::parse("ca.example; accounturi=x; policy=subdomains");
        assert!(!other_policy.unwrap().wildcard);
    }

    /// Strict where the draft says a record is malformed (§4.1, §9.3.1) or RFC 8659's grammar forbids.
    #[test]
    fn parsing_is_strict_where_the_draft_is() {
        use PersistError::*;
        let cases = [
            ("authority.example", MissingAccountUri),
            ("authority.example; accounturi=", MissingAccountUri),
            ("authority.example; policy=wildcard", MissingAccountUri),
            ("; accounturi=x", MissingIssuer),
            (
                "authority..example; accounturi=x",
                MalformedIssuer("authority..example".into()),
            ),
            (
                "-ca.example; accounturi=x",
                MalformedIssuer("-ca.example".into()),
            ),
            (
                "ca.example; accounturi=a; AccountUri=b",
                DuplicateParameter("accounturi".into()),
            ),
            (
                "ca.example; accounturi=a; policy=x; Policy=y",
                DuplicateParameter("policy".into()),
            ),
            (
                "ca.example; accounturi=a; persistUntil=soon",
                MalformedPersistUntil("soon".into()),
            ),
            (
                "ca.example; accounturi=a; persistUntil=1.5e9",
                MalformedPersistUntil("1.5e9".into()),
            ),
            (
                "ca.example; accounturi=a; persistUntil=",
                MalformedPersistUntil("".into()),
            ),
            (
                "ca.example; accounturi=a; persistUntil=99999999999999999999",
                MalformedPersistUntil("99999999999999999999".into()),
            ),
            (
                "ca.example; accounturi=a b",
                MalformedParameter("accounturi=a b".into()),
            ),
            (
                "ca.example; accounturi",
                MalformedParameter("accounturi".into()),
            ),
            ("ca.example; accounturi=a;", MalformedParameter("".into())),
            (
                "ca.example; bad tag=a; accounturi=a",
                MalformedParameter("bad tag=a".into()),
            ),
            (
                "ca.example; accounturi=https://ca.example/é",
                MalformedParameter("accounturi=https://ca.example/é".into()),
            ),
        ];
        for (text, error) in cases {
            assert_eq!(PersistRecord::parse(text), Err(error), "{text}");
        }
        // §4.1: accounturi is compared without case folding, so its case is kept.
        let upper =
            PersistRecord::parse("ca.example; accounturi=https://CA.example/Acct/1").unwrap();
        assert_eq!(upper.account_uri, "https://CA.example/Acct/1");
    }

    /// §4.3.4's verification flows: each CA picks its own record and ignores the other's.
    #[test]
    fn satisfies_follows_the_two_ca_verification_flows() {
        let txt = [
            "ca1.example; accounturi=https://ca1.example/acct/12345; policy=wildcard",
            "ca2.example; accounturi=https://ca2.example/acct/67890; persistUntil=1767225600",
        ];
        let ca1 = names(&["ca1.example"]);
        let ca2 = names(&["ca2.example"]);
        let expect = |issuers, account, wildcard| Expected {
            issuer_domain_names: issuers,
            account_uri: account,
            wildcard,
        };
        let acct1 = "https://ca1.example/acct/12345";
        let acct2 = "https://ca2.example/acct/67890";
        let before = at(1_767_225_600 - 1);
        assert!(
            satisfies(&txt, &expect(&ca1, acct1, true), before)
                .unwrap()
                .wildcard
        );
        assert!(satisfies(&txt, &expect(&ca1, acct1, false), before).is_ok());
        assert_eq!(
            satisfies(&txt, &expect(&ca2, acct2, false), before)
                .unwrap()
                .persist_until,
            Some(1_767_225_600)
        );
        // Valid through the second persistUntil names, refused once it has passed.
        assert!(satisfies(&txt, &expect(&ca2, acct2, false), at(1_767_225_600)).is_ok());
        let just_after = at(1_767_225_600) + Duration::from_millis(1);
        assert_eq!(
            satisfies(&txt, &expect(&ca2, acct2, false), just_after),
            Err(Mismatch::Expired(1_767_225_600))
        );
        // §10.2: a wildcard needs policy=wildcard, which CA2's record lacks.
        assert_eq!(
            satisfies(&txt, &expect(&ca2, acct2, true), before),
            Err(Mismatch::NotWildcard)
        );
        assert_eq!(
            satisfies(&txt, &expect(&ca1, acct2, false), before),
            Err(Mismatch::WrongAccount(acct1.into()))
        );
    }

    #[test]
    fn satisfies_says_why_nothing_matched() {
        let expected = Expected {
            issuer_domain_names: &names(&["authority.example", "ca.example.net"]),
            account_uri: ACCOUNT,
            wildcard: false,
        };
        let none: [&str; 0] = [];
        assert_eq!(satisfies(&none, &expected, at(0)), Err(Mismatch::NoRecords));
        let others = ["other.example; accounturi=x", "v=spf1 -all"];
        assert_eq!(
            satisfies(&others, &expected, at(0)),
            Err(Mismatch::OtherIssuers(names(&others)))
        );
        // A malformed record for this CA is reported before an account mismatch.
        let ours = [
            "authority.example; accounturi=https://ca.example/acct/999",
            "ca.example.net; policy=wildcard",
        ];
        assert_eq!(
            satisfies(&ours, &expected, at(0)),
            Err(Mismatch::Malformed(PersistError::MissingAccountUri))
        );
        // Any one matching record among others satisfies the challenge (§4.3.2 step 3), whichever
        // of the challenge's issuer names it uses (§3.1).
        let mixed = [
            ours[0],
            ours[1],
            "CA.Example.Net.; accounturi=https://ca.example/acct/123",
        ];
        assert_eq!(
            satisfies(&mixed, &expected, at(0))
                .unwrap()
                .issuer_domain_name,
            "ca.example.net"
        );
    }

    /// §10.3: persistUntil=1721952000 is 2024-07-26T00:00:00Z.
    #[test]
    fn persist_until_near_and_expired() {
        let record = PersistRecord::parse(&draft_records()[2].1).unwrap();
        let until = at(1_721_952_000);
        let week = Duration::from_secs(7 * 86_400);
        assert!(!record.persist_until_near(until - week - Duration::from_secs(1), week));
        assert!(record.persist_until_near(until - week, week));
        assert!(record.persist_until_near(until, week) && !record.is_expired(until));
        assert!(record.persist_until_near(until + week, week));
        assert!(record.is_expired(until + Duration::from_secs(1)));
        let unbounded = PersistRecord::new("authority.example", ACCOUNT);
        assert!(!unbounded.persist_until_near(until, Duration::MAX));
        assert!(!unbounded.is_expired(until));
        let ancient = PersistRecord {
            persist_until: Some(i64::MIN),
            ..unbounded
        };
        assert!(ancient.is_expired(SystemTime::UNIX_EPOCH));
    }

    /// A date input's value and back: §10.3's persistUntil=1721952000 is 2024-07-26, 00:00 UTC.
    #[test]
    fn persist_until_from_and_to_a_calendar_date() {
        assert_eq!(persist_until_from_date("2024-07-26"), Some(1_721_952_000));
        assert_eq!(persist_until_from_date(" 2024-07-26 "), Some(1_721_952_000));
        assert_eq!(
            persist_until_date(1_721_952_000).as_deref(),
            Some("2024-07-26")
        );
        assert_eq!(
            persist_until_date(1_721_952_000 + 86_399).as_deref(),
            Some("2024-07-26")
        );
        for bad in ["", "2024-02-30", "2024-13-01", "26.07.2024", "2024-07"] {
            assert_eq!(persist_until_from_date(bad), None, "{bad}");
        }
    }

    #[test]
    fn record_from_a_challenge_uses_its_first_issuer() {
        let challenge = PersistChallenge::from_json(DRAFT_CHALLENGE).unwrap();
        let record = challenge.record(ACCOUNT, true).unwrap();
        assert_eq!(record.value(), draft_records()[1].1);
        let txt = [record.value()];
        assert!(satisfies(&txt, &challenge.expected(ACCOUNT, true), at(0)).is_ok());
    }

    /// §9.1: values over 255 octets are cut into several quoted strings.
    #[test]
    fn zone_file_line_splits_long_values_and_escapes() {
        let short = PersistRecord::new("authority.example", ACCOUNT);
        assert_eq!(
            short.zone_file_line("_validation-persist.example.com"),
            "_validation-persist.example.com. 3600 IN TXT \
             \"authority.example; accounturi=https://ca.example/acct/123\""
        );
        let long = PersistRecord::new(
            "ca.example",
            &format!("https://ca.example/{}", "a".repeat(300)),
        );
        let line = long.zone_file_line("n");
        let strings: Vec<&str> = line.split(" \"").skip(1).collect();
        assert_eq!(strings.len(), 2);
        assert_eq!(strings[0].len(), 255 + 1);
        let quoted = PersistRecord::new("ca.example", "x\"y\\z").zone_file_line("n");
        assert!(
            quoted.ends_with(r#""ca.example; accounturi=x\"y\\z""#),
            "{quoted}"
        );
    }

    /// The test vectors of draft-ietf-acme-dns-persist-02 §10.2: the RFC 7638 example thumbprint, the
    /// account https://ca.example/acct/123, bound to example.com and in the `*` opt-out form.
    #[test]
    fn hashed_account_uri_matches_draft_02_vectors() {
        let thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
        let prefix = "https://ca.example/account-hash/";
        assert_eq!(
            hashed_account_uri(prefix, "example.com", thumbprint, ACCOUNT).unwrap(),
            "https://ca.example/account-hash/sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw"
        );
        assert_eq!(
            hashed_account_uri(prefix, "*", thumbprint, ACCOUNT).unwrap(),
            "https://ca.example/account-hash/sha-256/NpDnSwUthQK8zCgFdefYxAdAVPnygMLbs9US6oO-5ug"
        );
        let too_long = "a".repeat(256);
        assert_eq!(
            hashed_account_uri(prefix, &too_long, thumbprint, ACCOUNT),
            Err(PersistError::NameTooLong(too_long.clone()))
        );
        // §4.1 Figure 2 of -02: the hashed URI goes where -01 puts the account URL.
        let record = PersistRecord::new(
            "authority.example",
            &hashed_account_uri(prefix, "example.com", thumbprint, ACCOUNT).unwrap(),
        );
        assert_eq!(
            record.value(),
            joined(&[
                "authority.example;",
                " accounturi=https://ca.example/account-hash/",
                "sha-256/5SQm7n6tPh2-PlLbCKGnViTXX5z19SCN4cPGQHSk-kw",
            ])
        );
    }
}
