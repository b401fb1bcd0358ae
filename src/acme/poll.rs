//! Waiting without sleeping: the core says how long to wait, the caller schedules it (a browser timer, a
//! thread sleep in the CLI example). Retry-After (RFC 9110 §10.2.3; RFC 8555 §7.5.1, §8.2) is honoured, and
//! a capped exponential back-off stands in when the CA gives none.

use std::time::{Duration, SystemTime};

use crate::acme::transport::HttpResponse;

/// The shortest wait between polls, whatever the CA says: a Retry-After of 0 must not become a busy loop.
pub const MIN_WAIT: Duration = Duration::from_secs(1);
/// The longest back-off step when the CA gives no Retry-After.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest Retry-After taken at face value: a hostile or confused server must not park the page for
/// a year.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// 1 s, 2 s, 4 s … up to [`MAX_BACKOFF`], for the `attempt`-th poll (0-based).
pub fn backoff(attempt: u32) -> Duration {
    let secs = 1u64.checked_shl(attempt.min(16)).unwrap_or(u64::MAX);
    Duration::from_secs(secs).min(MAX_BACKOFF)
}

/// The Retry-After of a response, as a delay from `now`: delta-seconds or an HTTP-date, clamped to
/// [`MIN_WAIT`]..=[`MAX_RETRY_AFTER`]. `None` when absent or unreadable.
pub fn retry_after(response: &HttpResponse, now: SystemTime) -> Option<Duration> {
    let value = response.header("retry-after")?.trim();
    let delay = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => httpdate::parse_http_date(value)
            .ok()?
            .duration_since(now)
            .unwrap_or_default(),
    };
    Some(delay.clamp(MIN_WAIT, MAX_RETRY_AFTER))
}

/// The Retry-After of an error response, measured against the response's own `Date` header when it is an
/// HTTP-date, so no local clock is needed. `None` when absent, unreadable, or a date without a `Date`.
pub fn retry_after_by_server_clock(response: &HttpResponse) -> Option<Duration> {
    let server_now = response
        .header("date")
        .and_then(|d| httpdate::parse_http_date(d.trim()).ok());
    match server_now {
        Some(now) => retry_after(response, now),
        None => response
            .header("retry-after")?
            .trim()
            .parse::<u64>()
            .ok()
            .map(|s| Duration::from_secs(s).clamp(MIN_WAIT, MAX_RETRY_AFTER)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_retry_after(value: &str) -> HttpResponse {
        HttpResponse {
            status: 200,
            headers: vec![("Retry-After".into(), value.into())],
            body: vec![],
        }
    }

    #[test]
    fn backoff_doubles_then_caps() {
        let steps: Vec<u64> = (0..7).map(|a| backoff(a).as_secs()).collect();
        assert_eq!(steps, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn retry_after_seconds_and_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480); // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(
            retry_after(&with_retry_after("120"), now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after(&with_retry_after("Wed, 21 Oct 2015 07:30:00 GMT"), now),
            Some(Duration::from_secs(120))
        );
    }

    #[test]
    fn error_retry_after_uses_the_server_date() {
        let mut response = with_retry_after("Wed, 21 Oct 2015 07:30:00 GMT");
        assert_eq!(
            retry_after_by_server_clock(&response),
            None,
            "a date needs the server's Date"
        );
        response
            .headers
            .push(("Date".into(), "Wed, 21 Oct 2015 07:28:00 GMT".into()));
        assert_eq!(
            retry_after_by_server_clock(&response),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            retry_after_by_server_clock(&with_retry_after("60")),
            Some(Duration::from_secs(60))
        );
    }

    #[test]
    fn retry_after_is_clamped_and_garbage_ignored() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(retry_after(&with_retry_after("0"), now), Some(MIN_WAIT));
        assert_eq!(
            retry_after(&with_retry_after("999999999999"), now),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(retry_after(&with_retry_after("soon"), now), None);
    }
}
