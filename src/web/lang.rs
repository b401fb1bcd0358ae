//! The page's language: the person's saved choice, else the browser's preference; its catalogue fetched
//! and installed before the app mounts ([`crate::i18n`]).
//!
//! The catalogue is one file of the build, named with its hash in `<meta name="certsmith-catalogue-de">`
//! (scripts/service-worker.py merges `i18n/de/*.json` into it), so the service worker keeps it for offline
//! use and a new version is a new name.

use std::cell::RefCell;
use std::rc::Rc;

use std::time::Duration;

use super::fetch::FetchHttp;
use super::js;
use crate::acme::transport::{HttpClient, HttpRequest};
use crate::i18n::{self, Catalogue, Lang};

/// How long the page waits for its catalogue before it shows itself in English: a stalled network must
/// not leave it blank (the service worker answers at once once it has the file).
const CATALOGUE_WAIT: Duration = Duration::from_secs(3);

/// Where the person's choice is kept (the app's other keys share the `certsmith.` prefix, so "delete all
/// data" forgets it too).
const SAVED_KEY: &str = "certsmith.lang";

thread_local! {
    /// The installed catalogue's language and text, for the page's worker: the errors of its jobs are
    /// shown in the page too.
    static INSTALLED_SOURCE: RefCell<Option<(Lang, Rc<str>)>> = const { RefCell::new(None) };
}

/// The language to show: the saved choice, else the first of `navigator.languages` the page speaks.
pub fn chosen() -> Lang {
    let saved = js::window()
        .ok()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(SAVED_KEY).ok().flatten())
        .and_then(|tag| Lang::from_tag(&tag));
    saved.unwrap_or_else(browser_preference)
}

fn browser_preference() -> Lang {
    let Ok(window) = js::window() else {
        return Lang::En;
    };
    let tags: Vec<String> = window
        .navigator()
        .languages()
        .iter()
        .filter_map(|tag| tag.as_string())
        .collect();
    Lang::preferred(tags.iter().map(String::as_str))
}

/// Installs the chosen language's catalogue and marks the document's language. English needs nothing.
/// When the catalogue cannot be had (a build without it, offline before the service worker kept it), the
/// page stays English and says why in the console.
pub async fn install_chosen() {
    let lang = chosen();
    if lang != Lang::En {
        match fetch_catalogue(lang).await {
            Ok((catalogue, text)) => {
                i18n::install(catalogue);
                INSTALLED_SOURCE.with(|source| *source.borrow_mut() = Some((lang, text.into())));
            }
            Err(why) => web_sys::console::warn_1(
                &format!(
                    "Certsmith shows English: the {} texts could not be loaded ({why})",
                    lang.code()
                )
                .into(),
            ),
        }
    }
    if let Some(root) = js::window()
        .ok()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("lang", i18n::lang().code());
    }
}

/// Saves `lang` as the person's choice and reloads the page in it (the page resumes where it was).
pub fn switch_to(lang: Lang) -> Result<(), String> {
    let window = js::window()?;
    let storage = window
        .local_storage()
        .ok()
        .flatten()
        .ok_or(crate::t!("this browser does not let the page store data"))?;
    storage
        .set_item(SAVED_KEY, lang.code())
        .map_err(|e| js::message(&e))?;
    window.location().reload().map_err(|e| js::message(&e))
}

/// The language and catalogue text the page installed (none for English): what the worker installs.
pub fn installed_source() -> Option<(Lang, Rc<str>)> {
    INSTALLED_SOURCE.with(|source| source.borrow().clone())
}

/// In the worker: installs the catalogue the page sent with its first job (`lang` as [`Lang::code`]).
/// Once per worker; a catalogue that does not read leaves the worker's texts in English.
pub fn install_in_worker(lang: &str, text: &str) {
    if i18n::lang() != Lang::En {
        return;
    }
    if let Some(catalogue) = Lang::from_tag(lang).and_then(|lang| Catalogue::parse(lang, text).ok())
    {
        i18n::install(catalogue);
    }
}

/// The catalogue of `lang` and its text, within [`CATALOGUE_WAIT`].
async fn fetch_catalogue(lang: Lang) -> Result<(Catalogue, String), String> {
    let window = js::window()?;
    let meta = format!("certsmith-catalogue-{}", lang.code());
    let url = window
        .document()
        .and_then(|d| {
            d.query_selector(&format!("meta[name=\"{meta}\"]"))
                .ok()
                .flatten()
        })
        .and_then(|m| m.get_attribute("content"))
        .filter(|url| !url.is_empty())
        .ok_or_else(|| format!("this build names no catalogue (<meta name=\"{meta}\">)"))?;
    let response = FetchHttp::with_timeout(CATALOGUE_WAIT)
        .send(HttpRequest::get(&url))
        .await
        .map_err(|e| e.to_string())?;
    if response.status != 200 {
        return Err(format!("{url}: HTTP {}", response.status));
    }
    let text = response.body_text();
    let catalogue = Catalogue::parse(lang, &text).map_err(|e| e.to_string())?;
    Ok((catalogue, text))
}
