//! Account objects (RFC 8555 §7.1.2) and the credentials that identify an account to the CA.

pub mod files;

use serde::{Deserialize, Serialize};

use crate::pki::key::PrivateKey;

/// The status of an account (§7.1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AccountStatus {
    Valid,
    Deactivated,
    Revoked,
    #[serde(other)]
    Unknown,
}

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
}
