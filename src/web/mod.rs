//! The browser layer: thin adapters from the core's plain values to browser APIs, and nothing more. No
//! protocol logic lives here; everything it decides (what a failed probe means, how a DoH answer reads) is
//! either a browser fact or delegated to the core ([`crate::dns::wire`], [`crate::acme::directory`]).
//!
//! Only built for wasm32. Everything uses globals (`fetch`, `setTimeout`, `performance`) that exist in
//! both windows and workers, except downloads, storage and the clipboard, which need a window. Slow work
//! leaves the main thread: keys are made and every JWS is signed by WebCrypto (`webcrypto`); PBKDF2, CSRs
//! and reading what the person brings run in the page's worker (`worker`).

pub mod clipboard;
pub mod clock;
pub mod doh;
pub mod download;
pub mod fetch;
pub mod lang;
pub mod panic;
pub mod probe;
pub mod storage;
pub mod tabs;
pub mod webcrypto;
pub mod worker;

mod js;
