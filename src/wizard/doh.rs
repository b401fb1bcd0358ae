//! The page's DNS check (before dns-01 answers are sent, RFC 8555 §8.4, and dns-persist-01 ones,
//! draft-ietf-acme-dns-persist-01 §4.2): the TXT records to place, grouped by name, and what each
//! DNS-over-HTTPS resolver (RFC 8484) said about them. A dns-01 value must be seen exactly; a
//! dns-persist-01 record counts when it grants what the CA will look for, however it is spelled.

use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::acme::authorization::Placement;
use crate::acme::persist::{satisfies, Expected, Mismatch, PersistRecord};

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
            DohOutcome::Visible => crate::t!("visible").to_string(),
            DohOutcome::NotVisible { found } if found.is_empty() => {
                crate::t!("not visible yet (no TXT record found)").to_string()
            }
            DohOutcome::NotVisible { found } if found.len() == 1 => crate::t!(
                "not visible yet (found 1 other value: {values})",
                values = found.join(", ")
            ),
            DohOutcome::NotVisible { found } => crate::t!(
                "not visible yet (found {count} other values: {values})",
                count = found.len(),
                values = found.join(", ")
            ),
            DohOutcome::Error { message } => crate::t!("error: {message}", message = message),
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
    /// dns-persist-01: the persistUntil of the record seen that satisfied the check, when it has one
    /// (a renewal may find a record placed long ago, close to its end).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub persist_until: Option<i64>,
}

/// A TXT record to create, with every value it must hold (a wildcard and its apex share one name).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecord {
    /// `_acme-challenge.example.com`
    pub name: String,
    pub values: Vec<String>,
    /// The certificate names this record proves, e.g. `example.com` and `*.example.com`.
    pub proves: Vec<String>,
    /// For a dns-persist-01 record: the issuer domain names the CA accepts in it (its values are
    /// [`PersistRecord`]s this page built). `None` for dns-01.
    pub persist_issuers: Option<Vec<String>>,
}

impl DnsRecord {
    /// The record to place for `proves` (a name as the order has it), if the placement is a TXT record.
    pub fn from_placement(proves: &str, placement: &Placement) -> Option<DnsRecord> {
        let (name, value, persist_issuers) = match placement {
            Placement::Dns01 { record_name, value } => (record_name, value.clone(), None),
            Placement::DnsPersist01 {
                record_name,
                record,
                issuer_domain_names,
            } => (
                record_name,
                record.value(),
                Some(issuer_domain_names.clone()),
            ),
            Placement::Http01 { .. } => return None,
        };
        Some(DnsRecord {
            name: name.clone(),
            values: vec![value],
            proves: vec![proves.to_string()],
            persist_issuers,
        })
    }

    /// One zone-file line per value.
    pub fn zone_lines(&self) -> Vec<String> {
        self.values
            .iter()
            .map(|value| match &self.persist_issuers {
                None => Placement::Dns01 {
                    record_name: self.name.clone(),
                    value: value.clone(),
                }
                .zone_file_line()
                .unwrap_or_default(),
                Some(_) => PersistRecord::parse(value)
                    .map(|record| record.zone_file_line(&self.name))
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// What one resolver's answer for this record's name means, as a row of the check.
    pub fn check(
        &self,
        resolver: &str,
        answer: Result<Vec<String>, String>,
        now: SystemTime,
    ) -> DohRow {
        let (outcome, persist_until) = match (answer, &self.persist_issuers) {
            (Ok(found), Some(_)) => match self.persist_verdict(&found, now) {
                Some(Ok(until)) => (DohOutcome::Visible, until),
                _ => (DohOutcome::NotVisible { found }, None),
            },
            (answer, _) => (DohOutcome::from_answer(&self.values, answer), None),
        };
        DohRow {
            resolver: resolver.to_string(),
            record_name: self.name.clone(),
            expected: self.values.clone(),
            outcome,
            persist_until,
        }
    }

    /// dns-persist-01 (`None` for dns-01): whether the TXT strings `found` at this name satisfy every
    /// value of it for its account at `now` (draft §4.2), with the earliest persistUntil of the records
    /// that did; else why not.
    pub fn persist_verdict(
        &self,
        found: &[String],
        now: SystemTime,
    ) -> Option<Result<Option<i64>, Mismatch>> {
        let issuers = self.persist_issuers.as_deref()?;
        let found: Vec<&str> = found.iter().map(|v| v.trim().trim_matches('"')).collect();
        let mut until: Option<i64> = None;
        for value in &self.values {
            let wanted = match PersistRecord::parse(value) {
                Ok(record) => record,
                Err(error) => return Some(Err(Mismatch::Malformed(error))),
            };
            let expected = Expected {
                issuer_domain_names: issuers,
                account_uri: &wanted.account_uri,
                wildcard: wanted.wildcard,
            };
            match satisfies(&found, &expected, now) {
                Ok(seen) => {
                    until = match (until, seen.persist_until) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    }
                }
                Err(why) => return Some(Err(why)),
            }
        }
        Some(Ok(until))
    }
}
