//! The certificates in this browser: every certificate issued here, and any the person imports as PEM,
//! with what a person coming back every month needs to know: when to renew (the CA's renewal window,
//! RFC 9773, or two thirds into the lifetime), whether it was revoked (RFC 8555 §7.6) or replaced by a
//! renewal (RFC 9773 §5, `replaces`).
//!
//! A [`Shelf`] is kept apart from the wizard's state (its own storage key), so a long list costs nothing
//! on each keystroke of the wizard. Pure, like the wizard: the time comes in as a value.

use serde::{Deserialize, Serialize};

use super::model::KeyChoice;
use crate::acme::ari::RenewalInfo;
use crate::acme::client::RevocationReason;
use crate::pki::cert::{ari_cert_id, CertificateInfo};
#[cfg(test)]
use crate::pki::cert::{parse_pem_chain, CertError};
use crate::pki::remind::unix_seconds;

/// The storage key of the list.
pub const SHELF_STORAGE_KEY: &str = "certsmith.certificates.v1";

/// The CA's renewal window for a certificate (RFC 9773 §4.2), as last read, and when to ask again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RenewalWindow {
    /// Seconds since the Unix epoch.
    pub start: i64,
    pub end: i64,
    #[serde(default)]
    pub explanation_url: Option<String>,
    /// When the CA was asked, and when to ask again at the earliest (its Retry-After, §4.3).
    pub checked_at: i64,
    pub next_check: i64,
}

/// A revocation the CA accepted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoked {
    pub at: i64,
    pub reason: RevocationReason,
}

/// One certificate. The facts shown are read once from the certificate when it is added.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateEntry {
    /// The SHA-256 fingerprint of the leaf (colon-separated hex): one entry per certificate.
    pub id: String,
    /// The directory URL of the CA that issued it, when it was issued here.
    #[serde(default)]
    pub ca: Option<String>,
    /// The account that ordered it, when issued here.
    #[serde(default)]
    pub account_url: Option<String>,
    pub names: Vec<String>,
    pub issuer: String,
    pub serial_hex: String,
    /// notBefore and notAfter, seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
    /// The ARI CertID (RFC 9773 §4.1), `None` when the certificate lacks an Authority Key Identifier.
    #[serde(default)]
    pub cert_id: Option<String>,
    /// The chain as issued (leaf first), PEM.
    pub chain_pem: String,
    /// How its key came about, so that a renewal makes the same kind.
    #[serde(default)]
    pub key_choice: Option<KeyChoice>,
    /// The certificate profile it was ordered with.
    #[serde(default)]
    pub profile: Option<String>,
    pub added_at: i64,
    #[serde(default)]
    pub renewal: Option<RenewalWindow>,
    #[serde(default)]
    pub revoked: Option<Revoked>,
    /// The id of the certificate that replaced this one.
    #[serde(default)]
    pub replaced_by: Option<String>,
}

/// Where a certificate stands, most pressing first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertState {
    Revoked,
    Expired,
    Replaced,
    /// Inside (or past) the renewal window.
    Due,
    Valid,
}

impl CertState {
    /// The state as the page shows it.
    pub fn label(self) -> &'static str {
        match self {
            CertState::Revoked => crate::t!("revoked"),
            CertState::Expired => crate::t!("expired"),
            CertState::Replaced => crate::t!("replaced"),
            CertState::Due => crate::t!("due for renewal"),
            CertState::Valid => crate::t!("valid"),
        }
    }

    /// A stable name for `data-state` and CSS classes: the English label, in every language.
    pub fn as_str(self) -> &'static str {
        match self {
            CertState::Revoked => "revoked",
            CertState::Expired => "expired",
            CertState::Replaced => "replaced",
            CertState::Due => "due for renewal",
            CertState::Valid => "valid",
        }
    }
}

/// Where a certificate came from, for [`CertificateEntry::from_read_chain`].
#[derive(Clone, Debug, Default)]
pub struct Origin {
    pub ca: Option<String>,
    pub account_url: Option<String>,
    pub key_choice: Option<KeyChoice>,
    pub profile: Option<String>,
}

impl CertificateEntry {
    /// The entry for a PEM chain (leaf first), added at `now` (the page has the jobs module read the chain
    /// and uses [`from_read_chain`](Self::from_read_chain)).
    #[cfg(test)]
    pub fn from_chain(chain_pem: &str, origin: Origin, now: i64) -> Result<Self, CertError> {
        let chain = parse_pem_chain(chain_pem)?;
        Self::from_read_chain(&chain, origin, now).ok_or(CertError::NoCertificates)
    }

