//! The native driver of the core (not in the page): an HTTP client over ureq and the loop that runs the
//! issuance flow from a command line, as certbot's manual mode does. The page's driver is `web` and
//! `app`; the flow's decisions are in [`crate::acme::flow`], never here.

pub mod http;
pub mod issue;
