//! The command line's side of [`flow::run`]: the wall clock, a thread sleep for every wait the flow
//! returns (the core never sleeps), and a callback that places each record or file (certbot's
//! `--manual-auth-hook` contract in the example).

use std::time::SystemTime;

use crate::acme::account::AccountCredentials;
use crate::acme::authorization::Placement;
use crate::acme::client::Client;
use crate::acme::flow::{self, Driver, Issuance, RunError, WaitReason};
use crate::acme::transport::HttpClient;

/// A driver on the wall clock that hands records and files to a callback.
struct Native<F> {
    place: F,
}

impl<F: FnMut(&str, &Placement) -> Result<(), String>> Driver for Native<F> {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    async fn wait(&mut self, until: SystemTime, _why: WaitReason) {
        std::thread::sleep(until.duration_since(SystemTime::now()).unwrap_or_default());
    }

    fn place(&mut self, name: &str, placement: &Placement) -> Result<(), String> {
        (self.place)(name, placement)
    }
}

/// Drives `issuance` until the certificate is downloaded (it is then in [`Issuance::chain`]). `place`
/// gets each name and the record or file that proves it, before any challenge is answered: a wildcard
/// and its apex share one TXT name, so everything is placed first.
pub async fn issue<H: HttpClient>(
    client: &Client<H>,
    account: &AccountCredentials,
    mut issuance: Issuance,
    place: impl FnMut(&str, &Placement) -> Result<(), String>,
) -> Result<Issuance, RunError> {
    flow::run(client, account, &mut issuance, &mut Native { place }).await?;
    Ok(issuance)
}
