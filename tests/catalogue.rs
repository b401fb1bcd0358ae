//! The German catalogue (`i18n/de/*.json`) against the sources: every text the page shows through `t!` or
//! `t_key!` has a translation with the same `{placeholders}`, every placeholder is given a value where the
//! text is used, and the catalogue holds nothing the sources no longer use.
//!
//! Test modules (`#[cfg(test)] mod …` to the end of a file, and `tests.rs` files) and comment lines are
//! not the page's texts and are skipped.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use certsmith::i18n::{pieces, Piece};

/// One use of a text in the sources.
#[derive(Debug)]
struct Use {
    key: String,
    /// The names given values at the call (`t!("…", names = x)`); `None` for `t_key!`, whose values come
    /// where the text is shown.
    given: Option<BTreeSet<String>>,
    at: String,
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().unwrap() != "tests.rs"
        {
            out.push(path);
        }
    }
}

/// The source without its test modules (`#[cfg(test)]` then `mod name { … }`, braces matched outside
/// literals and comments; `mod name;` files are left out by name).
fn without_tests(source: &str) -> String {
    let mut out = String::new();
    let mut rest = source;
    while let Some(at) = rest.find("#[cfg(test)]") {
        let after = &rest[at + "#[cfg(test)]".len()..];
        let item = after.trim_start();
        let Some(open) = item
            .starts_with("mod ")
            .then(|| item.find(['{', ';']))
            .flatten()
        else {
            out.push_str(&rest[..at + "#[cfg(test)]".len()]);
            rest = after;
            continue;
        };
        out.push_str(&rest[..at]);
        let body_start = item.len() - item[open..].len();
        rest = if item[open..].starts_with(';') {
            &item[open + 1..]
        } else {
            &item[body_start + matching_brace(&item[body_start..]) + 1..]
        };
    }
    out.push_str(rest);
    out
}

/// The byte index of the `}` that closes the `{` at the start of `code`, skipping string and character
/// literals and comments.
fn matching_brace(code: &str) -> usize {
    let mut depth = 0usize;
    let mut i = 0;
    let bytes = code.as_bytes();
    while i < bytes.len() {
        let rest = &code[i..];
        if rest.starts_with("//") {
            i += rest.find('\n').unwrap_or(rest.len());
            continue;
        }
        if rest.starts_with('"') || rest.starts_with("r\"") || rest.starts_with("r#") {
            if let Some((_, after)) = string_literal(rest) {
                i = code.len() - after.len();
                continue;
            }
        }
        if let Some(quoted) = rest.strip_prefix('\'') {
            // A character literal ('{', '\'', '\u{7b}'), not a lifetime ('a).
            let close = if quoted.starts_with('\\') {
                quoted[2..].find('\'').map(|c| c + 2)
            } else {
                quoted
                    .char_indices()
                    .nth(1)
                    .filter(|(_, c)| *c == '\'')
                    .map(|(c, _)| c)
            };
            if let Some(close) = close {
                i += close + 2;
                continue;
            }
        }
        match bytes[i] {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += rest.chars().next().map_or(1, char::len_utf8);
    }
    panic!("an unclosed test module");
}

/// A Rust string literal at the start of `s` (after blanks): its value and the rest after it.
fn string_literal(s: &str) -> Option<(String, &str)> {
    let s = s.trim_start();
    if let Some(raw) = s.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?;
        let end = format!("\"{}", "#".repeat(hashes));
        let close = body.find(&end)?;
        return Some((body[..close].to_string(), &body[close + end.len()..]));
    }
    let mut chars = s.strip_prefix('"')?.char_indices();
    let body = &s[1..];
    let mut value = String::new();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((value, &body[i + 1..])),
            '\\' => match chars.next()?.1 {
                'n' => value.push('\n'),
                't' => value.push('\t'),
                'r' => value.push('\r'),
                'x' => {
                    let code = u8::from_str_radix(body.get(i + 2..i + 4)?, 16).ok()?;
                    value.push(char::from(code));
                    chars.next();
                    chars.next();
                }
                '\\' => value.push('\\'),
                '"' => value.push('"'),
                '\'' => value.push('\''),
                '0' => value.push('\0'),
                // A line continuation: the newline and the next line's leading blanks are not in the text.
                '\n' => {
                    let rest = &body[i + 2..];
                    let skip = rest.len() - rest.trim_start().len();
                    for _ in 0..rest[..skip].chars().count() {
                        chars.next();
                    }
                }
                'u' => {
                    let rest = &body[i + 2..];
                    let close = rest.find('}')?;
                    let code = u32::from_str_radix(&rest[1..close], 16).ok()?;
                    value.push(char::from_u32(code)?);
                    for _ in 0..=close {
                        chars.next();
                    }
                }
                other => panic!("an escape the catalogue test does not read: \\{other}"),
            },
            c => value.push(c),
        }
    }
    None
}

/// The names given values in the rest of a `t!` call, up to its closing parenthesis: `, a = x, b = f(y))`.
fn given_names(rest: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut depth = 0usize;
    let mut argument_start = true;
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            '"' => {
                // Skip a string literal inside a value.
                let (_, after) =
                    string_literal(&rest[i..]).expect("a string literal in a t! value");
                let skip = rest.len() - after.len();
                while chars.peek().is_some_and(|(j, _)| *j < skip) {
                    chars.next();
                }
                continue;
            }
            ',' if depth == 0 => {
                argument_start = true;
                continue;
            }
            _ => {}
        }
        if argument_start && depth == 0 && !c.is_whitespace() {
            argument_start = false;
            let argument = &rest[i..];
            let name: String = argument
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let after = argument[name.len()..].trim_start();
            if !name.is_empty() && after.starts_with('=') && !after.starts_with("==") {
                names.insert(name);
            }
        }
    }
    names
}

