//! Account objects (RFC 8555 §7.1.2) and the credentials that identify an account to the CA.

pub mod files;

use serde::{Deserialize, Serialize};

use crate::pki::key::PrivateKey;

/// The status of an account (§7.1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountStatus {
    Valid,
    Deactivated,
    Revoked,
    Unknown,
}

crate::json::wire_names!(AccountStatus {
    Valid = "valid",
    Deactivated = "deactivated",
    Revoked = "revoked",
    Unknown = "unknown",
}, other = Unknown);

/// An account object as the CA returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    pub status: AccountStatus,
    #[serde(
        default,
        deserialize_with = "crate::acme::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub contact: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_service_agreed: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orders: Option<String>,
}

/// What the client needs to act as an account: its URL (the JWS `kid`) and its key. Serializable so the
/// app can keep it in browser storage; the key serializes as PKCS#8.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountCredentials {
    pub url: String,
    pub key: PrivateKey,
}

/// The payload of a newAccount request (§7.3).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewAccount {
    /// `mailto:` URLs; plain addresses are prefixed by [`NewAccount::with_email`].
    #[serde(
        default,
        deserialize_with = "crate::acme::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub contact: Vec<String>,
    pub terms_of_service_agreed: bool,
    /// Looks up the account of this key instead of creating one (§7.3.1).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub only_return_existing: bool,
}

impl NewAccount {
    /// Adds an email contact, as `mailto:` (§7.3); blank input adds nothing.
    pub fn with_email(mut self, email: &str) -> Self {
        let email = email.trim();
        if !email.is_empty() {
            self.contact.push(if email.starts_with("mailto:") {
                email.to_string()
            } else {
                format!("mailto:{email}")
            });
        }
        self
    }
}

/// An email typed as a contact that is not one (RFC 8555 §7.3 leaves the form to the CA; this is what CAs
/// accept: `local@domain.tld` in plain ASCII).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}", crate::t!("\"{email}\" is not an email address", email = .0))]
pub struct NotAnEmail(pub String);

/// The emails typed (separated by commas, semicolons or white space; `mailto:` optional) as the `mailto:`
/// URLs of the account's `contact` (§7.3, §7.3.2), each once, in the order typed. None at all is an answer
/// too: the account then has no contact. Checked here so a typo is said before the CA is asked.
pub fn parse_contacts(input: &str) -> Result<Vec<String>, NotAnEmail> {
    let mut contacts: Vec<String> = Vec::new();
    let items = input
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .filter(|item| !item.is_empty());
    for item in items {
        let email = item.strip_prefix("mailto:").unwrap_or(item);
        if !is_email(email) {
            return Err(NotAnEmail(item.to_string()));
        }
        let url = format!("mailto:{email}");
        if !contacts.contains(&url) {
            contacts.push(url);
        }
    }
    Ok(contacts)
}

fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_graphic() && !"@<>()[]\\,;:\"".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && labels.iter().all(|label| {
            !label.is_empty()
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    local_ok && domain_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The account object of RFC 8555 §7.1.2 (its `orders` member and status).
    #[test]
    fn parses_rfc_8555_example() {
        let account: Account = serde_json::from_str(
            r#"{
     "status": "valid",
     "contact": [
       "mailto:cert-admin@example.org",
       "mailto:admin@example.org"
     ],
     "termsOfServiceAgreed": true,
     "orders": "https://example.com/acme/orders/rzGoeA"
   }"#,
        )
        .unwrap();
        assert_eq!(account.status, AccountStatus::Valid);
        assert_eq!(account.contact.len(), 2);
        assert_eq!(
            account.orders.as_deref(),
            Some("https://example.com/acme/orders/rzGoeA")
        );
    }

    #[test]
    fn new_account_payload_matches_section_7_3() {
        let payload = NewAccount {
            terms_of_service_agreed: true,
            ..NewAccount::default()
        }
        .with_email(" a@example.org ");
        assert_eq!(
            serde_json::to_value(&payload).unwrap(),
            serde_json::json!({"contact": ["mailto:a@example.org"], "termsOfServiceAgreed": true})
        );
        let lookup = NewAccount {
            only_return_existing: true,
            ..NewAccount::default()
        };
        assert_eq!(
            serde_json::to_value(&lookup).unwrap()["onlyReturnExisting"],
            true
        );
    }

    #[test]
    fn contacts_are_mailto_urls_each_once() {
        assert_eq!(
            parse_contacts(" a@example.org, mailto:b@example.org;a@example.org\nc-d@x-y.example ")
                .unwrap(),
            [
                "mailto:a@example.org",
                "mailto:b@example.org",
                "mailto:c-d@x-y.example"
            ]
        );
        assert_eq!(parse_contacts("  ").unwrap(), Vec::<String>::new());
        for bad in [
            "a",
            "a@b",
            "@example.org",
            "a@-b.example",
            "a@b..example",
            "a@b.example-",
            "a(b)@c.example",
        ] {
            assert_eq!(
                parse_contacts(bad),
                Err(NotAnEmail(bad.to_string())),
                "{bad}"
            );
        }
        assert!(parse_contacts("ok@example.org, nope")
            .unwrap_err()
            .to_string()
            .starts_with("\"nope\" is not an email address"));
    }
}
