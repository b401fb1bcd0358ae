//! The protocol log: every exchange with the CA as the page shows it, bounded, saved apart from the
//! wizard so a long log never costs the wizard's state.

use serde::{Deserialize, Serialize};

use crate::acme::client::Exchange;

/// How many exchanges the protocol log keeps.
pub const LOG_LIMIT: usize = 200;

/// The protocol log: the last [`LOG_LIMIT`] exchanges, oldest first.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ProtocolLog {
    pub entries: Vec<Exchange>,
}

impl ProtocolLog {
    pub fn push(&mut self, exchange: Exchange) {
        self.entries.push(exchange);
        if self.entries.len() > LOG_LIMIT {
            let extra = self.entries.len() - LOG_LIMIT;
            self.entries.drain(..extra);
        }
    }
}
