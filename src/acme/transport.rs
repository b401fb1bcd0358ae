//! The one door to the network: a small HTTP trait the browser implements over fetch and tests implement
//! with a script or a native client. The core never opens a connection itself.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The HTTP methods ACME uses (RFC 8555 §6.3: GET for the directory, HEAD for newNonce, POST for the rest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    Get,
    Head,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Head => "HEAD",
            Method::Post => "POST",
        }
    }
}

/// Content type of every ACME POST body (RFC 8555 §6.2).
pub const JOSE_JSON: &str = "application/jose+json";
/// What a certificate download asks for (RFC 8555 §7.4.2).
pub const PEM_CHAIN: &str = "application/pem-certificate-chain";

/// One request. POST bodies are always a JWS (`application/jose+json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub body: Option<String>,
    /// The `Accept` header, when the response type matters (certificate downloads).
    pub accept: Option<&'static str>,
}

impl HttpRequest {
    pub fn get(url: &str) -> Self {
        HttpRequest {
            method: Method::Get,
            url: url.to_string(),
            body: None,
            accept: None,
        }
    }

    pub fn head(url: &str) -> Self {
        HttpRequest {
            method: Method::Head,
            url: url.to_string(),
            body: None,
            accept: None,
        }
    }

    pub fn post(url: &str, body: String) -> Self {
        HttpRequest {
            method: Method::Post,
            url: url.to_string(),
            body: Some(body),
            accept: None,
        }
    }
}

/// One response. Header names are compared case-insensitively.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of a header (several `Link` headers may arrive as separate lines).
    pub fn header_values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as text, lossily, for messages and the protocol log.
    pub fn body_text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// What went wrong before any HTTP status arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum TransportErrorKind {
    /// The request never got an answer the page may read. In a browser this covers a network failure, a
    /// TLS certificate the browser does not trust and a CA that does not allow browser clients (CORS):
    /// fetch reports all three the same way, so the app probes to tell them apart.
    Unreachable,
    Timeout,
    /// The reply is larger than [`MAX_BODY`]; it was not read.
    TooLarge,
    /// Anything else the HTTP layer reports.
    Other,
}

/// A failure of the transport itself, with a message a person can act on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub struct TransportError {
    pub kind: TransportErrorKind,
    pub url: String,
    /// What the HTTP layer said, verbatim.
    pub detail: String,
}

impl TransportError {
    pub fn new(kind: TransportErrorKind, url: &str, detail: impl Into<String>) -> Self {
        TransportError {
            kind,
            url: url.to_string(),
            detail: detail.into(),
        }
    }

    /// What it means and what to do, in plain words.
    pub fn explanation(&self) -> &'static str {
        match self.kind {
            TransportErrorKind::Unreachable => {
                crate::t!("The CA could not be reached from this page. Check your connection; if it works, the CA may be \
                 blocking browser clients (CORS) or its certificate may not be trusted by this browser.")
            }
            TransportErrorKind::Timeout => {
                crate::t!("The CA took too long to answer. Try again in a moment; nothing is lost.")
            }
            TransportErrorKind::TooLarge => crate::t!(
                "The CA sent far more than an ACME reply, so it was not read. Check the \
                directory URL."
            ),
            TransportErrorKind::Other => {
                crate::t!("The request to the CA failed. Try again in a moment; nothing is lost.")
            }
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::t!(
            "request to {url} failed: {detail}. {explanation}",
            url = self.url,
            detail = self.detail,
            explanation = self.explanation()
        ))
    }
}

/// The HTTP client the core talks through. Not `Send`: the browser's fetch futures are not.
#[allow(async_fn_in_trait)]
pub trait HttpClient {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;
}

/// Parses the `Link` header values of a response (RFC 8288) into (URL, rel) pairs; `alternate` (RFC 8555
/// §7.4.2) and `up` are the ones ACME uses. Browsers fold several Link headers into one comma-separated
/// value, so both forms are handled.
/// The largest response body the client reads: an ACME object or a certificate chain is a few KB, so
/// anything near this is a confused or hostile server, refused before it costs the page its memory.
pub const MAX_BODY: usize = 1 << 20;

/// The origin (`scheme://host[:port]`, lower case) of an absolute http(s) URL without credentials.
pub fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return None;
    }
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.is_empty() || authority.contains(['@', ' ', '\\']) {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// Whether a host name is this machine (where a test CA such as Pebble may speak plain http).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host.strip_prefix("127.").is_some_and(|rest| {
            rest.split('.').count() == 3 && rest.split('.').all(|p| p.parse::<u8>().is_ok())
        })
}

