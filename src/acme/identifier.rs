//! Identifiers: the names a certificate is for (RFC 8555 §7.1.4, §9.7.7) and IP addresses (RFC 8738).
//!
//! People type names the way they see them: upper case, with a trailing dot, in their own script, twice.
//! [`parse_identifiers`] turns such input into the exact identifiers a CA expects, or says precisely which
//! name is wrong and why.

use std::collections::BTreeSet;
use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

use crate::acme::authorization::ChallengeType;

/// The kind of an identifier (RFC 8555 §9.7.7 "dns"; RFC 8738 §3 "ip"). A CA may list others (email,
/// permanent-identifier, …): they read as `Unknown`, are skipped, and never fail an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum IdentifierKind {
    Dns,
    Ip,
    Unknown,
}

crate::json::wire_names!(IdentifierKind {
    Dns = "dns",
    Ip = "ip",
    Unknown = "unknown",
}, other = Unknown);

/// One identifier of an order or authorization (RFC 8555 §7.1.3, §7.1.4).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Identifier {
    #[serde(rename = "type")]
    pub kind: IdentifierKind,
    pub value: String,
}

impl Identifier {
    /// A DNS identifier, taken as given (already normalized; see [`Identifier::parse`] for user input).
    pub fn dns(value: impl Into<String>) -> Self {
        Identifier {
            kind: IdentifierKind::Dns,
            value: value.into(),
        }
    }

    /// An IP identifier in the textual form of RFC 8738 §3 (RFC 5952 for IPv6).
    pub fn ip(addr: IpAddr) -> Self {
        Identifier {
            kind: IdentifierKind::Ip,
            value: addr.to_string(),
        }
    }

    /// True for a DNS identifier whose leftmost label is `*` (RFC 8555 §7.1.3).
    pub fn is_wildcard(&self) -> bool {
        self.kind == IdentifierKind::Dns && self.value.starts_with("*.")
    }

    /// The name an authorization for this identifier is about: a wildcard's authorization carries the base
    /// name with the `*.` removed and `"wildcard": true` (RFC 8555 §7.1.4).
    pub fn authorization_name(&self) -> &str {
        self.value
            .strip_prefix("*.")
            .filter(|_| self.kind == IdentifierKind::Dns)
            .unwrap_or(&self.value)
    }

    /// Parses one name as a person typed it: an IP address, or a DNS name (possibly wildcard, possibly
    /// internationalized), normalized to what goes on the wire.
    pub fn parse(input: &str) -> Result<Self, InvalidIdentifier> {
        let trimmed = input.trim();
        let invalid = |reason: IdentifierProblem| InvalidIdentifier {
            input: trimmed.to_string(),
            reason,
        };
        if trimmed.is_empty() {
            return Err(invalid(IdentifierProblem::Empty));
        }
        if let Some(addr) = parse_ip(trimmed) {
            return Ok(Identifier::ip(addr));
        }
        normalize_dns_name(trimmed)
            .map(Identifier::dns)
            .map_err(invalid)
    }
}

impl fmt::Display for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// Accepts `192.0.2.1`, `2001:db8::1` and the bracketed `[2001:db8::1]` people copy from URLs.
fn parse_ip(text: &str) -> Option<IpAddr> {
    let unbracketed = text
        .strip_prefix('[')
        .and_then(|t| t.strip_suffix(']'))
        .unwrap_or(text);
    unbracketed.parse().ok()
}

/// Why a typed name cannot be an identifier.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdentifierProblem {
    #[error("{}", crate::t!("it is empty"))]
    Empty,
    #[error("{}", crate::t!(
        "it contains {character}, which cannot be part of a host name",
        character = format!("{:?}", .0)
    ))]
    BadCharacter(char),
    #[error("{}", crate::t!("it has an empty label (two dots in a row, or a dot at the start)"))]
    EmptyLabel,
    #[error("{}", crate::t!(
        "the label {label} is longer than 63 characters",
        label = format!("{:?}", .0)
    ))]
    LabelTooLong(String),
    #[error("{}", crate::t!(
        "the label {label} starts or ends with a hyphen",
        label = format!("{:?}", .0)
    ))]
    HyphenAtEdge(String),
    #[error("{}", crate::t!("it is longer than 253 characters"))]
    TooLong,
    #[error("{}", crate::t!("a wildcard must be the whole leftmost label, as in *.example.com"))]
    MisplacedWildcard,
    #[error("{}", crate::t!("it is a single label; a certificate needs a full domain name such as example.com"))]
    SingleLabel,
    #[error("{}", crate::t!(
        "its top-level domain starts with a digit, so it is neither a domain name nor an IP address"
    ))]
    NumericTld,
    #[error("{}", crate::t!(
        "it is not a valid internationalized domain name ({error})",
        error = .0
    ))]
    Idna(String),
    #[error("{}", crate::t!(
        "it is a URL; enter only the host name, such as {host}",
        host = .0
    ))]
    LooksLikeUrl(String),
}

