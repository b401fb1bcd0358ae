//! The protocol log: every exchange with the CA as the page shows it, bounded, saved apart from the
//! wizard so a long log never costs the wizard's state. Between exchanges it notes the issuance flow's
//! waits; [`super::inspect`] explains what it holds.

use serde::{Deserialize, Serialize};

use crate::acme::client::Exchange;

/// How many exchanges the protocol log keeps.
pub const LOG_LIMIT: usize = 200;

/// The protocol log: the last [`LOG_LIMIT`] exchanges, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtocolLog {
    pub entries: Vec<Exchange>,
    /// The flow's waits, each before the entry of index `before`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub waits: Vec<LoggedWait>,
    /// Step-through: the flow holds each request until the person sends it (a setting kept with the log).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub step_through: bool,
}

/// A wait of the issuance flow between two exchanges.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedWait {
    /// The index of the entry that follows the wait.
    pub before: usize,
    pub seconds: u64,
    pub why: String,
}

impl ProtocolLog {
    pub fn push(&mut self, exchange: Exchange) {
        self.entries.push(exchange);
        self.drop_oldest(self.entries.len().saturating_sub(LOG_LIMIT));
    }

    fn drop_oldest(&mut self, n: usize) {
        self.entries.drain(..n);
        self.waits.retain(|w| w.before >= n);
        for wait in &mut self.waits {
            wait.before -= n;
        }
    }

    /// Notes a wait before the next exchange.
    pub fn push_wait(&mut self, seconds: u64, why: &str) {
        self.waits.push(LoggedWait {
            before: self.entries.len(),
            seconds,
            why: why.to_string(),
        });
    }

    /// The newer half, for a browser whose storage quota is short.
    pub fn newer_half(&self) -> ProtocolLog {
        let mut shorter = self.clone();
        shorter.drop_oldest(self.entries.len() / 2);
        shorter
    }

    /// Forgets every exchange and wait; the step-through setting stays.
    pub fn clear(&mut self) {
        self.entries.clear();
        self.waits.clear();
    }
}
