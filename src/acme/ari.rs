//! ACME Renewal Information (RFC 9773): when the CA suggests renewing a certificate.

use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The `suggestedWindow` of a renewalInfo response (RFC 9773 §4.2), as RFC 3339 text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuggestedWindow {
    pub start: String,
    pub end: String,
}

/// A renewalInfo resource, with the Retry-After that says when to ask again (RFC 9773 §4.3).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RenewalInfo {
    pub suggested_window: SuggestedWindow,
    #[serde(
        default,
        rename = "explanationURL",
        skip_serializing_if = "Option::is_none"
    )]
    pub explanation_url: Option<String>,
    /// Filled from the response header, not the body.
    #[serde(skip)]
    pub retry_after: Option<Duration>,
}

/// An edge of the suggested window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edge {
    Start,
    End,
}

/// Why a renewalInfo response cannot be used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RenewalInfoError {
    /// Which edge of the window, and the text the CA sent.
    #[error("{}", bad_time_message(*.0, .1))]
    BadTime(Edge, String),
    #[error("{}", crate::t!("the suggested window ends before it starts"))]
    EmptyWindow,
}

impl RenewalInfo {
    /// The window as system times, checked (§4.2: a window whose end is not after its start is invalid).
    pub fn window(&self) -> Result<(SystemTime, SystemTime), RenewalInfoError> {
        let start = parse_rfc3339(Edge::Start, &self.suggested_window.start)?;
        let end = parse_rfc3339(Edge::End, &self.suggested_window.end)?;
        if end <= start {
            return Err(RenewalInfoError::EmptyWindow);
        }
        Ok((start, end))
    }

    /// The moment to renew: a point chosen uniformly in the window by `fraction` (0.0..1.0, from the
    /// caller's random source, RFC 9773 §4.2), or `now` when that point has passed.
    pub fn renewal_time(
        &self,
        now: SystemTime,
        fraction: f64,
    ) -> Result<SystemTime, RenewalInfoError> {
        let (start, end) = self.window()?;
        let span = end.duration_since(start).unwrap_or_default();
        let chosen = start + span.mul_f64(fraction.clamp(0.0, 1.0));
        Ok(chosen.max(now))
    }
}

fn bad_time_message(edge: Edge, text: &str) -> String {
    let time = format!("{text:?}");
    match edge {
        Edge::Start => crate::t!(
            "the suggested window's start time {time} is not an RFC 3339 date",
            time = time
        ),
        Edge::End => crate::t!(
            "the suggested window's end time {time} is not an RFC 3339 date",
            time = time
        ),
    }
}

/// Parses an RFC 3339 timestamp into a system time.
pub fn parse_rfc3339(edge: Edge, text: &str) -> Result<SystemTime, RenewalInfoError> {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(SystemTime::from)
        .map_err(|_| RenewalInfoError::BadTime(edge, text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The renewalInfo example of RFC 9773 §4.2.
    const RFC_9773_EXAMPLE: &str = r#"{
  "suggestedWindow": {
    "start": "2025-01-02T04:00:00Z",
    "end": "2025-01-03T04:00:00Z"
  },
  "explanationURL": "https://acme.example.com/docs/ari"
}"#;

    #[test]
    fn parses_rfc_9773_example() {
        let info: RenewalInfo = serde_json::from_str(RFC_9773_EXAMPLE).unwrap();
        assert_eq!(
            info.explanation_url.as_deref(),
            Some("https://acme.example.com/docs/ari")
        );
        let (start, end) = info.window().unwrap();
        assert_eq!(
            end.duration_since(start).unwrap(),
            Duration::from_secs(86_400)
        );
        let middle = info.renewal_time(SystemTime::UNIX_EPOCH, 0.5).unwrap();
        assert_eq!(
            middle.duration_since(start).unwrap(),
            Duration::from_secs(43_200)
        );
        let late = start + Duration::from_secs(200_000);
        assert_eq!(info.renewal_time(late, 0.5).unwrap(), late);
    }

    #[test]
    fn refuses_inverted_or_unparseable_windows() {
        let mut info: RenewalInfo = serde_json::from_str(RFC_9773_EXAMPLE).unwrap();
        info.suggested_window.end = "2025-01-01T00:00:00Z".into();
        assert_eq!(info.window(), Err(RenewalInfoError::EmptyWindow));
        info.suggested_window.start = "yesterday".into();
        assert!(matches!(
            info.window(),
            Err(RenewalInfoError::BadTime(Edge::Start, _))
        ));
    }
}
