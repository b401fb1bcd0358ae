//! Certsmith: an ACME (RFC 8555) client whose protocol core has no browser dependency.
//!
//! The core does no I/O of its own and never sleeps: HTTP goes through [`transport::HttpClient`], time comes
//! in as a value, and waits come back as values for the caller to schedule. The browser app (the `certsmith`
//! binary) is a thin layer on top of it.

pub mod account;
pub mod ari;
pub mod authorization;
pub mod b64;
pub mod cert;
pub mod client;
pub mod csr;
pub mod directory;
pub mod dns;
pub mod error;
pub mod identifier;
pub mod jws;
pub mod key;
pub mod order;
pub mod pfx;
pub mod poll;
pub mod problem;
pub mod transport;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod wizard;

pub use error::Error;
