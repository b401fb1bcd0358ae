//! The page's words in the person's language: English, the source, and German from a catalogue.
//!
//! Every text the page shows is written in English where it is used, through [`t!`](crate::t):
//! `t!("Create order")`, `t!("Renewing the certificate for {names}.", names = list)`. The English text is
//! its own key: the German catalogue (`i18n/de/*.json`) maps each English text to its German text with the
//! same `{placeholders}`. The build merges those files into one and writes each key as its [`key`] (a
//! hash), so the page does not download its English twice. Nothing is looked up until a catalogue is installed, so
//! the native build, its tests and the command-line driver speak English as before.
//!
//! The page installs the catalogue once, before it mounts, for the language the person chose (or their
//! browser prefers); switching language saves the choice and reloads, which the page survives at any
//! step. A key missing from the catalogue shows in English: `tests/catalogue.rs` keeps that from happening
//! by reading every `t!` in the sources and requiring its translation, with the same placeholders.
//!
//! Dates and numbers go through [`date_time`], [`date`] and [`number`], which follow the language.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt::{Display, Write as _};

use time::OffsetDateTime;

/// A language the page speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// The source language: texts are written in English.
    #[default]
    En,
    /// From the catalogue `i18n/de/`.
    De,
}

impl Lang {
    /// Every language, in the order the switch shows them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    /// The BCP 47 tag (`<html lang>`, the saved choice).
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
        }
    }

    /// The language's name in itself, as a language switch shows it (never translated).
    pub fn own_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::De => "Deutsch",
        }
    }

    /// The language of a BCP 47 tag such as `de-AT` or `en`, if the page speaks it.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|lang| lang.code() == primary)
    }

    /// The first of the browser's preferred languages (`navigator.languages`, best first) that the page
    /// speaks; English when none is.
    pub fn preferred<'a>(tags: impl IntoIterator<Item = &'a str>) -> Lang {
        tags.into_iter()
            .find_map(Lang::from_tag)
            .unwrap_or_default()
    }
}

/// Translations of one language: the [`key`] of an English text to the language's text.
#[derive(Debug)]
pub struct Catalogue {
    lang: Lang,
    texts: HashMap<u32, &'static str>,
}