    /// The entry for a chain read (leaf first; the page has the jobs module read it), added at `now`;
    /// `None` for no certificate.
    pub fn from_read_chain(chain: &[CertificateInfo], origin: Origin, now: i64) -> Option<Self> {
        let leaf = chain.first()?;
        Some(CertificateEntry {
            id: leaf.sha256_fingerprint.clone(),
            ca: origin.ca,
            account_url: origin.account_url,
            names: if leaf.names.is_empty() {
                vec![leaf.subject.clone()]
            } else {
                leaf.names.clone()
            },
            issuer: leaf.issuer.clone(),
            serial_hex: leaf.serial_hex.clone(),
            not_before: leaf.not_before,
            not_after: leaf.not_after,
            cert_id: ari_cert_id(leaf).ok(),
            chain_pem: chain.iter().map(CertificateInfo::to_pem).collect(),
            key_choice: origin.key_choice,
            profile: origin.profile,
            added_at: now,
            renewal: None,
            revoked: None,
            replaced_by: None,
        })
    }

    /// The leaf, read again (the page has the jobs module read it).
    #[cfg(test)]
    pub fn leaf(&self) -> Result<CertificateInfo, CertError> {
        parse_pem_chain(&self.chain_pem).map(|mut chain| chain.swap_remove(0))
    }

    /// The renewal window: the CA's when it gave one, else from two thirds of the lifetime until five
    /// sixths (Certsmith's choice, [`crate::pki::remind::fallback_window`]).
    pub fn window(&self) -> (i64, i64) {
        match &self.renewal {
            Some(window) => (window.start, window.end),
            None => {
                let lifetime = (self.not_after - self.not_before).max(0);
                (self.not_after - lifetime / 3, self.not_after - lifetime / 6)
            }
        }
    }

    pub fn state(&self, now: i64) -> CertState {
        if self.revoked.is_some() {
            CertState::Revoked
        } else if now > self.not_after {
            CertState::Expired
        } else if self.replaced_by.is_some() {
            CertState::Replaced
        } else if now >= self.window().0 {
            CertState::Due
        } else {
            CertState::Valid
        }
    }

    /// Whether to ask the CA for its renewal window now: not for a certificate that is done with, and
    /// not before the CA's Retry-After.
    pub fn wants_renewal_info(&self, now: i64) -> bool {
        self.cert_id.is_some()
            && matches!(self.state(now), CertState::Valid | CertState::Due)
            && self.renewal.as_ref().is_none_or(|w| now >= w.next_check)
    }
}

/// A change to the list.
#[derive(Clone, Debug)]
pub enum ShelfAction {
    /// A certificate issued here or imported; an entry already there is kept as it is.
    Added(Box<CertificateEntry>),
    /// The CA's renewalInfo for a certificate, read at `now`. `default_recheck` is how long to wait
    /// before asking again when the CA sent no Retry-After.
    RenewalInfo {
        id: String,
        info: RenewalInfo,
        now: i64,
        default_recheck: i64,
    },
    Revoked {
        id: String,
        reason: RevocationReason,
        now: i64,
    },
    /// `old` was renewed by `new` (both ids).
    Replaced {
        old: String,
        new: String,
    },
    Removed {
        id: String,
    },
}

/// Every certificate this browser knows, newest first.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shelf {
    pub entries: Vec<CertificateEntry>,
}

impl Shelf {
    pub fn get(&self, id: &str) -> Option<&CertificateEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut CertificateEntry> {
        self.entries.iter_mut().find(|e| e.id == id)
    }

