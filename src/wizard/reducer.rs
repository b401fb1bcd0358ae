//! The reducer: how each [`Action`] changes the [`Wizard`]. Pure: no I/O, no clock, no randomness, so
//! every transition is tested natively.

use super::doh::DohRow;
use super::model::{Action, Step, Wizard};
use super::presets::CaKind;
use crate::acme::flow::{Issuance, Stage};

impl Wizard {
    /// Applies one action. Pure: no I/O, no clock, no randomness.
    pub fn apply(&mut self, action: Action) {
        match action {
            Action::ChooseCa { .. }
            | Action::SetCaUrl(_)
            | Action::Connected { .. }
            | Action::ChangeCa
            | Action::SetEabKid(_)
            | Action::SetEabHmac(_)
            | Action::SetProfile(_)
            | Action::AccountReady(_)
            | Action::NewAccountSent(_) => self.apply_setup(action),
            Action::AccountLocked(_)
            | Action::AccountUnlocked(_)
            | Action::AccountLockRemoved
            | Action::AccountKeyChanged(_)
            | Action::AccountDeactivated => self.apply_account(action),
            Action::SetNames(_)
            | Action::SetKeyChoice(_)
            | Action::SetCsrInput(_)
            | Action::CsrRead(_)
            | Action::CertKeyReady(_) => self.apply_names(action),
            Action::Busy(_)
            | Action::Waiting { .. }
            | Action::Idle
            | Action::Failed(_)
            | Action::DismissError
            | Action::DismissNotice => self.apply_page(action),
            Action::DeletedEverything { local_ca } => {
                *self = Wizard::new(local_ca.as_deref());
                self.notice = Some(
                    crate::t!("Everything Certsmith kept in this browser (keys, orders, certificates, the log) is deleted.")
                        .to_string(),
                );
            }
            Action::OrderStarted { .. }
            | Action::OrderRefused { .. }
            | Action::Advanced(_)
            | Action::ChooseChallenge { .. }
            | Action::ChoosePersist { .. }
            | Action::SetResolvers(_)
            | Action::DohChecked(_)
            | Action::ChallengesPlaced
            | Action::ChainDownloaded { .. }
            | Action::ChooseChain(_)
            | Action::ChainRead(_)
            | Action::RereadChains
            | Action::Renew { .. }
            | Action::NewOrder
            | Action::ForgetOrder
            | Action::ForgetCertKey => self.apply_order(action),
        }
    }

    /// Whether a DNS check's rows are about the records to place now (a late answer for values the
    /// person has since changed is dropped).
    fn checked_current_records(&self, rows: &[DohRow]) -> bool {
        let records = self.dns_records();
        self.order.is_some()
            && rows.iter().all(|row| {
                records
                    .iter()
                    .any(|r| r.name == row.record_name && r.values == row.expected)
            })
    }

    /// The CA and the account.
    fn apply_setup(&mut self, action: Action) {
        match action {
            Action::ChooseCa { kind, url } if self.step == Step::Ca => {
                self.ca_kind = kind;
                if let Some(url) = url {
                    self.ca_url = url;
                }
                self.error = None;
            }
            Action::SetCaUrl(url) if self.step == Step::Ca => {
                self.ca_url = url;
                self.ca_kind = CaKind::Other;
            }
            Action::Connected { url, directory } if self.step == Step::Ca => {
                self.connected_url = Some(url);
                self.profile = None;
                self.directory = Some(directory);
                self.step = Step::Account;
                self.error = None;
            }
            Action::ChangeCa => {
                self.connected_url = None;
                self.directory = None;
                self.account = None;
                self.pending_account_key = None;
                self.account_lock = None;
                self.profile = None;
                self.eab_kid.clear();
                self.eab_hmac.clear();
                self.drop_order();
                self.step = Step::Ca;
                self.error = None;
            }
            Action::SetEabKid(kid) => self.eab_kid = kid,
            Action::SetEabHmac(hmac) => self.eab_hmac = hmac,
            Action::SetProfile(profile) if self.order.is_none() => {
                self.profile = profile.filter(|p| !p.is_empty());
            }
            Action::AccountReady(account)
                if self.step == Step::Account && self.directory.is_some() =>
            {
                self.account = Some(account);
                self.pending_account_key = None;
                self.eab_kid.clear();
                self.eab_hmac.clear();
                self.step = Step::Names;
                self.error = None;
            }
            Action::NewAccountSent(key) if self.step == Step::Account && self.account.is_none() => {
                self.pending_account_key = Some(key);
            }
            _ => {}
        }
    }

