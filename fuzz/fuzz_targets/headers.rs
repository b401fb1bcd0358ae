//! Response headers: `Link` (RFC 8288) through `transport::links`, the URL references in it through
//! `resolve_url` (RFC 3986 §5.2), and `Retry-After` (RFC 9110 §10.2.3) through `poll::retry_after` and
//! `retry_after_by_server_clock`. The input is a header value; lines after the first are more `Link`
//! headers. Invariants: every link's URL is taken verbatim from the header and its rel is one lower-case
//! token; separate Link headers give what their values give one by one; an absolute reference resolves to
//! itself, a relative one to a URL on the base's origin without dot segments, and resolving is idempotent;
//! a Retry-After is always clamped, delta-seconds are taken as such, and the server's Date gives the same
//! delay as the same local time.
#![no_main]

use std::time::{Duration, SystemTime};

use certsmith::acme::poll::{retry_after, retry_after_by_server_clock, MAX_RETRY_AFTER, MIN_WAIT};
use certsmith::acme::transport::{links, resolve_url, HttpResponse};
use libfuzzer_sys::fuzz_target;

const BASES: [(&str, &str); 3] = [
    ("https://ca.test/acme/order/1", "https://ca.test"),
    (
        "http://127.0.0.1:14000/dir?q=1#frag",
        "http://127.0.0.1:14000",
    ),
    ("https://CA.test:8443", "https://CA.test:8443"),
];

fn response(headers: &[(&str, &str)]) -> HttpResponse {
    HttpResponse {
        status: 200,
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        body: Vec::new(),
    }
}

fn check_reference(reference: &str) {
    let trimmed = reference.trim();
    for (base, origin) in BASES {
        let url = resolve_url(base, reference);
        if trimmed.starts_with("https://") || trimmed.starts_with("http://") {
            assert_eq!(url, trimmed);
        }
        assert_eq!(
            resolve_url(base, &url),
            url,
            "idempotent for {base} {reference:?}"
        );
        let relative = !trimmed.contains(':') && !trimmed.starts_with("//");
        if relative {
            let rest = url
                .strip_prefix(origin)
                .unwrap_or_else(|| panic!("{url} not on {origin}"));
            assert!(
                rest.is_empty() || rest.starts_with(['/', '?', '#']),
                "{url}"
            );
            let path = &rest[..rest.find(['?', '#']).unwrap_or(rest.len())];
            assert!(
                path.split('/').all(|s| s != "." && s != ".."),
                "dot segment left in {url} from {reference:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let lines: Vec<&str> = text.split('\n').collect();
    let value = lines[0];

    // Link
    let all = links(&response(
        &lines.iter().map(|l| ("Link", *l)).collect::<Vec<_>>(),
    ));
    let one_by_one: Vec<_> = lines
        .iter()
        .flat_map(|l| links(&response(&[("link", l)])))
        .collect();
    assert_eq!(all, one_by_one);
    for (url, rel) in &all {
        assert!(text.contains(&format!("<{url}>")), "{url:?}");
        assert!(
            !rel.is_empty() && !rel.contains(char::is_whitespace),
            "{rel:?}"
        );
        assert_eq!(rel, &rel.to_ascii_lowercase());
        check_reference(url);
    }
    check_reference(value);

    // Retry-After
    let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let plain = response(&[("Retry-After", value)]);
    let delay = retry_after(&plain, now);
    if let Some(d) = delay {
        assert!((MIN_WAIT..=MAX_RETRY_AFTER).contains(&d));
    }
    if let Ok(secs) = value.trim().parse::<u64>() {
        assert_eq!(
            delay,
            Some(Duration::from_secs(secs).clamp(MIN_WAIT, MAX_RETRY_AFTER))
        );
    }
    let by_server = retry_after_by_server_clock(&plain);
    assert_eq!(by_server.is_some(), value.trim().parse::<u64>().is_ok());
    if by_server.is_some() {
        assert_eq!(by_server, delay);
    }
    let date = httpdate::fmt_http_date(now);
    let dated = response(&[("retry-after", value), ("Date", &date)]);
    assert_eq!(retry_after_by_server_clock(&dated), delay);
    if lines.len() > 1 {
        // The second line as the server's Date: whatever it says, the delay stays clamped.
        let other = response(&[("Retry-After", value), ("date", lines[1])]);
        if let Some(d) = retry_after_by_server_clock(&other) {
            assert!((MIN_WAIT..=MAX_RETRY_AFTER).contains(&d));
        }
    }
});
