//! Order objects (RFC 8555 §7.1.3) and the newOrder request (§7.4).

use serde::{Deserialize, Serialize};

use crate::acme::identifier::Identifier;
use crate::acme::problem::Problem;

/// The status of an order (§7.1.6): pending → ready → processing → valid, or invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderStatus {
    Pending,
    Ready,
    Processing,
    Valid,
    Invalid,
    Unknown,
}

crate::json::wire_names!(OrderStatus {
    Pending = "pending",
    Ready = "ready",
    Processing = "processing",
    Valid = "valid",
    Invalid = "invalid",
    Unknown = "unknown",
}, other = Unknown);

impl OrderStatus {
    /// The status as ACME names it (§7.1.6).
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Pending => "pending",
            OrderStatus::Ready => "ready",
            OrderStatus::Processing => "processing",
            OrderStatus::Valid => "valid",
            OrderStatus::Invalid => "invalid",
            OrderStatus::Unknown => "unknown",
        }
    }
}

/// An order object as the CA returns it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub status: OrderStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(default, deserialize_with = "crate::acme::null_as_default")]
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<Problem>,
    #[serde(default, deserialize_with = "crate::acme::null_as_default")]
    pub authorizations: Vec<String>,
    #[serde(default, deserialize_with = "crate::acme::null_as_default")]
    pub finalize: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

impl Order {
    /// Resolves relative URLs in the order against the URL it was read from: RFC 8555 only asks for
    /// absolute ones, but a CA behind a path-rewriting proxy may not send them.
    pub fn resolve_urls(&mut self, base: &str) {
        let resolve = |url: &mut String| *url = crate::acme::transport::resolve_url(base, url);
        self.authorizations.iter_mut().for_each(resolve);
        if !self.finalize.is_empty() {
            resolve(&mut self.finalize);
        }
        if let Some(certificate) = self.certificate.as_mut() {
            resolve(certificate);
        }
    }
}

/// An order together with its URL (the Location of newOrder), which is how it is fetched again.
/// Serializable, so the app can resume an order after a reload.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderHandle {
    pub url: String,
    pub order: Order,
}

/// The payload of newOrder (§7.4), with the optional `profile` and ARI's `replaces` (RFC 9773 §5).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewOrder {
    #[serde(default, deserialize_with = "crate::acme::null_as_default")]
    pub identifiers: Vec<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_before: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<String>,
    /// The ARI CertID of the certificate this order renews.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The order object of RFC 8555 §7.1.3.
    #[test]
    fn parses_rfc_8555_example() {
        let order: Order = serde_json::from_str(
            r#"{
     "status": "valid",
     "expires": "2016-01-20T14:09:07.99Z",

     "identifiers": [
       { "type": "dns", "value": "www.example.org" },
       { "type": "dns", "value": "example.org" }
     ],

     "notBefore": "2016-01-01T00:00:00Z",
     "notAfter": "2016-01-08T00:00:00Z",

     "authorizations": [
       "https://example.com/acme/authz/PAniVnsZcis",
       "https://example.com/acme/authz/r4HqLzrSrpI"
     ],

     "finalize": "https://example.com/acme/order/TOlocE8rfgo/finalize",

     "certificate": "https://example.com/acme/cert/mAt3xBGaobw"
   }"#,
        )
        .unwrap();
        assert_eq!(order.status, OrderStatus::Valid);
        assert_eq!(order.identifiers[1], Identifier::dns("example.org"));
        assert_eq!(order.authorizations.len(), 2);
        assert_eq!(
            order.certificate.as_deref(),
            Some("https://example.com/acme/cert/mAt3xBGaobw")
        );
    }

    #[test]
    fn unknown_status_does_not_fail_parsing() {
        let order: Order = serde_json::from_str(r#"{"status":"frozen"}"#).unwrap();
        assert_eq!(order.status, OrderStatus::Unknown);
    }

    #[test]
    fn new_order_payload_omits_unset_members() {
        let payload = NewOrder {
            identifiers: vec![Identifier::dns("a.example")],
            ..NewOrder::default()
        };
        assert_eq!(
            serde_json::to_value(&payload).unwrap(),
            serde_json::json!({"identifiers": [{"type": "dns", "value": "a.example"}]})
        );
    }
}