    /// The names and the certificate key, before the order.
    fn apply_names(&mut self, action: Action) {
        match action {
            Action::SetNames(text) if self.order.is_none() => {
                self.names_input = text;
            }
            Action::SetKeyChoice(choice) if self.order.is_none() => {
                self.key_choice = choice;
            }
            Action::SetCsrInput(text) if self.order.is_none() => {
                self.csr_input = text;
            }
            // A reading of an input the person has changed since is dropped: the new one is on its way.
            Action::CsrRead(read) if read.input == self.csr_input => self.csr_read = Some(read),
            Action::CertKeyReady(key) if self.order.is_none() => {
                self.cert_key = Some(key);
            }
            _ => {}
        }
    }

    /// The order: the issuance flow's progress and the person's choices in it.
    fn apply_order(&mut self, action: Action) {
        match action {
            Action::OrderStarted { issuance, csr } => self.start_order(issuance, csr),
            Action::OrderRefused { id }
                if self
                    .order
                    .as_ref()
                    .is_some_and(|o| o.id == id && o.order.is_none()) =>
            {
                self.order = None;
                self.step = Step::Names;
            }
            Action::Advanced(issuance)
                if self.order.as_ref().is_some_and(|o| o.id == issuance.id) =>
            {
                self.order = Some(issuance);
                self.settle();
            }
            Action::ChooseChallenge {
                index,
                challenge_type,
            } => {
                let changed = self.step == Step::Challenges
                    && self
                        .order
                        .as_mut()
                        .is_some_and(|o| o.choose_challenge(index, &challenge_type));
                if changed {
                    // A check made for the other type says nothing about this one.
                    self.doh.clear();
                }
            }
            Action::ChoosePersist { index, choice } => {
                let changed = self.step == Step::Challenges
                    && self
                        .order
                        .as_mut()
                        .is_some_and(|o| o.choose_persist(index, choice));
                if changed {
                    // A check made for the record as it was says nothing about it now; the other
                    // records' checks stand.
                    let rows = std::mem::take(&mut self.doh);
                    self.doh = rows
                        .into_iter()
                        .filter(|row| self.checked_current_records(std::slice::from_ref(row)))
                        .collect();
                }
            }
            Action::SetResolvers(text) => self.resolvers = text,
            Action::DohChecked(rows) if self.checked_current_records(&rows) => {
                self.doh = rows;
            }
            Action::ChallengesPlaced if self.step == Step::Challenges => {
                if let Some(order) = self.order.as_mut() {
                    order.confirm_placed();
                }
                self.settle();
            }
            Action::ChainDownloaded { order_id, chain } => {
                let current = self.order.as_ref().is_some_and(|o| o.id == order_id);
                if current && self.step == Step::Done {
                    match self.chains.iter_mut().find(|c| c.url == chain.url) {
                        Some(slot) => *slot = chain,
                        None => self.chains.push(chain),
                    }
                }
            }
            Action::ChooseChain(url) => {
                let primary = self.chains.first().map(|c| c.url.clone());
                self.chosen_chain = url.filter(|u| Some(u) != primary.as_ref());
            }
            // Only readings of the chains the wizard has now; one each.
            Action::ChainRead(read) => {
                self.chains_read
                    .retain(|r| r.pem != read.pem && self.chains.iter().any(|c| c.pem == r.pem));
                if self.chains.iter().any(|c| c.pem == read.pem) {
                    self.chains_read.push(read);
                }
            }
            Action::RereadChains => self.chains_read.retain(|r| r.result.is_ok()),
            Action::Renew {
                renewing,
                key_choice,
                profile,
            } if self.account.is_some() && self.can_start_renewal() => {
                self.drop_order();
                self.names_input = renewing.names.join("\n");
                if let Some(choice) = key_choice {
                    self.key_choice = choice;
                }
                self.profile = profile;
                self.renewing = Some(renewing);
                self.step = Step::Names;
                self.error = None;
                self.busy = None;
            }
            Action::NewOrder if self.account.is_some() => {
                self.drop_order();
                self.step = Step::Names;
                self.error = None;
                self.busy = None;
            }
            Action::ForgetCertKey if self.step == Step::Done => self.cert_key = None,
            Action::ForgetOrder => {
                self.drop_order();
                self.names_input.clear();
                self.csr_input.clear();
                self.error = None;
                self.busy = None;
                if self.account.is_some() {
                    self.step = Step::Names;
                }
            }
            _ => {}
        }
    }