/// A name that was refused, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{input:?}: {reason}")]
pub struct InvalidIdentifier {
    pub input: String,
    pub reason: IdentifierProblem,
}

/// Lower-cases, drops a trailing dot, converts Unicode labels to punycode (UTS #46, [`crate::idn`]) and checks
/// the LDH rules of RFC 1035/5890 label by label.
fn normalize_dns_name(text: &str) -> Result<String, IdentifierProblem> {
    if let Some(host) = host_of_url(text) {
        return Err(IdentifierProblem::LooksLikeUrl(host));
    }
    let without_dot = text.strip_suffix('.').unwrap_or(text);
    let (wildcard, base) = match without_dot.strip_prefix("*.") {
        Some(rest) => (true, rest),
        None => (false, without_dot),
    };
    if base.contains('*') {
        return Err(IdentifierProblem::MisplacedWildcard);
    }
    if let Some(bad) = base
        .chars()
        .find(|c| c.is_whitespace() || "/:@?#\\_,;\"'<>".contains(*c))
    {
        // Underscores are legal in DNS but never in a host name a CA will issue for.
        return Err(IdentifierProblem::BadCharacter(bad));
    }
    let ascii =
        crate::idn::domain_to_ascii(base).map_err(|e| IdentifierProblem::Idna(e.to_string()))?;
    check_ldh(&ascii)?;
    Ok(if wildcard {
        format!("*.{ascii}")
    } else {
        ascii
    })
}

fn host_of_url(text: &str) -> Option<String> {
    let rest = text.split_once("://")?.1;
    let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let host = host.rsplit('@').next().unwrap_or(host);
    let host = host.split(':').next().unwrap_or(host);
    Some(host.to_ascii_lowercase())
}

fn check_ldh(ascii: &str) -> Result<(), IdentifierProblem> {
    if ascii.len() > 253 {
        return Err(IdentifierProblem::TooLong);
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    for label in &labels {
        if label.is_empty() {
            return Err(IdentifierProblem::EmptyLabel);
        }
        if label.len() > 63 {
            return Err(IdentifierProblem::LabelTooLong(label.to_string()));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(IdentifierProblem::HyphenAtEdge(label.to_string()));
        }
        if let Some(bad) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-'))
        {
            return Err(IdentifierProblem::BadCharacter(bad));
        }
    }
    if labels.len() < 2 {
        return Err(IdentifierProblem::SingleLabel);
    }
    if labels
        .last()
        .is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_digit()))
    {
        // Every top-level domain starts with a letter; browsers read a last label such as 123 or 0x1f
        // as part of an IPv4 address (URL Standard), so such a name would also differ between the page's
        // UTS #46 (the browser's) and the native one.
        return Err(IdentifierProblem::NumericTld);
    }
    Ok(())
}

/// Splits a text area's content (one name per line, or separated by commas or spaces) into identifiers.
///
/// Returns the identifiers in the order first typed, without duplicates, or every invalid name with its
/// reason (so a form can mark each one in place).
pub fn parse_identifiers(text: &str) -> Result<Vec<Identifier>, Vec<InvalidIdentifier>> {
    let mut seen = BTreeSet::new();
    let mut identifiers = Vec::new();
    let mut invalid = Vec::new();
    for token in text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|t| !t.is_empty())
    {
        match Identifier::parse(token) {
            Ok(id) if seen.insert(id.clone()) => identifiers.push(id),
            Ok(_) => {}
            Err(e) => invalid.push(e),
        }
    }
    if invalid.is_empty() {
        Ok(identifiers)
    } else {
        Err(invalid)
    }
}

