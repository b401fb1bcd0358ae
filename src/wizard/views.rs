//! What the page derives from the state: parsed input and why an action cannot run yet, what to place
//! and check, why an order failed, which chains there are, and the files a chain is saved as.

use std::time::SystemTime;

use super::doh::{DnsRecord, DohOutcome, DohRow};
use super::model::{ChainOption, CsrRead, Failure, KeyChoice, Step, Wizard};
use crate::acme::authorization::{ChallengeError, ChallengeType, Placement};
use crate::acme::client::CertificateChain;
use crate::acme::flow::{self, Issuance};
use crate::acme::identifier::{parse_identifiers, Identifier, InvalidIdentifier};
use crate::acme::order::OrderStatus;
use crate::acme::persist::{PersistRecord, PERSIST_UNTIL_WARNING};
use crate::pki::cert::CertificateInfo;
use crate::pki::csr::ParsedCsr;

/// Where the CSR the person brings stands ([`Wizard::csr_status`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CsrStatus {
    /// Nothing pasted.
    Empty,
    /// Pasted, not read yet.
    Reading,
    /// Read: the CSR, matching the names, or why it cannot be used.
    Read(Result<ParsedCsr, String>),
}

impl Wizard {
    /// The names as typed, parsed; an empty list when nothing is typed.
    pub fn parsed_names(&self) -> Result<Vec<Identifier>, Vec<InvalidIdentifier>> {
        parse_identifiers(&self.names_input)
    }

    /// The CSR as pasted, read (by the jobs module: [`super::model::Action::CsrRead`]) and compared with the names.
    pub fn csr_status(&self) -> CsrStatus {
        if self.csr_input.trim().is_empty() {
            return CsrStatus::Empty;
        }
        let Some(read) = self.csr_reading() else {
            return CsrStatus::Reading;
        };
        CsrStatus::Read(read.result.clone().and_then(|csr| {
            match self.parsed_names() {
                Ok(names) if !names.is_empty() => csr
                    .check_matches(&names)
                    .map(|()| csr)
                    .map_err(|e| e.to_string()),
                _ => Ok(csr),
            }
        }))
    }

    /// Whether the CSR input is waiting to be read (what the page then asks the jobs module). Asked at
    /// every render of the names step: it only compares, where `csr_status` also checks the names.
    pub fn csr_needs_reading(&self) -> bool {
        self.key_choice == KeyChoice::Csr
            && self.order.is_none()
            && !self.csr_input.trim().is_empty()
            && self.csr_reading().is_none()
    }

    /// The reading of the CSR input as it is now, if it came back.
    fn csr_reading(&self) -> Option<&CsrRead> {
        self.csr_read.as_ref().filter(|r| r.input == self.csr_input)
    }

    /// Why "Create order" cannot run yet, or `None` when it can.
    pub fn order_blocker(&self) -> Option<String> {
        if self.is_locked() {
            return Some(
                crate::t!("Unlock the account key first (at the top of the page).").into(),
            );
        }
        if self.account.is_none() {
            return Some(crate::t!("Create or import an account first.").into());
        }
        match self.parsed_names() {
            Ok(names) if names.is_empty() => {
                return Some(crate::t!("Enter at least one name.").into())
            }
            Err(_) => return Some(crate::t!("Correct the names marked above.").into()),
            Ok(_) => {}
        }
        if self.key_choice == KeyChoice::Csr {
            match self.csr_status() {
                CsrStatus::Empty => return Some(crate::t!("Paste your CSR.").into()),
                CsrStatus::Reading => return Some(crate::t!("Reading the CSR…").into()),
                CsrStatus::Read(Err(_)) => {
                    return Some(crate::t!("Correct the CSR (see above).").into())
                }
                CsrStatus::Read(Ok(_)) => {}
            }
        }
        None
    }

    /// The placement (record or file) of authorization `index` for its chosen challenge type.
    pub fn placement(&self, index: usize) -> Option<Result<Placement, ChallengeError>> {
        self.order
            .as_ref()?
            .placement(index, self.account.as_ref()?)
    }