    /// What the page shows meanwhile: busy, waiting, errors and notices (never saved).
    fn apply_page(&mut self, action: Action) {
        match action {
            Action::Busy(label) => {
                self.busy = Some(label);
                self.busy_until_ms = None;
                self.error = None;
            }
            Action::Waiting { label, until_ms } => {
                self.busy = Some(label);
                self.busy_until_ms = Some(until_ms);
                self.error = None;
            }
            Action::Idle => {
                self.busy = None;
                self.busy_until_ms = None;
            }
            Action::Failed(error) => {
                self.busy = None;
                self.busy_until_ms = None;
                self.error = Some(error);
            }
            Action::DismissError => self.error = None,
            Action::DismissNotice => self.notice = None,
            _ => {}
        }
    }

    fn start_order(&mut self, issuance: Issuance, csr: Option<String>) {
        if self.step != Step::Names || self.account.is_none() || self.order.is_some() {
            return;
        }
        if csr.is_some() {
            self.cert_key = None;
        }
        self.order_csr = csr;
        self.order = Some(issuance);
        self.chains.clear();
        self.chains_read.clear();
        self.chosen_chain = None;
        self.doh.clear();
        self.error = None;
        self.settle();
    }

    /// Changes to the account once it exists. The passphrase lock seals the account that is open, and
    /// opens only the account it sealed.
    fn apply_account(&mut self, action: Action) {
        match action {
            Action::AccountLocked(lock)
                if self.account.as_ref().is_some_and(|a| a.url == lock.url) =>
            {
                self.account_lock = Some(lock);
            }
            Action::AccountUnlocked(account)
                if self.is_locked()
                    && self
                        .account_lock
                        .as_ref()
                        .is_some_and(|l| l.url == account.url) =>
            {
                self.account = Some(account);
                self.error = None;
            }
            Action::AccountLockRemoved if self.account.is_some() => self.account_lock = None,
            Action::AccountKeyChanged(account)
                if self.account.as_ref().is_some_and(|a| a.url == account.url) =>
            {
                self.account = Some(account);
                self.account_lock = None;
            }
            Action::AccountDeactivated if self.account.is_some() => {
                self.account = None;
                self.account_lock = None;
                self.drop_order();
                self.step = Step::Account;
                self.error = None;
                self.notice = Some(
                    crate::t!("The account is deactivated: the CA refuses its key from now on (RFC 8555 §7.3.6). \
                     Certificates it issued stay valid. To use this CA again, create a new account.")
                        .to_string(),
                );
            }
            _ => {}
        }
    }

    /// Whether dropping the order now ("Start a new order", a renewal) deletes the private key of a
    /// certificate it issued: the certificate stays in the list, its key is kept only with the order. The
    /// page asks first, since a key not yet downloaded would be gone for good.
    pub fn drops_issued_key(&self) -> bool {
        self.cert_key.is_some() && !self.chains.is_empty()
    }

    /// A renewal replaces no order under way: only when there is none, or it is done or failed.
    pub fn can_start_renewal(&self) -> bool {
        self.order.is_none() || matches!(self.step, Step::Done | Step::Failed)
    }

    /// Everything that belongs to one order.
    pub(super) fn drop_order(&mut self) {
        self.order = None;
        self.renewing = None;
        self.cert_key = None;
        self.order_csr = None;
        self.chains.clear();
        self.chains_read.clear();
        self.chosen_chain = None;
        self.doh.clear();
    }

    /// Puts the step where the issuance is, and keeps the chain it downloaded.
    pub(super) fn settle(&mut self) {
        let Some(issuance) = &self.order else { return };
        self.step = match issuance.stage() {
            Stage::Ordering => Step::Names,
            Stage::Placing => Step::Challenges,
            Stage::Validating => Step::Validating,
            Stage::Finalizing => Step::Finalizing,
            Stage::Done => Step::Done,
            Stage::Failed => Step::Failed,
        };
        if let Some(chain) = &issuance.chain {
            if !self.chains.iter().any(|c| c.url == chain.url) {
                self.chains.insert(0, chain.clone());
            }
        }
    }
}
