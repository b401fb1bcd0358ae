//! The page's DNS check (before dns-01 answers are sent, RFC 8555 §8.4): the TXT records to place,
//! grouped by name, and what each DNS-over-HTTPS resolver (RFC 8484) said about them.

use serde::{Deserialize, Serialize};

use crate::acme::authorization::Placement;

/// What one DoH resolver said about one TXT record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum DohOutcome {
    /// Every expected value is there.
    Visible,
    /// Some expected value is missing; `found` is what the resolver has.
    NotVisible { found: Vec<String> },
    /// The resolver could not be asked.
    Error { message: String },
}

impl DohOutcome {
    /// Compares a resolver's answer with the values the record must hold.
    pub fn from_answer(expected: &[String], answer: Result<Vec<String>, String>) -> Self {
        match answer {
            Err(message) => DohOutcome::Error { message },
            Ok(found) => {
                let found: Vec<String> = found
                    .iter()
                    .map(|v| v.trim().trim_matches('"').to_string())
                    .collect();
                if expected.iter().all(|e| found.contains(e)) {
                    DohOutcome::Visible
                } else {
                    DohOutcome::NotVisible { found }
                }
            }
        }
    }

    /// "visible", "not visible yet …" or the error, as the page shows it.
    pub fn describe(&self) -> String {
        match self {
            DohOutcome::Visible => "visible".to_string(),
            DohOutcome::NotVisible { found } if found.is_empty() => {
                "not visible yet (no TXT record found)".to_string()
            }
            DohOutcome::NotVisible { found } => format!(
                "not visible yet (found {} other value{}: {})",
                found.len(),
                if found.len() == 1 { "" } else { "s" },
                found.join(", ")
            ),
            DohOutcome::Error { message } => format!("error: {message}"),
        }
    }
}

/// One row of the DNS check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DohRow {
    pub resolver: String,
    pub record_name: String,
    /// The values the record had to hold when it was checked: a check made for other values (the
    /// person switched a challenge type meanwhile) says nothing about the current ones.
    #[serde(default)]
    pub expected: Vec<String>,
    pub outcome: DohOutcome,
}

/// A TXT record to create, with every value it must hold (a wildcard and its apex share one name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecord {
    /// `_acme-challenge.example.com`
    pub name: String,
    pub values: Vec<String>,
    /// The certificate names this record proves, e.g. `example.com` and `*.example.com`.
    pub proves: Vec<String>,
}

impl DnsRecord {
    /// One zone-file line per value.
    pub fn zone_lines(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|value| {
                Placement::Dns01 {
                    record_name: self.name.clone(),
                    value: value.clone(),
                }
                .zone_file_line()
                .unwrap_or_default()
            })
            .collect()
    }
}