/// The host of an origin or URL, without the port.
fn host_of(url: &str) -> &str {
    let authority = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = &authority[..authority.find(['/', '?', '#']).unwrap_or(authority.len())];
    match authority.strip_prefix('[') {
        Some(v6) => &authority[..v6.find(']').map_or(authority.len(), |end| end + 2)],
        None => authority.split(':').next().unwrap_or(authority),
    }
}

/// Whether a URL may be requested or shown as a link: https, or plain http on this machine only.
pub fn is_safe_scheme(url: &str) -> bool {
    match origin(url) {
        Some(o) if o.starts_with("https://") => true,
        Some(o) => is_loopback_host(host_of(&o)),
        None => false,
    }
}

/// Why the client will not send a request to `url`, a URL the CA returned: it must be https (http only
/// on this machine) and on an origin the directory is on or names. `None` when it may.
pub fn refuse_ca_url(url: &str, allowed_origins: &[String]) -> Option<String> {
    let Some(url_origin) = origin(url) else {
        return Some(crate::t!("it is not an absolute http(s) URL without credentials").into());
    };
    if !is_safe_scheme(url) {
        return Some(crate::t!("it uses plain http:// for a host that is not this machine").into());
    }
    if !allowed_origins.contains(&url_origin) {
        return Some(crate::t!(
            "{origin} is neither the directory's origin nor one the directory names",
            origin = url_origin
        ));
    }
    None
}

/// Resolves a URL reference from a Location or Link header against the URL of the request it answered
/// (RFC 3986 §5.2; RFC 8555 allows relative references where HTTP does, RFC 9110 §10.2.2).
pub fn resolve_url(base: &str, reference: &str) -> String {
    let reference = reference.trim();
    if has_scheme(reference) {
        return reference.to_string();
    }
    let Some((scheme, rest)) = base.split_once("://") else {
        return reference.to_string();
    };
    if let Some(network_path) = reference.strip_prefix("//") {
        return format!("{scheme}://{network_path}");
    }
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, base_rest) = rest.split_at(authority_end);
    let base_path = &base_rest[..base_rest.find(['?', '#']).unwrap_or(base_rest.len())];
    let base_query = base_rest[base_path.len()..].split('#').next().unwrap_or("");
    let origin = format!("{scheme}://{authority}");
    if reference.is_empty() {
        return format!("{origin}{base_path}{base_query}");
    }
    if reference.starts_with('#') {
        return format!("{origin}{base_path}{base_query}{reference}");
    }
    if reference.starts_with('?') {
        return format!("{origin}{base_path}{reference}");
    }
    let path_end = reference.find(['?', '#']).unwrap_or(reference.len());
    let (path, tail) = reference.split_at(path_end);
    let merged = if path.starts_with('/') {
        path.to_string()
    } else {
        let directory = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
        let directory = if directory.is_empty() { "/" } else { directory };
        format!("{directory}{path}")
    };
    format!("{origin}{}{tail}", remove_dot_segments(&merged))
}

fn has_scheme(reference: &str) -> bool {
    match reference.find(':') {
        Some(colon) => {
            let scheme = &reference[..colon];
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !reference[..colon].contains('/')
        }
        None => false,
    }
}

/// RFC 3986 §5.2.4, on an absolute path.
fn remove_dot_segments(path: &str) -> String {
    let mut output: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').skip(1).collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {
                if last {
                    output.push("");
                }
            }
            ".." => {
                output.pop();
                if last {
                    output.push("");
                }
            }
            other => output.push(other),
        }
    }
    format!("/{}", output.join("/"))
}

pub fn links(response: &HttpResponse) -> Vec<(String, String)> {
    response
        .header_values("link")
        .flat_map(split_link_values)
        .collect()
}