    /// The TXT records still to be placed (dns-01 and dns-persist-01), grouped by name, in the order of
    /// the authorizations: what the DNS check asks about.
    pub fn dns_records(&self) -> Vec<DnsRecord> {
        let mut records: Vec<DnsRecord> = Vec::new();
        let Some(order) = &self.order else {
            return records;
        };
        for (index, authz) in order.authorizations.iter().enumerate() {
            if !authz.is_pending() || authz.answered {
                continue;
            }
            let Some(Ok(placement)) = self.placement(index) else {
                continue;
            };
            let Some(new) = DnsRecord::from_placement(&authz.name(), &placement) else {
                continue;
            };
            match records.iter_mut().find(|r| r.name == new.name) {
                Some(record) => {
                    for value in new.values {
                        if !record.values.contains(&value) {
                            record.values.push(value);
                        }
                    }
                    record.proves.extend(new.proves);
                }
                None => records.push(new),
            }
        }
        records
    }

    /// The dns-persist-01 record of authorization `index`, when that is its chosen challenge.
    fn persist_record(&self, index: usize) -> Option<(String, PersistRecord)> {
        match self.placement(index)? {
            Ok(Placement::DnsPersist01 {
                record_name,
                record,
                ..
            }) => Some((record_name, record)),
            _ => None,
        }
    }

    /// The DNS check's rows that saw the dns-persist-01 record of authorization `index` (as it is
    /// now): nothing needs placing, it is there already (a renewal with the same account).
    pub fn persist_seen(&self, index: usize) -> Vec<&DohRow> {
        let Some(record) = self.persist_dns_record(index) else {
            return Vec::new();
        };
        self.doh
            .iter()
            .filter(|row| {
                row.record_name == record.name
                    && row.expected == record.values
                    && row.outcome == DohOutcome::Visible
            })
            .collect()
    }

    /// Records the DNS check found at the dns-persist-01 name of authorization `index` that do not
    /// count, with why, by resolver: another account, no policy=wildcard, a persistUntil passed …
    pub fn persist_refusals(&self, index: usize, now: SystemTime) -> Vec<(String, String)> {
        let Some(record) = self.persist_dns_record(index) else {
            return Vec::new();
        };
        self.doh
            .iter()
            .filter(|row| row.record_name == record.name && row.expected == record.values)
            .filter_map(|row| match &row.outcome {
                DohOutcome::NotVisible { found } if !found.is_empty() => {
                    match record.persist_verdict(found, now)? {
                        Err(why) => Some((row.resolver.clone(), why.to_string())),
                        Ok(_) => None,
                    }
                }
                _ => None,
            })
            .collect()
    }

    /// The persistUntil that comes within [`PERSIST_UNTIL_WARNING`] for authorization `index`: the one
    /// chosen for its dns-persist-01 record, or that of the record the DNS check saw; the earliest.
    pub fn persist_until_near(&self, index: usize, now: SystemTime) -> Option<i64> {
        let (_, record) = self.persist_record(index)?;
        let seen = self
            .persist_seen(index)
            .into_iter()
            .map(|r| r.persist_until);
        std::iter::once(record.persist_until)
            .chain(seen)
            .flatten()
            .filter(|until| {
                PersistRecord {
                    persist_until: Some(*until),
                    ..record.clone()
                }
                .persist_until_near(now, PERSIST_UNTIL_WARNING)
            })
            .min()
    }

    /// The grouped record (as the DNS check has it) that holds authorization `index`'s persist record.
    fn persist_dns_record(&self, index: usize) -> Option<DnsRecord> {
        let (name, _) = self.persist_record(index)?;
        self.dns_records().into_iter().find(|r| r.name == name)
    }

