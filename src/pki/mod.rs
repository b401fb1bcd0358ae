//! The certificate side, on one RustCrypto generation: private keys (P-256, P-384, RSA) and their
//! encodings, certificate signing requests (RFC 2986), certificate chains (RFC 5280) and PKCS#12 files
//! (RFC 7292) for Windows hosts, and renewal reminders as iCalendar files (RFC 5545).

pub mod cert;
pub mod csr;
pub mod job;
pub mod key;
pub mod pfx;
pub mod remind;
pub mod sealed;