fn split_link_values(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>').map(|e| start + e) else {
            break;
        };
        let url = rest[start + 1..end].to_string();
        let params_end = rest[end..].find('<').map_or(rest.len(), |n| end + n);
        let params = &rest[end + 1..params_end];
        for param in params.split(';') {
            if let Some((name, val)) = param.split_once('=') {
                if name.trim().eq_ignore_ascii_case("rel") {
                    for rel in val
                        .trim()
                        .trim_matches(|c| c == '"' || c == ',')
                        .split_whitespace()
                    {
                        // A stray comma between relation types is not one (found by fuzz/headers).
                        let rel = rel.trim_end_matches(',');
                        if !rel.is_empty() {
                            out.push((url.clone(), rel.to_ascii_lowercase()));
                        }
                    }
                }
            }
        }
        rest = &rest[params_end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_urls_must_stay_on_the_directory_origins_and_use_https() {
        let allowed = vec![
            "https://ca.test".to_string(),
            "http://127.0.0.1:14000".to_string(),
        ];
        assert_eq!(
            refuse_ca_url("https://ca.test/acme/order/1", &allowed),
            None
        );
        assert_eq!(refuse_ca_url("https://CA.test/x", &allowed), None);
        assert_eq!(refuse_ca_url("http://127.0.0.1:14000/dir", &allowed), None);
        for (url, why) in [
            (
                "https://evil.test/acme/order/1",
                "neither the directory's origin",
            ),
            ("https://ca.test:444/x", "neither the directory's origin"),
            ("http://ca.test/x", "plain http://"),
            ("javascript:alert(1)", "not an absolute http(s) URL"),
            ("https://user:pw@ca.test/x", "not an absolute http(s) URL"),
            ("ftp://ca.test/x", "not an absolute http(s) URL"),
            ("", "not an absolute http(s) URL"),
        ] {
            let reason = refuse_ca_url(url, &allowed).unwrap_or_default();
            assert!(reason.contains(why), "{url}: {reason}");
        }
        assert!(is_safe_scheme("http://[::1]:8080/terms"));
        assert!(is_safe_scheme("http://localhost/terms"));
        assert!(!is_safe_scheme("http://example.com/terms"));
        assert!(!is_safe_scheme("data:text/html,hi"));
    }

    /// The examples of RFC 3986 §5.4, against its base URI with an https scheme.
    #[test]
    fn relative_references_resolve_as_rfc_3986_says() {
        let base = "http://a/b/c/d;p?q";
        let cases = [
            ("g:h", "g:h"),
            ("g", "http://a/b/c/g"),
            ("./g", "http://a/b/c/g"),
            ("g/", "http://a/b/c/g/"),
            ("/g", "http://a/g"),
            ("//g", "http://g"),
            ("?y", "http://a/b/c/d;p?y"),
            ("g?y", "http://a/b/c/g?y"),
            ("#s", "http://a/b/c/d;p?q#s"),
            ("g#s", "http://a/b/c/g#s"),
            (";x", "http://a/b/c/;x"),
            ("", "http://a/b/c/d;p?q"),
            (".", "http://a/b/c/"),
            ("./", "http://a/b/c/"),
            ("..", "http://a/b/"),
            ("../", "http://a/b/"),
            ("../g", "http://a/b/g"),
            ("../..", "http://a/"),
            ("../../g", "http://a/g"),
            ("../../../g", "http://a/g"),
            ("/./g", "http://a/g"),
            ("g.", "http://a/b/c/g."),
            ("g/../h", "http://a/b/c/h"),
        ];
        for (reference, expected) in cases {
            assert_eq!(resolve_url(base, reference), expected, "{reference:?}");
        }
        assert_eq!(
            resolve_url("https://ca.test/acme/new-order", "/acme/order/7"),
            "https://ca.test/acme/order/7"
        );
    }

    fn response_with_links(values: &[&str]) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: values
                .iter()
                .map(|v| ("Link".to_string(), v.to_string()))
                .collect(),
            body: vec![],
        }
    }

    #[test]
    fn parses_separate_and_folded_link_headers() {
        let separate = response_with_links(&[
            r#"<https://ca.example/cert/1/1>;rel="alternate""#,
            r#"<https://ca.example/dir>;rel="index""#,
        ]);
        assert_eq!(
            links(&separate),
            [
                (
                    "https://ca.example/cert/1/1".to_string(),
                    "alternate".to_string()
                ),
                ("https://ca.example/dir".to_string(), "index".to_string())
            ]
        );
        let folded = response_with_links(&[
            r#"<https://a/1>; rel="alternate", <https://a/2>;rel=alternate, <https://d>;rel="index""#,
        ]);
        let alternates: Vec<_> = links(&folded)
            .into_iter()
            .filter(|(_, r)| r == "alternate")
            .map(|(u, _)| u)
            .collect();
        assert_eq!(alternates, ["https://a/1", "https://a/2"]);
    }

    #[test]
    fn malformed_link_headers_yield_nothing_rather_than_panicking() {
        for bad in ["<", ">", "<x", "rel=alternate", "<a>;;;=", ""] {
            let _ = links(&response_with_links(&[bad]));
        }
        assert!(links(&response_with_links(&["<x"])).is_empty());
    }

    /// fuzz/corpus/headers/crash-empty-rel: a lone comma among the relation types gave an empty rel.
    #[test]
    fn a_stray_comma_is_not_a_relation_type() {
        let got = links(&response_with_links(&[
            r#"<https://ca.test/cert/2>; rel="alternate , up""#,
        ]));
        let rels: Vec<&str> = got.iter().map(|(_, rel)| rel.as_str()).collect();
        assert_eq!(rels, ["alternate", "up"]);
    }

    #[test]
    fn header_lookup_ignores_case() {
        let r = HttpResponse {
            status: 201,
            headers: vec![("replay-nonce".into(), "abc".into())],
            body: vec![],
        };
        assert_eq!(r.header("Replay-Nonce"), Some("abc"));
        assert!(r.is_success());
    }
}
