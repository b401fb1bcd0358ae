//! Running an issuance without a person: the loop every unattended driver shares (the native example,
//! the integration tests on a real or a test clock). The page has a person in the loop and runs the same
//! steps itself, one action at a time.

use std::fmt;
use std::future::Future;
use std::time::SystemTime;

use super::{Failure, Issuance, Next, WaitReason};
use crate::acme::account::AccountCredentials;
use crate::acme::authorization::Placement;
use crate::acme::client::Client;
use crate::acme::error::Error;
use crate::acme::jws::Signer;
use crate::acme::transport::HttpClient;

/// What a driver of [`run`] supplies: the time, the waits, and the placing of records and files.
pub trait Driver {
    /// The current time.
    fn now(&self) -> SystemTime;
    /// Returns at `until`: a thread sleep, a timer, or a test clock moving on.
    fn wait(&mut self, until: SystemTime, why: WaitReason) -> impl Future<Output = ()>;
    /// Places the record or file that proves `name`, before any challenge is answered.
    fn place(&mut self, name: &str, placement: &Placement) -> Result<(), String>;
    /// Called after every change of the issuance's state, so a driver can save it (as the page keeps it in
    /// localStorage) or even replace it with the copy it saved. Nothing by default.
    fn saved(&mut self, _issuance: &mut Issuance) -> Result<(), String> {
        Ok(())
    }
}

/// Why [`run`] stopped short of a certificate.
#[derive(Debug)]
pub enum RunError {
    /// A request failed in a way waiting does not cure.
    Acme(Box<Error>),
    /// The driver could not place a record or file.
    Place(String),
    /// The driver could not save the state.
    Save(String),
    /// The CA declared the order or an authorization invalid.
    Failed(Failure),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Acme(error) => f.write_str(&crate::t!(
                "{error} (hint: {hint})",
                error = error,
                hint = error.hint()
            )),
            RunError::Place(message) => f.write_str(message),
            RunError::Save(message) => f.write_str(&crate::t!(
                "could not save the issuance: {message}",
                message = message
            )),
            RunError::Failed(failure) => write!(f, "{failure}"),
        }
    }
}

impl std::error::Error for RunError {}

impl From<Error> for RunError {
    fn from(error: Error) -> Self {
        RunError::Acme(Box::new(error))
    }
}

/// Runs `issuance` to its end without a person: every record and file goes to the driver's
/// [`Driver::place`] when the flow asks for them; the certificate is then in [`Issuance::chain`]. On an
/// error the issuance holds the state to go on from ("try again" is another call).
/// (The page has a person in the loop and runs the same steps itself, one action at a time.)
pub async fn run<H: HttpClient, S: Signer, D: Driver>(
    client: &Client<H, S>,
    account: &AccountCredentials,
    issuance: &mut Issuance,
    driver: &mut D,
) -> Result<(), RunError> {
    loop {
        let now = driver.now();
        match issuance.next(now) {
            Next::Send(request) => {
                let result = client.execute(account, &request, now).await;
                let recorded = issuance.record(&request, result, driver.now());
                driver.saved(issuance).map_err(RunError::Save)?;
                recorded?;
            }
            Next::Wait { until, why } => driver.wait(until, why).await,
            Next::Place => {
                for (name, placement) in issuance.placements(account) {
                    driver.place(&name, &placement?).map_err(RunError::Place)?;
                }
                issuance.confirm_placed();
                driver.saved(issuance).map_err(RunError::Save)?;
            }
            Next::Done => return Ok(()),
            Next::Failed(failure) => return Err(RunError::Failed(failure)),
        }
    }
}
