//! The statuses of RFC 8555's objects (§7.1.6) as words in the page's language. The protocol's own value
//! (`as_str`) stays for CSS classes and anything stored; these are only for reading.

use certsmith::acme::account::AccountStatus;
use certsmith::acme::authorization::AuthorizationStatus;
use certsmith::acme::order::OrderStatus;
use certsmith::t;

pub fn authorization(status: AuthorizationStatus) -> &'static str {
    match status {
        AuthorizationStatus::Pending => t!("pending"),
        AuthorizationStatus::Valid => t!("valid"),
        AuthorizationStatus::Invalid => t!("invalid"),
        AuthorizationStatus::Deactivated => t!("deactivated"),
        AuthorizationStatus::Expired => t!("expired"),
        AuthorizationStatus::Revoked => t!("revoked"),
        AuthorizationStatus::Unknown => t!("unknown"),
    }
}

pub fn order(status: OrderStatus) -> &'static str {
    match status {
        OrderStatus::Pending => t!("pending"),
        OrderStatus::Ready => t!("ready"),
        OrderStatus::Processing => t!("processing"),
        OrderStatus::Valid => t!("valid"),
        OrderStatus::Invalid => t!("invalid"),
        OrderStatus::Unknown => t!("unknown"),
    }
}

pub fn account(status: AccountStatus) -> &'static str {
    match status {
        AccountStatus::Valid => t!("valid"),
        AccountStatus::Deactivated => t!("deactivated"),
        AccountStatus::Revoked => t!("revoked"),
        AccountStatus::Unknown => t!("unknown"),
    }
}
