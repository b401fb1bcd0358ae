//! UTS #46 ToASCII: a domain name as typed (Unicode, any case, `。` as a dot) to its A-label form (RFC 5890
//! §2.3.2.1), as the URL Standard's "domain to ASCII" does it (non-transitional, no STD3 rules, no DNS
//! length check: callers check lengths and LDH themselves).
//!
//! Two implementations of one algorithm, chosen by target like `getrandom`'s:
//! - natively, the `idna` crate;
//! - in the browser, the browser's own URL parser (`new URL("http://<name>/").hostname`), which runs the
//!   same UTS #46 processing with the ICU data the browser already has, plus the `idna` crate's punycode
//!   decoder for the one step browsers skip (checking `xn--` labels). The page then does not link ICU's
//!   normalization and property tables.
//!
//! A test in the browser (tests/web.rs, `idn_matches_the_idna_crate`) runs both over a corpus of names and
//! requires the same answer from each.

/// Why a name has no A-label form.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdnError {
    /// An ASCII character that is URL syntax or not allowed in a host (`%`, `/`, a space...): refused before
    /// any IDNA processing, so that the URL parser never reads a name as something else.
    #[error("{}", crate::t!("{character} cannot appear in a domain name", character = format!("{:?}", .0)))]
    Character(char),
    /// UTS #46 processing refuses the name (a disallowed code point, a bad `xn--` label, a bidi or joiner
    /// rule).
    #[error("{}", crate::t!("UTS #46 refuses it"))]
    Refused,
}

/// The A-label form of `name` (no trailing-dot or wildcard handling: give it the bare name).
pub fn domain_to_ascii(name: &str) -> Result<String, IdnError> {
    if let Some(c) = name
        .chars()
        .find(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')))
    {
        return Err(IdnError::Character(c));
    }
    // Plain ASCII without an A-label only changes case: no parser needed (the browser's would also read a
    // name ending in a number as an IPv4 address, a question for the callers' own checks).
    let has_a_label = name.split('.').any(|label| {
        label
            .as_bytes()
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"xn--"))
    });
    if name.is_ascii() && !has_a_label {
        return Ok(name.to_ascii_lowercase());
    }
    uts46_to_ascii(name)
}

#[cfg(not(target_arch = "wasm32"))]
fn uts46_to_ascii(name: &str) -> Result<String, IdnError> {
    idna::domain_to_ascii(name).map_err(|_| IdnError::Refused)
}

#[cfg(target_arch = "wasm32")]
fn uts46_to_ascii(name: &str) -> Result<String, IdnError> {
    let host = browser_to_ascii(name)?;
    // Browsers pass `xn--` labels through without decoding them (UTS #46 §4.1 says to): a label must
    // decode (RFC 3492, the `idna` crate's punycode alone, without its tables) to a non-ASCII label whose
    // own A-label is this one again, which also rules out what UTS #46 would refuse in the decoded form.
    let mut unicode = Vec::new();
    for label in host.split('.') {
        let Some(encoded) = label.strip_prefix("xn--") else {
            unicode.push(label.to_string());
            continue;
        };
        let decoded = idna::punycode::decode_to_string(encoded).ok_or(IdnError::Refused)?;
        if decoded.is_ascii() || browser_to_ascii(&decoded)? != label {
            return Err(IdnError::Refused);
        }
        unicode.push(decoded);
    }
    // Once more as a whole, decoded: the bidi rule spans labels (one right-to-left label binds them all),
    // which label by label does not see.
    if browser_to_ascii(&unicode.join("."))? != host {
        return Err(IdnError::Refused);
    }
    Ok(host)
}

/// The host the browser's URL parser makes of `http://<name>/`: lower case, A-labels.
#[cfg(target_arch = "wasm32")]
fn browser_to_ascii(name: &str) -> Result<String, IdnError> {
    let url = web_sys::Url::new(&format!("http://{name}/")).map_err(|_| IdnError::Refused)?;
    let host = url.hostname();
    // The URL Standard reads a host whose last label starts with a digit as an IPv4 address (or refuses
    // it): never a domain name (the identifier check refuses such a top-level label on both builds).
    let numeric_tail = host
        .rsplit('.')
        .next()
        .is_some_and(|l| l.starts_with(|c: char| c.is_ascii_digit()));
    if host.starts_with('[') || numeric_tail {
        return Err(IdnError::Refused);
    }
    Ok(host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_names_are_lower_cased_without_idna() {
        assert_eq!(
            domain_to_ascii("WWW.Example.COM").unwrap(),
            "www.example.com"
        );
        assert_eq!(
            domain_to_ascii("_acme-challenge.example.com").unwrap(),
            "_acme-challenge.example.com"
        );
    }

    #[test]
    fn unicode_names_become_a_labels() {
        assert_eq!(
            domain_to_ascii("bücher.example").unwrap(),
            "xn--bcher-kva.example"
        );
        // Non-transitional: ß stays ß (UTS #46 §4, as browsers and the URL Standard do today).
        assert_eq!(domain_to_ascii("faß.de").unwrap(), "xn--fa-hia.de");
        // The ideographic full stop is a dot.
        assert_eq!(
            domain_to_ascii("例え。テスト").unwrap(),
            "xn--r8jz45g.xn--zckzah"
        );
        assert_eq!(
            domain_to_ascii("XN--BCHER-KVA.example").unwrap(),
            "xn--bcher-kva.example"
        );
    }

    #[test]
    fn url_syntax_and_bad_labels_are_refused() {
        for (name, c) in [
            ("a%41.example", '%'),
            ("a/b.example", '/'),
            ("a b.example", ' '),
            ("a@b", '@'),
        ] {
            assert_eq!(domain_to_ascii(name), Err(IdnError::Character(c)), "{name}");
        }
        assert_eq!(domain_to_ascii("xn--a.example"), Err(IdnError::Refused));
        assert_eq!(
            domain_to_ascii("a\u{200d}b.example"),
            Err(IdnError::Refused)
        );
    }
}