/// Challenge types an identifier can be validated with, in the order this client prefers them when the
/// person states no preference (RFC 8555 §8.3, §8.4; RFC 8738 §7; draft-ietf-acme-dns-persist-01 §5):
/// a wildcard only with a DNS record (dns-01 or dns-persist-01), an IP address only with http-01
/// (tls-alpn-01 cannot be done from a page). dns-persist-01 comes last: its record lasts and grants
/// more, so it is taken only when chosen or when nothing else is offered.
pub fn allowed_challenge_types(id: &Identifier) -> &'static [ChallengeType] {
    match id.kind {
        IdentifierKind::Ip => &[ChallengeType::Http01],
        IdentifierKind::Dns if id.is_wildcard() => {
            &[ChallengeType::Dns01, ChallengeType::DnsPersist01]
        }
        IdentifierKind::Dns => &[
            ChallengeType::Dns01,
            ChallengeType::Http01,
            ChallengeType::DnsPersist01,
        ],
        IdentifierKind::Unknown => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Identifier {
        Identifier::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn problem(s: &str) -> IdentifierProblem {
        Identifier::parse(s).expect_err(s).reason
    }

    #[test]
    fn normalizes_case_trailing_dot_and_whitespace() {
        assert_eq!(
            ok("  WWW.Example.COM. "),
            Identifier::dns("www.example.com")
        );
    }

    #[test]
    fn converts_unicode_to_punycode() {
        assert_eq!(ok("bücher.example").value, "xn--bcher-kva.example");
        assert_eq!(ok("*.Bücher.example").value, "*.xn--bcher-kva.example");
        assert_eq!(ok("xn--bcher-kva.example").value, "xn--bcher-kva.example");
    }

    #[test]
    fn accepts_ip_addresses_in_rfc_8738_form() {
        assert_eq!(
            ok("192.0.2.1"),
            Identifier {
                kind: IdentifierKind::Ip,
                value: "192.0.2.1".into()
            }
        );
        assert_eq!(ok("[2001:DB8:0::1]").value, "2001:db8::1");
    }

    #[test]
    fn wildcard_only_as_whole_leftmost_label() {
        assert!(ok("*.example.com").is_wildcard());
        assert_eq!(ok("*.example.com").authorization_name(), "example.com");
        assert_eq!(
            problem("www.*.example.com"),
            IdentifierProblem::MisplacedWildcard
        );
        assert_eq!(
            problem("w*.example.com"),
            IdentifierProblem::MisplacedWildcard
        );
        assert_eq!(
            problem("*.*.example.com"),
            IdentifierProblem::MisplacedWildcard
        );
    }

    #[test]
    fn refuses_malformed_names_with_a_reason() {
        assert_eq!(problem("example..com"), IdentifierProblem::EmptyLabel);
        assert_eq!(
            problem("-bad.example.com"),
            IdentifierProblem::HyphenAtEdge("-bad".into())
        );
        assert_eq!(problem("localhost"), IdentifierProblem::SingleLabel);
        assert_eq!(
            problem("my_host.example.com"),
            IdentifierProblem::BadCharacter('_')
        );
        assert_eq!(problem("1.2.3.999"), IdentifierProblem::NumericTld);
        assert_eq!(problem("example.0x1f"), IdentifierProblem::NumericTld);
        assert_eq!(problem("bücher.1abc"), IdentifierProblem::NumericTld);
        assert!(matches!(
            problem(&format!("{}.com", "a".repeat(64))),
            IdentifierProblem::LabelTooLong(_)
        ));
        assert_eq!(
            problem(&format!("{}.com", vec!["a".repeat(60); 5].join("."))),
            IdentifierProblem::TooLong
        );
        assert_eq!(
            problem("https://Example.com/path"),
            IdentifierProblem::LooksLikeUrl("example.com".into())
        );
    }

    #[test]
    fn message_names_the_input_and_the_reason() {
        let e = Identifier::parse("exa mple.com").unwrap_err();
        assert!(e.to_string().contains("exa mple.com"), "{e}");
    }

    #[test]
    fn list_dedups_after_normalization_and_reports_every_bad_name() {
        let ids = parse_identifiers("example.com, EXAMPLE.com.\n*.example.com  192.0.2.1").unwrap();
        let values: Vec<_> = ids.iter().map(|i| i.value.as_str()).collect();
        assert_eq!(values, ["example.com", "*.example.com", "192.0.2.1"]);
        let errs = parse_identifiers("good.example\nbad..example\nx_y.example").unwrap_err();
        assert_eq!(errs.len(), 2);
    }

    #[test]
    fn challenge_types_follow_the_rfcs() {
        assert_eq!(
            allowed_challenge_types(&ok("*.a.example")),
            [ChallengeType::Dns01, ChallengeType::DnsPersist01]
        );
        assert_eq!(
            allowed_challenge_types(&ok("192.0.2.1")),
            [ChallengeType::Http01]
        );
        assert_eq!(
            allowed_challenge_types(&ok("a.example")),
            [
                ChallengeType::Dns01,
                ChallengeType::Http01,
                ChallengeType::DnsPersist01
            ]
        );
    }

    #[test]
    fn serializes_as_rfc_8555_json() {
        let json = serde_json::to_string(&Identifier::dns("example.org")).unwrap();
        assert_eq!(json, r#"{"type":"dns","value":"example.org"}"#);
    }
}
