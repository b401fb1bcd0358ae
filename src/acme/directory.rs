//! The directory resource (RFC 8555 §7.1.1): the one URL a person configures, naming every other endpoint.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The directory object. Unknown members are ignored, so a CA that adds resources keeps working.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Directory {
    pub new_nonce: String,
    pub new_account: String,
    pub new_order: String,
    /// Pre-authorization (§7.4.1); few CAs offer it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_authz: Option<String>,
    pub revoke_cert: String,
    pub key_change: String,
    /// ACME Renewal Information (RFC 9773 §4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renewal_info: Option<String>,
    #[serde(default, deserialize_with = "crate::acme::null_as_default")]
    pub meta: Meta,
}

/// The directory's `meta` object (RFC 8555 §7.1.1; `profiles` from the ACME profiles draft).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub terms_of_service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(
        default,
        deserialize_with = "crate::acme::null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub caa_identities: Vec<String>,
    #[serde(default, deserialize_with = "crate::acme::null_as_default")]
    pub external_account_required: bool,
    /// Certificate profiles the CA offers, by name, with a human-readable description.
    #[serde(
        default,
        deserialize_with = "crate::acme::null_as_default",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub profiles: BTreeMap<String, String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example directory of RFC 8555 §7.1.1.
    const RFC_8555_DIRECTORY: &str = r#"{
     "newNonce": "https://example.com/acme/new-nonce",
     "newAccount": "https://example.com/acme/new-account",
     "newOrder": "https://example.com/acme/new-order",
     "newAuthz": "https://example.com/acme/new-authz",
     "revokeCert": "https://example.com/acme/revoke-cert",
     "keyChange": "https://example.com/acme/key-change",
     "meta": {
       "termsOfService": "https://example.com/acme/terms/2017-5-30",
       "website": "https://www.example.com/",
       "caaIdentities": ["example.com"],
       "externalAccountRequired": false
     }
   }"#;

    #[test]
    fn parses_rfc_8555_example() {
        let dir: Directory = serde_json::from_str(RFC_8555_DIRECTORY).unwrap();
        assert_eq!(dir.new_nonce, "https://example.com/acme/new-nonce");
        assert_eq!(
            dir.new_authz.as_deref(),
            Some("https://example.com/acme/new-authz")
        );
        assert_eq!(
            dir.meta.terms_of_service.as_deref(),
            Some("https://example.com/acme/terms/2017-5-30")
        );
        assert_eq!(dir.meta.caa_identities, ["example.com"]);
        assert!(!dir.meta.external_account_required);
        assert!(dir.renewal_info.is_none());
    }

    #[test]
    fn reads_profiles_and_renewal_info() {
        let dir: Directory = serde_json::from_str(
            r#"{"newNonce":"n","newAccount":"a","newOrder":"o","revokeCert":"r","keyChange":"k",
                "renewalInfo":"https://ca/ari","randomKey":"ignored",
                "meta":{"profiles":{"classic":"The same profile as always","shortlived":"Six days"}}}"#,
        )
        .unwrap();
        assert_eq!(dir.renewal_info.as_deref(), Some("https://ca/ari"));
        assert_eq!(dir.meta.profiles["shortlived"], "Six days");
    }
}
