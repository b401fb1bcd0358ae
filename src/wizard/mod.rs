//! The certificate wizard: what the browser app shows, keeps in localStorage and changes in answer to a
//! person's input or a finished request. Nothing here does I/O or depends on the browser, so every
//! transition is tested natively. The app wraps [`Wizard`] in a Yew reducer, turns [`Task`]s into
//! requests, and feeds their outcomes back as [`Action`]s.
//!
//! The steps: choose a CA and connect ([`Step::Ca`]) → create or import an account ([`Step::Account`]) →
//! names and certificate key ([`Step::Names`]) → place the challenges ([`Step::Challenges`]) → the CA
//! validates ([`Step::Validating`]) → finalize and download ([`Step::Finalizing`]) → the certificate
//! ([`Step::Done`]); an authorization or order the CA declared invalid ends in [`Step::Failed`], from which
//! only a new order leads on. From the order on, the step follows the issuance flow
//! ([`crate::acme::flow::Issuance`]), which the wizard keeps as its order.

pub mod certs;
mod doh;
pub mod inspect;
mod log;
mod model;
mod presets;
mod reducer;
mod views;

pub use doh::{DnsRecord, DohOutcome, DohRow};
pub use log::{ProtocolLog, LOG_LIMIT};
pub use model::{
    AccountLock, Action, ChainOption, ChainRead, CsrRead, ErrorInfo, Failure, KeyChoice, Renewing,
    RestoreError, Section, Step, Task, Wizard,
};
pub use presets::{CaKind, LETS_ENCRYPT, LETS_ENCRYPT_STAGING, LOCAL_RESOLVER, PUBLIC_RESOLVERS};
pub use views::{chain_files, short_name, ChainFiles, CsrStatus};

/// Where the app keeps the wizard in localStorage.
pub const STORAGE_KEY: &str = "certsmith.state.v1";
/// Where the app keeps the protocol log (apart, so a full log never costs the wizard's state).
pub const LOG_STORAGE_KEY: &str = "certsmith.log.v1";
/// The saved format; a saved state of another version is refused, not misread. Version 2 keeps the
/// order as the issuance flow's state.
pub const FORMAT_VERSION: u32 = 2;

#[cfg(test)]
mod tests;