    /// Resolver URLs from the textarea.
    pub fn resolver_list(&self) -> Vec<String> {
        self.resolvers
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// True when every TXT record was seen with all its values by at least one resolver.
    pub fn dns_seen_everywhere_needed(&self) -> bool {
        self.dns_records().iter().all(|record| {
            self.doh
                .iter()
                .any(|row| row.record_name == record.name && row.outcome == DohOutcome::Visible)
        })
    }

    /// Whether any pending authorization uses http-01, which the page cannot check.
    pub fn has_pending_http(&self) -> bool {
        self.order.as_ref().is_some_and(|o| {
            o.authorizations
                .iter()
                .any(|a| a.is_pending() && a.challenge_type == Some(ChallengeType::Http01))
        })
    }

    /// What the person should know before submitting, or `None` when the checks saw everything.
    pub fn submit_warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let records = self.dns_records();
        if !records.is_empty() && !self.dns_seen_everywhere_needed() {
            warnings.push(if self.doh.is_empty() {
                crate::t!("The DNS check has not run, so nobody has seen the TXT records yet.")
                    .to_string()
            } else {
                crate::t!("The DNS check has not seen every TXT value at any resolver yet.")
                    .to_string()
            });
        }
        if self.has_pending_http() {
            warnings.push(
                crate::t!(
                    "HTTP-01 files cannot be checked from this page (browsers may not fetch another site's \
                     files): open each URL yourself and compare the content."
                )
                .to_string(),
            );
        }
        warnings
    }

    /// The CA's terms of service, when its directory names any (RFC 8555 §7.1.1 makes them optional).
    pub fn terms_to_agree(&self) -> Option<&str> {
        self.directory.as_ref()?.meta.terms_of_service.as_deref()
    }

    /// Whether "Create account" must wait for the terms box: only when there are terms to agree to.
    pub fn must_agree(terms: Option<&str>, agreed: bool) -> bool {
        terms.is_some() && !agreed
    }

    /// The CA requires External Account Binding and its two values are not both entered yet.
    pub fn eab_missing(&self) -> bool {
        self.directory
            .as_ref()
            .is_some_and(|d| d.meta.external_account_required)
            && (self.eab_kid.trim().is_empty() || self.eab_hmac.trim().is_empty())
    }

    /// The certificate key was made here and has since been deleted from this browser (not a CSR).
    pub fn cert_key_deleted(&self) -> bool {
        self.step == Step::Done && self.cert_key.is_none() && self.order_csr.is_none()
    }

    /// How many authorizations still wait for their record or file to be placed and answered.
    pub fn challenges_to_place(&self) -> usize {
        self.order.as_ref().map_or(0, |o| {
            o.authorizations
                .iter()
                .filter(|a| a.is_pending() && !a.answered)
                .count()
        })
    }

    /// Authorizations the CA already holds as valid (reused): nothing to place for them.
    pub fn reused_authorizations(&self) -> Vec<String> {
        self.order
            .as_ref()
            .map(Issuance::reused)
            .unwrap_or_default()
    }

    /// The CA held every name of the order as validated already (authorization reuse): nothing was placed.
    pub fn all_reused(&self) -> bool {
        self.order.as_ref().is_some_and(|issuance| {
            issuance.authorizations.iter().all(|a| !a.answered)
                && issuance.order.as_ref().is_some_and(|o| {
                    matches!(
                        o.status,
                        OrderStatus::Ready | OrderStatus::Processing | OrderStatus::Valid
                    )
                })
        })
    }

    /// Why the order cannot go on, in the page's words, with the CA's problems.
    pub fn failure(&self) -> Option<Failure> {
        Some(match self.order.as_ref()?.failure()? {
            flow::Failure::Authorizations(failed) => {
                let names: Vec<String> = failed
                    .iter()
                    .map(|a| format!("{} ({})", a.name, a.status.as_str()))
                    .collect();
                let names = names.join(", ");
                let unexplained = failed.iter().any(|a| a.problem.is_none());
                Failure {
                    message: if unexplained {
                        crate::t!(
                            "The CA could not validate {names}. The CA did not say why for every name. A \
                             failed authorization cannot be retried: fix the cause, then start a new order.",
                            names = names
                        )
                    } else {
                        crate::t!(
                            "The CA could not validate {names}. A failed authorization cannot be retried: fix \
                             the cause, then start a new order.",
                            names = names
                        )
                    },
                    problems: failed.into_iter().filter_map(|a| a.problem).collect(),
                }
            }
            flow::Failure::Order(problem) => Failure {
                message: crate::t!("The CA declared the order invalid; start a new order.").to_string(),
                problems: problem.into_iter().map(|p| *p).collect(),
            },
            flow::Failure::NoUsableChallenge(names) => Failure {
                message: crate::t!(
                    "The CA offers no challenge this page can complete for {names} (only DNS-01 and HTTP-01 \
                     can be placed by hand). Remove these names and start a new order.",
                    names = names.join(", ")
                ),
                problems: Vec::new(),
            },
        })
    }