/// The catalogue key of an English text: FNV-1a (32 bits) of its UTF-8 bytes, written in the catalogue
/// file as 8 lower-case hex digits. scripts/service-worker.py computes the same and refuses a build where
/// two texts share a key.
pub fn key(english: &str) -> u32 {
    english.bytes().fold(0x811c_9dc5, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

/// Why a catalogue could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The file is not a JSON object of strings.
    #[error("the catalogue is not a JSON object of texts: {0}")]
    Json(#[from] serde_json::Error),
    /// A key is not 8 hex digits.
    #[error("the catalogue has a key that is not 8 hex digits: {0:?}")]
    Key(String),
}

impl Catalogue {
    /// Reads a catalogue file of the build: a JSON object from the [`key`]s of English texts (8 hex
    /// digits) to `lang`'s texts.
    ///
    /// The texts live as long as the page (they are read once per page load), so they are kept as
    /// `&'static str` and [`text`] can hand them out without copying.
    pub fn parse(lang: Lang, json: &str) -> Result<Catalogue, CatalogueError> {
        let map: HashMap<String, String> = crate::json::from_text(json)?;
        let mut texts = HashMap::with_capacity(map.len());
        for (hex, text) in map {
            let key = (hex.len() == 8)
                .then(|| u32::from_str_radix(&hex, 16).ok())
                .flatten()
                .ok_or(CatalogueError::Key(hex))?;
            texts.insert(key, &*text.leak());
        }
        Ok(Catalogue { lang, texts })
    }
}

thread_local! {
    // The page is one thread; native tests run each test on its own thread, so one test's language
    // never leaks into another's.
    static INSTALLED: Cell<Option<&'static Catalogue>> = const { Cell::new(None) };
}

/// Makes `catalogue` the language of every text from now on (the page does this once, before it mounts).
pub fn install(catalogue: Catalogue) {
    let leaked: &'static Catalogue = Box::leak(Box::new(catalogue));
    INSTALLED.with(|installed| installed.set(Some(leaked)));
}

/// Back to English (tests).
pub fn uninstall() {
    INSTALLED.with(|installed| installed.set(None));
}

/// The language texts are shown in.
pub fn lang() -> Lang {
    INSTALLED.with(|installed| installed.get().map_or(Lang::En, |c| c.lang))
}

/// `english` in the installed language; itself when no catalogue is installed or it lacks the text.
/// Use [`t!`](crate::t), which `tests/catalogue.rs` can find in the sources. Never inlined: it is called
/// from some 1,300 places, and one call is smaller than its body.
#[inline(never)]
pub fn text(english: &'static str) -> &'static str {
    saved(english)
}

/// A text that was saved in English (the protocol log keeps its waits' reasons so: a log outlives a
/// language switch) in the installed language; itself when the catalogue lacks it.
pub fn saved(english: &str) -> &str {
    INSTALLED.with(|installed| {
        installed
            .get()
            .and_then(|catalogue| catalogue.texts.get(&key(english)).copied())
            .unwrap_or(english)
    })
}

/// A piece of a text with placeholders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Words, as they are.
    Text(&'a str),
    /// The name of a `{placeholder}`.
    Slot(&'a str),
}

/// `template` cut at its `{placeholders}`: a name of ASCII letters, digits and `_` in braces. Any other brace is
/// text. The one reader of placeholders: [`fill`], the page's sentences with markup, and
/// `tests/catalogue.rs` use it.
pub fn pieces(template: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let (mut text_start, mut search) = (0, 0);
    while let Some(open) = template[search..].find('{').map(|at| at + search) {
        let after = &template[open + 1..];
        let name = after.find('}').map(|close| &after[..close]).filter(|name| {
            !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        });
        let Some(name) = name else {
            search = open + 1;
            continue;
        };
        if open > text_start {
            pieces.push(Piece::Text(&template[text_start..open]));
        }
        pieces.push(Piece::Slot(name));
        text_start = open + name.len() + 2;
        search = text_start;
    }
    if text_start < template.len() {
        pieces.push(Piece::Text(&template[text_start..]));
    }
    pieces
}

/// `template` with each `{name}` replaced by the value given for `name`. A brace without a known name
/// stays as it is.
#[inline(never)]
pub fn fill(template: &str, values: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    for piece in pieces(template) {
        let _ = match piece {
            Piece::Text(text) => out.write_str(text),
            Piece::Slot(name) => match values.iter().find(|(n, _)| *n == name) {
                Some((_, value)) => write!(out, "{value}"),
                None => write!(out, "{{{name}}}"),
            },
        };
    }
    out
}

/// A text the page shows, in the page's language (see the [module](crate::i18n)).
///
/// `t!("Dismiss")` is a `&'static str`; `t!("Order for {names}", names = list)` a `String`, each
/// `{name}` filled with the value's `Display`. The first argument must be a string literal: it is the
/// key `tests/catalogue.rs` reads from the source.
#[macro_export]
macro_rules! t {
    ($english:literal) => {
        $crate::i18n::text($english)
    };
    ($english:literal, $($name:ident = $value:expr),+ $(,)?) => {
        $crate::i18n::fill(
            $crate::i18n::text($english),
            &[$((stringify!($name), &$value as &dyn ::core::fmt::Display)),+],
        )
    };
}

/// Marks a text for the catalogue where `t!` cannot fill it (a `const` table, a pair of plural forms, a
/// sentence whose placeholders are markup rather than text): `t_key!("Key compromise")` is that literal,
/// and the place that shows it passes it through [`text`] or [`plural`]. `tests/catalogue.rs` reads these keys from the sources like those of [`t!`].
#[macro_export]
macro_rules! t_key {
    ($english:literal) => {
        $english
    };
}

/// `n` with the language's digit grouping: `12,345` in English, `12.345` in German.
pub fn number(n: u64) -> String {
    let digits = n.to_string();
    let separator = match lang() {
        Lang::En => ',',
        Lang::De => '.',
    };
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(separator);
        }
        out.push(digit);
    }
    out
}

fn utc(seconds: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(seconds)
        .ok()
        .filter(|t| (0..=9999).contains(&t.year()))
}

/// A day in UTC: `2026-12-30` in English (unambiguous everywhere), `30.12.2026` in German.
pub fn date(seconds: i64) -> Option<String> {
    let t = utc(seconds)?;
    let (y, m, d) = (t.year(), u8::from(t.month()), t.day());
    Some(match lang() {
        Lang::En => format!("{y:04}-{m:02}-{d:02}"),
        Lang::De => format!("{d:02}.{m:02}.{y:04}"),
    })
}

/// A moment in UTC to the minute: `2026-12-30 14:05 UTC`, `30.12.2026, 14:05 UTC`.
pub fn date_time(seconds: i64) -> Option<String> {
    let day = date(seconds)?;
    let t = utc(seconds)?;
    let separator = match lang() {
        Lang::En => " ",
        Lang::De => ", ",
    };
    Some(format!(
        "{day}{separator}{:02}:{:02} UTC",
        t.hour(),
        t.minute()
    ))
}

/// A count of something in words: `1 minute`, `5 minutes`. `one` and `other` are the English texts for one
/// and for any other count, each with `{n}` and marked with [`t_key!`]; both languages use those two forms.
pub fn plural(n: u64, one: &'static str, other: &'static str) -> String {
    fill(text(if n == 1 { one } else { other }), &[("n", &n)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalogue as the build writes it.
    fn german(pairs: &[(&str, &str)]) -> Catalogue {
        let map: HashMap<String, &str> = pairs
            .iter()
            .map(|(en, de)| (format!("{:08x}", key(en)), *de))
            .collect();
        Catalogue::parse(Lang::De, &serde_json::to_string(&map).unwrap()).unwrap()
    }

    #[test]
    fn keys_are_fnv_1a_32_and_bad_ones_are_refused() {
        // The FNV-1a reference values (draft-eastlake-fnv, test vectors for "" and "a" and "foobar").
        assert_eq!(key(""), 0x811c_9dc5);
        assert_eq!(key("a"), 0xe40c_292c);
        assert_eq!(key("foobar"), 0xbf9c_f968);
        assert!(matches!(
            Catalogue::parse(Lang::De, r#"{"Create order": "Auftrag anlegen"}"#),
            Err(CatalogueError::Key(_))
        ));
        assert!(matches!(
            Catalogue::parse(Lang::De, "[1]"),
            Err(CatalogueError::Json(_))
        ));
    }

    #[test]
    fn english_until_a_catalogue_is_installed() {
        assert_eq!(lang(), Lang::En);
        assert_eq!(crate::t!("Create order"), "Create order");
        assert_eq!(
            crate::t!("Renew {names}", names = "example.com"),
            "Renew example.com"
        );
    }

    #[test]
    fn the_installed_catalogue_translates_and_fills() {
        install(german(&[
            ("Create order", "Auftrag anlegen"),
            ("{n} of {total} done", "{n} von {total} erledigt"),
        ]));
        assert_eq!(lang(), Lang::De);
        assert_eq!(crate::t!("Create order"), "Auftrag anlegen");
        assert_eq!(
            crate::t!("{n} of {total} done", n = 2, total = 3),
            "2 von 3 erledigt"
        );
        // A text the catalogue lacks stays English rather than disappearing.
        assert_eq!(crate::t!("Dismiss"), "Dismiss");
        uninstall();
        assert_eq!(crate::t!("Create order"), "Create order");
    }

    #[test]
    fn pieces_are_words_and_named_slots() {
        use Piece::{Slot, Text};
        assert_eq!(
            pieces("Order {id} for {names}."),
            [
                Text("Order "),
                Slot("id"),
                Text(" for "),
                Slot("names"),
                Text(".")
            ]
        );
        assert_eq!(pieces("{a}{b_2}"), [Slot("a"), Slot("b_2")]);
        assert_eq!(pieces("{} { c } {"), [Text("{} { c } {")]);
        assert_eq!(pieces("{ {a}"), [Text("{ "), Slot("a")]);
        assert_eq!(pieces(""), []);
    }

    #[test]
    fn fill_leaves_unknown_and_unbalanced_braces() {
        assert_eq!(fill("{a} {b} {", &[("a", &1)]), "1 {b} {");
        assert_eq!(fill("{}{a}}", &[("a", &"x")]), "{}x}");
        assert_eq!(fill("ü{a}ß", &[("a", &"é")]), "üéß");
    }

    #[test]
    fn the_browser_preference_picks_the_first_language_spoken() {
        assert_eq!(Lang::preferred(["fr-FR", "de-CH", "en"]), Lang::De);
        assert_eq!(Lang::preferred(["en-GB", "de"]), Lang::En);
        assert_eq!(Lang::preferred(["fr", "ja"]), Lang::En);
        assert_eq!(Lang::preferred([]), Lang::En);
        assert_eq!(Lang::from_tag("DE_at"), Some(Lang::De));
        assert_eq!(Lang::from_tag(""), None);
    }

    #[test]
    fn dates_and_numbers_follow_the_language() {
        let moment = 1_798_639_500; // 2026-12-30 14:05 UTC
        assert_eq!(date_time(moment).unwrap(), "2026-12-30 14:05 UTC");
        assert_eq!(number(1_234_567), "1,234,567");
        assert_eq!(number(999), "999");
        assert_eq!(
            plural(1, crate::t_key!("{n} minute"), crate::t_key!("{n} minutes")),
            "1 minute"
        );
        install(german(&[
            ("{n} minute", "{n} Minute"),
            ("{n} minutes", "{n} Minuten"),
        ]));
        assert_eq!(date_time(moment).unwrap(), "30.12.2026, 14:05 UTC");
        assert_eq!(date(moment).unwrap(), "30.12.2026");
        assert_eq!(number(1_234_567), "1.234.567");
        assert_eq!(
            plural(5, crate::t_key!("{n} minute"), crate::t_key!("{n} minutes")),
            "5 Minuten"
        );
        uninstall();
        assert_eq!(date_time(i64::MAX), None);
    }
}
