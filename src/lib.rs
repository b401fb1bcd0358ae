//! Certsmith: an ACME (RFC 8555) client whose protocol core has no browser dependency.
//!
//! The core does no I/O of its own and never sleeps: HTTP goes through [`acme::transport::HttpClient`],
//! time comes in as a value, and waits come back as values for the caller to schedule. The browser app
//! (the `certsmith` binary) is a thin layer on top of it.
//!
//! The modules follow the layers:
//! - [`acme`]: the protocol (RFC 8555, RFC 9773): objects, JWS, the client handle and the issuance flow;
//! - [`pki`]: keys, certificate requests, certificates and PKCS#12, on RustCrypto;
//! - [`dns`]: the DNS wire format behind the page's DNS-over-HTTPS check;
//! - [`i18n`]: the page's texts in English or, from a catalogue, German; dates and numbers per language;
//! - [`json`]: reading JSON text, one parser for everything the page reads;
//! - [`idn`]: domain names to A-labels (UTS #46): the `idna` crate natively, the browser's URL parser in the page;
//! - [`wizard`]: the page's pure state (model, reducer, derived views), tested natively;
//! - `web` (wasm32 only): the page's driver layer: fetch, storage, timers, downloads;
//! - [`native`] (not on wasm32): the command-line driver: an HTTP client and the issuance loop.

pub mod acme;
pub mod b64;
pub mod dns;
pub mod i18n;
pub mod idn;
pub mod json;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod pki;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod wizard;

pub use acme::error::Error;