    /// The chain URLs the CA offered (primary first) and what the page knows of each.
    pub fn chain_options(&self) -> Vec<ChainOption> {
        let Some(primary) = self.chains.first() else {
            return Vec::new();
        };
        std::iter::once(primary.url.clone())
            .chain(primary.alternates.iter().cloned())
            .enumerate()
            .map(|(index, url)| {
                let loaded = self.chains.iter().find(|c| c.url == url);
                let root = loaded.and_then(|c| self.chain_top_issuer(&c.pem));
                let label = match (index, root) {
                    (0, Some(root)) => crate::t!("Default chain (up to {root})", root = root),
                    (0, None) => crate::t!("Default chain").to_string(),
                    (n, Some(root)) => {
                        crate::t!("Alternate chain {n} (up to {root})", n = n, root = root)
                    }
                    (n, None) => crate::t!("Alternate chain {n}", n = n),
                };
                ChainOption {
                    label,
                    loaded: loaded.is_some(),
                    url,
                }
            })
            .collect()
    }

    /// The chain the page shows: the chosen alternate when loaded, else the primary.
    pub fn current_chain(&self) -> Option<&CertificateChain> {
        self.chosen_chain
            .as_ref()
            .and_then(|url| self.chains.iter().find(|c| &c.url == url))
            .or_else(|| self.chains.first())
    }
}

impl Wizard {
    /// What reading the chain `pem` gave, once the jobs module has read it ([`Task::ReadChains`]).
    pub fn chain_reading(&self, pem: &str) -> Option<&Result<Vec<CertificateInfo>, String>> {
        self.chains_read
            .iter()
            .find(|r| r.pem == pem)
            .map(|r| &r.result)
    }

    /// The downloaded chains not read yet, by their PEM.
    pub fn chains_unread(&self) -> Vec<String> {
        self.chains
            .iter()
            .filter(|c| self.chain_reading(&c.pem).is_none())
            .map(|c| c.pem.clone())
            .collect()
    }

    /// The issuer of the last certificate of a chain read: the root it leads to.
    fn chain_top_issuer(&self, pem: &str) -> Option<String> {
        let top = self.chain_reading(pem)?.as_ref().ok()?.last()?;
        Some(short_name(&top.issuer))
    }
}

/// The CN of an RFC 4514 name, or the whole name: how the page names an issuer.
pub fn short_name(name: &str) -> String {
    name.split(',')
        .find_map(|part| part.trim().strip_prefix("CN="))
        .unwrap_or(name)
        .to_string()
}

/// The files a certificate chain is saved as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainFiles {
    /// Leaf and intermediates.
    pub fullchain: String,
    pub cert: String,
    /// The intermediates.
    pub chain: String,
    pub leaf: CertificateInfo,
    /// The DER of every certificate, leaf first.
    pub ders: Vec<Vec<u8>>,
}

/// Splits a chain read (leaf first, as [`crate::pki::cert::parse_pem_chain`] gives it) into the usual
/// files; `None` for no certificate at all.
pub fn chain_files(chain: &[CertificateInfo]) -> Option<ChainFiles> {
    let (leaf, intermediates) = chain.split_first()?;
    let cert = leaf.to_pem();
    let intermediates: String = intermediates.iter().map(CertificateInfo::to_pem).collect();
    Some(ChainFiles {
        fullchain: format!("{cert}{intermediates}"),
        cert,
        chain: intermediates,
        ders: chain.iter().map(|c| c.der.clone()).collect(),
        leaf: leaf.clone(),
    })
}
