//! The ACME protocol (RFC 8555) and renewal information (RFC 9773): the objects as the CA sends them,
//! the signed requests, the client handle that does I/O through a small trait, and the issuance flow
//! that decides what to send next.

pub mod account;
pub mod ari;
pub mod authorization;
pub mod client;
pub mod directory;
pub mod error;
pub mod flow;
pub mod identifier;
pub mod jws;
pub mod order;
pub mod persist;
pub mod poll;
pub mod problem;
pub mod transport;

/// Reads `null` as the member's default: RFC 8555 objects have optional members, and CAs send an absent
/// member as `null` as often as they leave it out.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + serde::Deserialize<'de>,
{
    use serde::Deserialize;
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
