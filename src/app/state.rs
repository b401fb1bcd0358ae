//! The app's state as Yew reducers: the wizard (pure, in the library's [`certsmith::wizard`]) and the
//! protocol log, each saved to localStorage under its own key.

use std::ops::Deref;
use std::rc::Rc;

use certsmith::acme::client::Exchange;
use certsmith::t;
use certsmith::web::storage;
use certsmith::wizard::certs::{Shelf, ShelfAction, SHELF_STORAGE_KEY};
use certsmith::wizard::{Action, ProtocolLog, Wizard, LOG_STORAGE_KEY, STORAGE_KEY};
use yew::prelude::*;

use super::{local_ca, DEFAULT_DIRECTORY};

/// The wizard and a revision that changes with every action. Each action makes a new `Rc<Wizard>`, so
/// components get a [`WizardView`] of it that compares in O(1).
pub struct AppState {
    pub wizard: Rc<Wizard>,
    pub revision: u64,
    /// A refused saved state could not be kept aside: it stays where it is, and this visit saves nothing
    /// over it.
    saves_held: bool,
}

impl AppState {
    /// The saved state when there is a readable one, else a fresh wizard (with a note when a saved state
    /// was refused).
    pub fn load() -> Self {
        let fresh = || Wizard::new(local_ca().then_some(DEFAULT_DIRECTORY));
        let mut saves_held = false;
        let wizard = match storage::load_text(STORAGE_KEY) {
            None => fresh(),
            Some(saved) => match Wizard::restore(&saved) {
                Ok(wizard) => wizard,
                Err(e) => {
                    // Keep the refused state apart (it may hold keys someone wants back) before the fresh
                    // state overwrites it; if it cannot be, nothing overwrites it.
                    let mut wizard = fresh();
                    wizard.notice = Some(match storage::keep_aside(STORAGE_KEY, ".refused", &saved) {
                        Ok(copy) => t!(
                            "The progress saved in this browser could not be used: {why}. Starting over. \
                             A copy of it stays in this browser's storage under \"{storage_key}\".",
                            why = e,
                            storage_key = copy
                        ),
                        Err(problem) => {
                            saves_held = true;
                            t!(
                                "The progress saved in this browser could not be used: {why}. Starting over. \
                                 It could not be copied aside ({problem}), so it stays as it is under \
                                 \"{storage_key}\" and nothing is saved over it in this visit.",
                                why = e,
                                problem = problem,
                                storage_key = STORAGE_KEY
                            )
                        }
                    });
                    wizard
                }
            },
        };
        AppState {
            wizard: Rc::new(wizard),
            revision: 0,
            saves_held,
        }
    }

    /// Saves the wizard; a locked account's key only sealed ([`Wizard::saved`]).
    pub fn save(&self) -> Result<(), String> {
        if self.saves_held {
            return Err(t!(
                "the earlier progress, which could not be used, stays under \"{storage_key}\" as it is",
                storage_key = STORAGE_KEY
            ));
        }
        let saved = self.wizard.saved().map_err(|e| e.to_string())?;
        storage::save(STORAGE_KEY, &saved)
    }

    /// The wizard as the step components read it.
    pub fn view(&self) -> WizardView {
        WizardView(Rc::clone(&self.wizard))
    }
}

impl Reducible for AppState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        // "Delete all data" removed the old state that was held: saving is safe again.
        let saves_held = self.saves_held && !matches!(action, Action::DeletedEverything { .. });
        let mut wizard = Wizard::clone(&self.wizard);
        wizard.apply(action);
        Rc::new(AppState {
            wizard: Rc::new(wizard),
            revision: self.revision + 1,
            saves_held,
        })
    }
}

impl PartialEq for AppState {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
    }
}

/// A read-only wizard for the step components' props: they read it and change it only through their
/// `on_action` and `on_task` callbacks. Every action makes a new wizard, so equality is pointer equality.
#[derive(Clone)]
pub struct WizardView(Rc<Wizard>);

impl Deref for WizardView {
    type Target = Wizard;

    fn deref(&self) -> &Wizard {
        &self.0
    }
}

impl PartialEq for WizardView {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// A change to the protocol log.
pub enum LogAction {
    Logged(Exchange),
    Clear,
    /// The issuance flow waited this many seconds, for this reason.
    Waited(u64, String),
    /// Step-through on or off (kept with the log).
    StepThrough(bool),
    /// The request step-through holds until the person sends it; `None` once it goes.
    Hold(Option<Exchange>),
}

pub struct LogState {
    pub log: ProtocolLog,
    pub revision: u64,
    pub held: Option<Rc<Exchange>>,
}

impl LogState {
    pub fn load() -> Self {
        let log: ProtocolLog = storage::load(LOG_STORAGE_KEY).unwrap_or_default();
        super::effects::set_step_through(log.step_through);
        LogState {
            log,
            revision: 0,
            held: None,
        }
    }

    /// Saves the log; when the browser's quota is short, keeps only the newer half.
    pub fn save(&self) {
        if storage::save(LOG_STORAGE_KEY, &self.log).is_err() {
            let shorter = self.log.newer_half();
            if storage::save(LOG_STORAGE_KEY, &shorter).is_err() {
                storage::remove(LOG_STORAGE_KEY);
            }
        }
    }
}

impl Reducible for LogState {
    type Action = LogAction;

    fn reduce(self: Rc<Self>, action: LogAction) -> Rc<Self> {
        let mut log = self.log.clone();
        let mut held = self.held.clone();
        match action {
            LogAction::Logged(exchange) => log.push(exchange),
            LogAction::Clear => log.clear(),
            LogAction::Waited(seconds, why) => log.push_wait(seconds, &why),
            LogAction::StepThrough(on) => log.step_through = on,
            LogAction::Hold(request) => held = request.map(Rc::new),
        }
        Rc::new(LogState {
            log,
            revision: self.revision + 1,
            held,
        })
    }
}

impl PartialEq for LogState {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
    }
}

pub type StateHandle = UseReducerHandle<AppState>;
pub type LogHandle = UseReducerHandle<LogState>;

/// The certificates in this browser ([`Shelf`]), saved under their own key, and a revision that changes
/// with every action.
pub struct ShelfState {
    pub shelf: Rc<Shelf>,
    pub revision: u64,
}

impl ShelfState {
    /// The saved list (a list that does not parse is copied aside by `storage::load`, never dropped).
    pub fn load() -> Self {
        ShelfState {
            shelf: Rc::new(storage::load(SHELF_STORAGE_KEY).unwrap_or_default()),
            revision: 0,
        }
    }

    pub fn save(&self) -> Result<(), String> {
        storage::save(SHELF_STORAGE_KEY, &*self.shelf)
    }
}

impl Reducible for ShelfState {
    type Action = ShelfAction;

    fn reduce(self: Rc<Self>, action: ShelfAction) -> Rc<Self> {
        let mut shelf = Shelf::clone(&self.shelf);
        shelf.apply(action);
        Rc::new(ShelfState {
            shelf: Rc::new(shelf),
            revision: self.revision + 1,
        })
    }
}

impl PartialEq for ShelfState {
    fn eq(&self, other: &Self) -> bool {
        self.revision == other.revision
    }
}

pub type ShelfHandle = UseReducerHandle<ShelfState>;