    /// Applies one change. Pure.
    pub fn apply(&mut self, action: ShelfAction) {
        match action {
            ShelfAction::Added(entry) => {
                if self.get(&entry.id).is_none() {
                    self.entries.insert(0, *entry);
                }
            }
            ShelfAction::RenewalInfo {
                id,
                info,
                now,
                default_recheck,
            } => {
                let Ok((start, end)) = info.window() else {
                    return;
                };
                let wait = info
                    .retry_after
                    .map_or(default_recheck, |d| d.as_secs() as i64);
                if let Some(entry) = self.get_mut(&id) {
                    entry.renewal = Some(RenewalWindow {
                        start: unix_seconds(start),
                        end: unix_seconds(end),
                        explanation_url: info.explanation_url,
                        checked_at: now,
                        next_check: now + wait.max(60),
                    });
                }
            }
            ShelfAction::Revoked { id, reason, now } => {
                if let Some(entry) = self.get_mut(&id) {
                    entry.revoked = Some(Revoked { at: now, reason });
                }
            }
            ShelfAction::Replaced { old, new } => {
                if old != new && self.get(&new).is_some() {
                    if let Some(entry) = self.get_mut(&old) {
                        entry.replaced_by = Some(new);
                    }
                }
            }
            ShelfAction::Removed { id } => self.entries.retain(|e| e.id != id),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::acme::ari::SuggestedWindow;
    use crate::pki::key::test_support::Scratch;

    /// A self-signed certificate for two names, valid 90 days from notBefore, made by OpenSSL.
    fn chain() -> String {
        let scratch = Scratch::new("certs");
        scratch.self_signed_p256(
            "key.pem",
            "cert.pem",
            "/CN=example.test",
            90,
            &[
                "-addext",
                "subjectAltName=DNS:example.test,DNS:*.example.test",
            ],
        );
        scratch.read_text("cert.pem")
    }

    fn entry(now: i64) -> CertificateEntry {
        CertificateEntry::from_chain(&chain(), Origin::default(), now).unwrap()
    }

    #[test]
    fn an_entry_reads_its_facts_and_its_window_falls_back_to_two_thirds() {
        let e = entry(0);
        assert_eq!(e.names, ["example.test", "*.example.test"]);
        assert_eq!(e.not_after - e.not_before, 90 * 86_400);
        assert!(
            e.cert_id.is_some(),
            "OpenSSL adds an AKI to self-signed certificates"
        );
        assert_eq!(
            e.window(),
            (e.not_before + 60 * 86_400, e.not_before + 75 * 86_400)
        );
        assert_eq!(e.leaf().unwrap().serial_hex, e.serial_hex);

        let at = |days: i64| e.not_before + days * 86_400;
        assert_eq!(e.state(at(10)), CertState::Valid);
        assert_eq!(e.state(at(60)), CertState::Due);
        assert_eq!(e.state(at(91)), CertState::Expired);
    }

    #[test]
    fn the_cas_window_and_retry_after_are_kept() {
        let mut shelf = Shelf::default();
        let e = entry(0);
        let id = e.id.clone();
        shelf.apply(ShelfAction::Added(Box::new(e.clone())));
        shelf.apply(ShelfAction::Added(Box::new(e.clone())));
        assert_eq!(shelf.entries.len(), 1, "added once");
        let now = e.not_before + 86_400;
        assert!(shelf.get(&id).unwrap().wants_renewal_info(now));
        let info = RenewalInfo {
            suggested_window: SuggestedWindow {
                start: "2030-01-01T00:00:00Z".into(),
                end: "2030-01-02T00:00:00Z".into(),
            },
            explanation_url: None,
            retry_after: Some(Duration::from_secs(6 * 3600)),
        };
        shelf.apply(ShelfAction::RenewalInfo {
            id: id.clone(),
            info,
            now,
            default_recheck: 86_400,
        });
        let kept = shelf.get(&id).unwrap();
        assert_eq!(kept.window(), (1_893_456_000, 1_893_542_400));
        assert!(!kept.wants_renewal_info(now + 3600), "Retry-After honoured");
        assert!(kept.wants_renewal_info(now + 6 * 3600));
    }

    #[test]
    fn revoked_and_replaced_entries_say_so() {
        let mut shelf = Shelf::default();
        let old = entry(0);
        let mut new = old.clone();
        new.id = "NEW".into();
        shelf.apply(ShelfAction::Added(Box::new(old.clone())));
        // Replaced only by a certificate the list has.
        shelf.apply(ShelfAction::Replaced {
            old: old.id.clone(),
            new: "NEW".into(),
        });
        assert!(shelf.get(&old.id).unwrap().replaced_by.is_none());
        shelf.apply(ShelfAction::Added(Box::new(new)));
        shelf.apply(ShelfAction::Replaced {
            old: old.id.clone(),
            new: "NEW".into(),
        });
        let now = old.not_before + 86_400;
        assert_eq!(shelf.get(&old.id).unwrap().state(now), CertState::Replaced);
        assert!(!shelf.get(&old.id).unwrap().wants_renewal_info(now));
        shelf.apply(ShelfAction::Revoked {
            id: old.id.clone(),
            reason: RevocationReason::Superseded,
            now,
        });
        assert_eq!(shelf.get(&old.id).unwrap().state(now), CertState::Revoked);
        assert_eq!(shelf.entries[0].id, "NEW", "newest first");
        shelf.apply(ShelfAction::Removed { id: old.id.clone() });
        assert!(shelf.get(&old.id).is_none());
    }

    #[test]
    fn a_few_hundred_certificates_fit_in_local_storage() {
        // Chromium's localStorage holds 5 MiB per origin (UTF-16 code units counted as characters).
        // A real chain is a leaf and one or two intermediates: three certificates each.
        let e = entry(0);
        let chain_pem = e.chain_pem.repeat(3);
        let shelf = Shelf {
            entries: (0..300)
                .map(|n| CertificateEntry {
                    id: format!("{n}"),
                    chain_pem: chain_pem.clone(),
                    ..e.clone()
                })
                .collect(),
        };
        let stored = serde_json::to_string(&shelf).unwrap().len();
        assert!(
            stored < 2 * 1024 * 1024,
            "300 entries take {stored} characters"
        );
    }
}