fn placeholders(text: &str) -> BTreeSet<String> {
    pieces(text)
        .into_iter()
        .filter_map(|piece| match piece {
            Piece::Slot(name) => Some(name.to_string()),
            Piece::Text(_) => None,
        })
        .collect()
}

fn uses(root: &Path) -> Vec<Use> {
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    let mut found = Vec::new();
    for file in files {
        let source = fs::read_to_string(&file).unwrap();
        let source = without_tests(&source);
        let source = source.as_str();
        for (macro_name, has_values) in [("t!(", true), ("t_key!(", false)] {
            for (at, _) in source.match_indices(macro_name) {
                let before = source[..at].chars().next_back();
                if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                    continue; // another macro whose name ends in t
                }
                let line_start = source[..at].rfind('\n').map_or(0, |i| i + 1);
                if source[line_start..at].trim_start().starts_with("//") {
                    continue; // an example in a comment
                }
                let line = source[..at].lines().count().max(1);
                let place = format!("{}:{line}", file.strip_prefix(root).unwrap().display());
                let after = &source[at + macro_name.len()..];
                if after.trim_start().starts_with("$english") {
                    continue; // the macros' own definitions
                }
                let (key, rest) = string_literal(after).unwrap_or_else(|| {
                    panic!("{place}: {macro_name}…) must start with a string literal")
                });
                found.push(Use {
                    key,
                    given: has_values.then(|| given_names(rest)),
                    at: place,
                });
            }
        }
    }
    found
}

fn catalogue(root: &Path, lang: &str) -> BTreeMap<String, (String, String)> {
    let dir = root.join("i18n").join(lang);
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no catalogue files in {}", dir.display());
    let mut merged = BTreeMap::new();
    for file in files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let text = fs::read_to_string(&file).unwrap();
        let map: BTreeMap<String, String> = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not a JSON object of strings: {e}", file.display()));
        for (key, value) in map {
            if let Some((_, other)) = merged.insert(key.clone(), (value, name.clone())) {
                panic!("{key:?} is in both {other} and {name}: keep each text in one file");
            }
        }
    }
    merged
}

#[test]
fn every_text_has_its_german_and_the_catalogue_nothing_stale() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let uses = uses(root);
    assert!(
        uses.len() > 100,
        "found only {} texts: is the source reader broken?",
        uses.len()
    );
    let german = catalogue(root, "de");
    let mut problems = Vec::new();
    for u in &uses {
        let wanted = placeholders(&u.key);
        if let Some(given) = &u.given {
            if *given != wanted {
                problems.push(format!(
                    "{}: {:?} has the placeholders {wanted:?} but is given {given:?}",
                    u.at, u.key
                ));
            }
        }
        match german.get(&u.key) {
            None => problems.push(format!("{}: no German for {:?}", u.at, u.key)),
            Some((text, file)) => {
                if text.trim().is_empty() {
                    problems.push(format!("{file}: the German for {:?} is empty", u.key));
                }
                let edges = |s: &str| {
                    (
                        s.starts_with(char::is_whitespace),
                        s.ends_with(char::is_whitespace),
                    )
                };
                if edges(text) != edges(&u.key) {
                    problems.push(format!(
                        "{file}: the German for {:?} does not begin and end with space as the English does",
                        u.key
                    ));
                }
                let has = placeholders(text);
                if has != wanted {
                    problems.push(format!(
                        "{file}: the German for {:?} has the placeholders {has:?}, the English {wanted:?}",
                        u.key
                    ));
                }
            }
        }
    }
    let used: BTreeSet<&str> = uses.iter().map(|u| u.key.as_str()).collect();
    for (key, (_, file)) in &german {
        if !used.contains(key.as_str()) {
            problems.push(format!(
                "{file}: {key:?} is not used in the sources any more"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problems with the German catalogue:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn the_source_reader_reads_literals_and_names() {
    let (value, rest) =
        string_literal("  \"a \\\"b\\\" \\\n      c {x}\", x = f(\"y, z = 1\"), w = 2)").unwrap();
    assert_eq!(value, "a \"b\" c {x}");
    assert_eq!(
        given_names(rest),
        ["w", "x"].into_iter().map(String::from).collect()
    );
    assert_eq!(
        string_literal(r##"r#"raw "q""#, 1"##).unwrap().0,
        "raw \"q\""
    );
    assert_eq!(string_literal("\"\\u{e9}\"").unwrap().0, "é");
    assert_eq!(
        placeholders("{a} and {b_2} but not { c } or {}"),
        ["a", "b_2"].into_iter().map(String::from).collect()
    );
    assert_eq!(
        without_tests("x\n#[cfg(test)]\nmod tests {\n t!(\"no\")\n}\n"),
        "x\n\n"
    );
    // A module in the middle: what follows it is read again; braces in literals and comments do not count.
    let source = "a\n#[cfg(test)]\nmod t { let s = \"{\"; let c = '}'; // }\n fn f<'a>() {} }\nb t!(\"yes\")";
    assert_eq!(without_tests(source), "a\n\nb t!(\"yes\")");
    assert_eq!(without_tests("#[cfg(test)]\nmod support;\nc"), "\nc");
    assert_eq!(
        without_tests("#[cfg(test)]\nfn helper() {}"),
        "#[cfg(test)]\nfn helper() {}"
    );
}
