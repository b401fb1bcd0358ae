//! A renewal reminder for one certificate as an iCalendar file (RFC 5545): a calendar with one event at
//! the start of the renewal window, and an alarm on it, for a person to import into their calendar.
//!
//! The window comes in from the caller: the CA's renewalInfo (RFC 9773 §4.2) when it has one, else
//! [`fallback_window`]. Like the rest of the core this reads no clock: the file's DTSTAMP is the `now`
//! passed in, and the same certificate always gets the same UID, so importing a newer file for it
//! updates the event instead of adding a second one (RFC 5545 §3.8.4.7).

use std::time::{Duration, SystemTime};

use time::OffsetDateTime;

use crate::pki::cert::{ari_cert_id, CertificateInfo};

/// The product that wrote the file (RFC 5545 §3.7.3).
const PRODID: &str = "-//Certsmith//Renewal reminder//EN";
/// How long the event lasts in the calendar: a slot to do the renewal in, not the window itself.
const EVENT_LENGTH: Duration = Duration::from_secs(3600);
/// Names listed in the summary before "and N more"; the description lists them all.
const SUMMARY_NAMES: usize = 3;

// The moments of a reminder, as a `RemindError::TimeOutOfRange` names them.
const WRITTEN: &str = crate::t_key!("time the file is written");
const WINDOW_START: &str = crate::t_key!("renewal window's start");
const WINDOW_END: &str = crate::t_key!("renewal window's end");
const EXPIRY: &str = crate::t_key!("expiry");

/// Why a reminder cannot be written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RemindError {
    /// A moment of the reminder (its English name, marked for the catalogue) that no iCalendar date holds.
    #[error(
        "{}",
        crate::t!(
            "the {moment} is outside the years 0 to 9999 that an iCalendar date holds",
            moment = crate::i18n::text(.0)
        )
    )]
    TimeOutOfRange(&'static str),
    #[error(
        "{}",
        crate::t!("the page address {url} is not an http or https URL", url = format!("{:?}", .0))
    )]
    BadUrl(String),
}

/// What the reminder says about one certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reminder {
    /// Stable for the certificate: its ARI CertID (RFC 9773 §4.1), else its serial number.
    pub id: String,
    /// The names the certificate is for.
    pub names: Vec<String>,
    /// The renewal window.
    pub window: (SystemTime, SystemTime),
    /// notAfter.
    pub expires: SystemTime,
    /// The page to renew it from, linked from the event (RFC 5545 §3.8.4.6).
    pub page_url: String,
}

impl Reminder {
    /// The reminder for `cert`, renewed within `window`, from the page at `page_url`.
    pub fn for_certificate(
        cert: &CertificateInfo,
        window: (SystemTime, SystemTime),
        page_url: &str,
    ) -> Self {
        let names = if cert.names.is_empty() {
            vec![cert.subject.clone()]
        } else {
            cert.names.clone()
        };
        Reminder {
            id: ari_cert_id(cert).unwrap_or_else(|_| cert.serial_hex.clone()),
            names,
            window,
            expires: from_unix(cert.not_after),
            page_url: page_url.to_string(),
        }
    }

    /// The `.ics` file (`text/calendar`): CRLF line ends, lines folded at 75 octets, text escaped
    /// (RFC 5545 §3.1, §3.3.11). `now` is the DTSTAMP.
    pub fn to_ics(&self, now: SystemTime) -> Result<String, RemindError> {
        Ok(self
            .properties(now)?
            .iter()
            .map(|(name, value)| fold(&format!("{name}:{value}")))
            .collect())
    }

    /// The calendar's content lines, in order, values already escaped where they are TEXT.
    fn properties(&self, now: SystemTime) -> Result<Vec<(&'static str, String)>, RemindError> {
        let (start, end) = self.window;
        let summary = escape_text(&self.summary());
        Ok(vec![
            ("BEGIN", "VCALENDAR".into()),
            ("VERSION", "2.0".into()),
            ("PRODID", PRODID.into()),
            ("CALSCALE", "GREGORIAN".into()),
            ("METHOD", "PUBLISH".into()),
            ("BEGIN", "VEVENT".into()),
            (
                "UID",
                escape_text(&format!("renewal-{}@certsmith", self.id)),
            ),
            ("DTSTAMP", utc_stamp(now, WRITTEN)?),
            ("DTSTART", utc_stamp(start, WINDOW_START)?),
            ("DTEND", utc_stamp(start + EVENT_LENGTH, WINDOW_START)?),
            ("SUMMARY", summary.clone()),
            ("DESCRIPTION", escape_text(&self.description(end)?)),
            ("URL", checked_url(&self.page_url)?),
            ("TRANSP", "TRANSPARENT".into()),
            ("BEGIN", "VALARM".into()),
            ("ACTION", "DISPLAY".into()),
            ("TRIGGER", "PT0S".into()),
            ("DESCRIPTION", summary),
            ("END", "VALARM".into()),
            ("END", "VEVENT".into()),
            ("END", "VCALENDAR".into()),
        ])
    }

    /// "Renew the certificate for a.example, b.example", at most [`SUMMARY_NAMES`] names.
    fn summary(&self) -> String {
        let shown = self.names.len().min(SUMMARY_NAMES);
        let names = self.names[..shown].join(", ");
        match self.names.len() - shown {
            0 => crate::t!("Renew the certificate for {names}", names = names),
            more => crate::t!(
                "Renew the certificate for {names} and {more} more",
                names = names,
                more = more
            ),
        }
    }

    fn description(&self, end: SystemTime) -> Result<String, RemindError> {
        Ok(crate::t!(
            "Certificate for {names}.\nRenewal window: {start} to {end}.\nExpires: {expires}.\nRenew at {url}",
            names = self.names.join(", "),
            start = readable(self.window.0, WINDOW_START)?,
            end = readable(end, WINDOW_END)?,
            expires = readable(self.expires, EXPIRY)?,
            url = self.page_url,
        ))
    }
}

/// Certsmith's window when the CA offers no renewalInfo (no RFC sets one): from when a third of the
/// certificate's lifetime is left until a sixth is left (days 60 to 75 of a 90-day certificate).
pub fn fallback_window(cert: &CertificateInfo) -> (SystemTime, SystemTime) {
    let lifetime = cert.not_after.saturating_sub(cert.not_before).max(0);
    (
        from_unix(cert.not_after - lifetime / 3),
        from_unix(cert.not_after - lifetime / 6),
    )
}

/// Escapes a TEXT value (RFC 5545 §3.3.11): `\`, `;` and `,` get a backslash, a line break becomes
/// `\n`; other control characters, which TEXT cannot hold, are dropped.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.replace("\r\n", "\n").chars() {
        match c {
            '\\' | ';' | ',' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded (RFC 5545 §3.1): no line longer than 75 octets without its CRLF, each
/// continuation starting with a space, and no UTF-8 sequence split.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 37 + 2);
    let mut octets = 0;
    for c in line.chars() {
        if octets + c.len_utf8() > 75 {
            out.push_str("\r\n ");
            octets = 1;
        }
        out.push(c);
        octets += c.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// A URI value (RFC 5545 §3.3.13) is not escaped like TEXT, so it must need nothing escaped.
fn checked_url(url: &str) -> Result<String, RemindError> {
    let http = url.starts_with("https://") || url.starts_with("http://");
    if http && url.chars().all(|c| c.is_ascii_graphic()) {
        Ok(url.to_string())
    } else {
        Err(RemindError::BadUrl(url.to_string()))
    }
}

/// A DATE-TIME in UTC (RFC 5545 §3.3.5 form #2), e.g. `20260301T000000Z`.
fn utc_stamp(time: SystemTime, what: &'static str) -> Result<String, RemindError> {
    let t = calendar_time(time, what)?;
    Ok(format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// A time for people in the page's language, e.g. `2026-03-01 00:00 UTC`.
fn readable(time: SystemTime, what: &'static str) -> Result<String, RemindError> {
    crate::i18n::date_time(unix_seconds(time)).ok_or(RemindError::TimeOutOfRange(what))
}

fn calendar_time(time: SystemTime, what: &'static str) -> Result<OffsetDateTime, RemindError> {
    OffsetDateTime::from_unix_timestamp(unix_seconds(time))
        .ok()
        .filter(|t| (0..=9999).contains(&t.year()))
        .ok_or(RemindError::TimeOutOfRange(what))
}

/// Whole seconds since the Unix epoch, rounded down (so also before it).
pub fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => {
            let d = before.duration();
            let whole = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            -whole - i64::from(d.subsec_nanos() > 0)
        }
    }
}

/// The time `seconds` after (or before) the Unix epoch.
pub fn from_unix(seconds: i64) -> SystemTime {
    let magnitude = Duration::from_secs(seconds.unsigned_abs());
    if seconds >= 0 {
        SystemTime::UNIX_EPOCH + magnitude
    } else {
        SystemTime::UNIX_EPOCH - magnitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(unix: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(unix)
    }

    /// 2026-03-01T00:00:00Z, 2026-03-03T00:00:00Z, 2026-03-31T00:00:00Z, 2026-01-30T12:34:56Z.
    const START: u64 = 1_772_323_200;
    const END: u64 = 1_772_496_000;
    const EXPIRES: u64 = 1_774_915_200;
    const NOW: u64 = 1_769_776_496;

    fn reminder() -> Reminder {
        Reminder {
            id: "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE".into(),
            names: vec!["example.com".into(), "www.example.com".into()],
            window: (at(START), at(END)),
            expires: at(EXPIRES),
            page_url: "https://certsmith.example/#renew".into(),
        }
    }

    /// The whole file, line by line: the structure RFC 5545 §3.4, §3.6.1 and §3.6.6 require.
    #[test]
    fn writes_the_calendar() {
        let ics = reminder().to_ics(at(NOW)).unwrap();
        let expected = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Certsmith//Renewal reminder//EN",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "BEGIN:VEVENT",
            "UID:renewal-aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE@certsmith",
            "DTSTAMP:20260130T123456Z",
            "DTSTART:20260301T000000Z",
            "DTEND:20260301T010000Z",
            "SUMMARY:Renew the certificate for example.com\\, www.example.com",
            "DESCRIPTION:Certificate for example.com\\, www.example.com.\\nRenewal window:",
            "  2026-03-01 00:00 UTC to 2026-03-03 00:00 UTC.\\nExpires: 2026-03-31 00:00 ",
            " UTC.\\nRenew at https://certsmith.example/#renew",
            "URL:https://certsmith.example/#renew",
            "TRANSP:TRANSPARENT",
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            "TRIGGER:PT0S",
            "DESCRIPTION:Renew the certificate for example.com\\, www.example.com",
            "END:VALARM",
            "END:VEVENT",
            "END:VCALENDAR",
        ];
        assert!(expected.iter().all(|line| line.len() <= 75));
        assert_eq!(ics, expected.map(|line| format!("{line}\r\n")).concat());
    }

    /// The UID names the certificate, not the moment: a file written later updates the same event.
    #[test]
    fn uid_is_stable_and_dtstamp_is_now() {
        let first = reminder().to_ics(at(NOW)).unwrap();
        let later = reminder().to_ics(at(NOW + 86_400)).unwrap();
        let line = |ics: &str, name: &str| {
            ics.lines()
                .find(|l| l.starts_with(name))
                .map(str::to_string)
        };
        assert_eq!(line(&first, "UID:"), line(&later, "UID:"));
        assert_eq!(
            line(&later, "DTSTAMP:").unwrap(),
            "DTSTAMP:20260131T123456Z"
        );
    }

    /// RFC 5545 §3.3.11: `\`, `;`, `,` and line breaks are escaped; other controls cannot appear.
    #[test]
    fn escapes_text() {
        assert_eq!(escape_text(r"a\b;c,d"), r"a\\b\;c\,d");
        assert_eq!(escape_text("one\r\ntwo\nthree"), r"one\ntwo\nthree");
        assert_eq!(escape_text("tab\there\u{7}bell\u{0}"), "tab\therebell");
    }

    /// RFC 5545 §3.1: at most 75 octets per line, a space before each continuation, multi-octet
    /// characters kept whole; unfolding gives the line back.
    #[test]
    fn folds_at_75_octets_without_splitting_characters() {
        for line in [
            "x".repeat(75),
            "x".repeat(76),
            "y".repeat(300),
            format!("SUMMARY:{}", "é".repeat(100)),
            format!("SUMMARY:{}", "证书".repeat(40)),
        ] {
            let folded = fold(&line);
            assert!(folded.ends_with("\r\n"));
            let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
            assert!(physical.iter().all(|l| l.len() <= 75), "{physical:?}");
            assert!(physical[1..].iter().all(|l| l.starts_with(' ')));
            assert_eq!(folded.trim_end_matches("\r\n").replace("\r\n ", ""), line);
        }
        assert_eq!(fold(&"x".repeat(75)).len(), 77);
        assert_eq!(
            fold(&"x".repeat(76)),
            format!("{}\r\n x\r\n", "x".repeat(75))
        );
    }

    #[test]
    fn every_line_ends_in_crlf_and_fits() {
        let mut many = reminder();
        many.names = (0..40).map(|i| format!("host-{i}.example.com")).collect();
        let ics = many.to_ics(at(NOW)).unwrap();
        assert!(ics.ends_with("\r\n"));
        assert_eq!(ics.matches('\n').count(), ics.matches("\r\n").count());
        assert!(ics.split("\r\n").all(|l| l.len() <= 75));
        assert!(
            ics.contains("SUMMARY:Renew the certificate for host-0.example.com\\, host-1.exampl")
        );
        assert!(ics.contains("host-2.example.com and 37 more\r\n"));
    }

    #[test]
    fn refuses_urls_and_times_it_cannot_write() {
        for url in [
            "javascript:alert(1)",
            "https://a.example/x y",
            "https://a.example/\r\nX:1",
            "",
        ] {
            let bad = Reminder {
                page_url: url.into(),
                ..reminder()
            };
            assert_eq!(bad.to_ics(at(NOW)), Err(RemindError::BadUrl(url.into())));
        }
        let far = Reminder {
            expires: at(253_402_300_800), // 10000-01-01
            ..reminder()
        };
        assert_eq!(
            far.to_ics(at(NOW)),
            Err(RemindError::TimeOutOfRange("expiry"))
        );
    }

    fn certificate(names: &[&str], aki: Option<Vec<u8>>) -> CertificateInfo {
        CertificateInfo {
            der: Vec::new(),
            subject: "CN=example.com".into(),
            issuer: "CN=Test CA".into(),
            names: names.iter().map(|n| n.to_string()).collect(),
            not_before: 1_767_225_600, // 2026-01-01T00:00:00Z
            not_after: EXPIRES as i64, // 89 days later
            not_before_rfc3339: String::new(),
            not_after_rfc3339: String::new(),
            serial_hex: "87654321".into(),
            sha256_fingerprint: String::new(),
            authority_key_identifier: aki,
            serial_der_bytes: vec![0x00, 0x87, 0x65, 0x43, 0x21],
            public_key_spki: Vec::new(),
        }
    }

    #[test]
    fn reminder_for_a_certificate_uses_its_cert_id() {
        let cert = certificate(&["example.com", "www.example.com"], Some(vec![1, 2, 3]));
        let made = Reminder::for_certificate(&cert, (at(START), at(END)), "https://p.example/");
        assert_eq!(made.id, "AQID.AIdlQyE");
        assert_eq!(made.names, ["example.com", "www.example.com"]);
        assert_eq!(made.expires, at(EXPIRES));
        let no_aki = Reminder::for_certificate(&certificate(&[], None), made.window, "https://p/");
        assert_eq!(
            (no_aki.id.as_str(), no_aki.names),
            ("87654321", vec!["CN=example.com".into()])
        );
    }

    #[test]
    fn fallback_window_is_the_last_third_to_the_last_sixth() {
        let cert = certificate(&["example.com"], None);
        let lifetime = (EXPIRES - 1_767_225_600) as i64;
        let (start, end) = fallback_window(&cert);
        assert_eq!(start, from_unix(EXPIRES as i64 - lifetime / 3));
        assert_eq!(end, from_unix(EXPIRES as i64 - lifetime / 6));
        assert!(start < end && end < at(EXPIRES));
    }

    /// What Python's `icalendar` reads from the file, as JSON.
    const READ_WITH_ICALENDAR: &str = r#"
import json, sys
import icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
events = cal.walk("VEVENT")
alarms = cal.walk("VALARM")
event = events[0]
print(json.dumps({
    "prodid": str(cal["PRODID"]),
    "version": str(cal["VERSION"]),
    "events": len(events),
    "uid": str(event["UID"]),
    "summary": str(event["SUMMARY"]),
    "description": str(event["DESCRIPTION"]),
    "url": str(event["URL"]),
    "dtstamp": event.decoded("DTSTAMP").isoformat(),
    "dtstart": event.decoded("DTSTART").isoformat(),
    "dtend": event.decoded("DTEND").isoformat(),
    "alarms": [[str(a["ACTION"]), a.decoded("TRIGGER").total_seconds(), str(a["DESCRIPTION"])]
               for a in alarms],
}))
"#;

    /// A Python that has `icalendar`: the one on the PATH, else Debian's, where the python3-icalendar
    /// package installs it (a pyenv or venv `python3` first on the PATH does not see it). None fails the
    /// test: an interoperability check that quietly passes proves nothing.
    fn python_with_icalendar() -> &'static str {
        let has_it = |python: &str| {
            std::process::Command::new(python)
                .args(["-c", "import icalendar"])
                .output()
                .is_ok_and(|out| out.status.success())
        };
        ["python3", "/usr/bin/python3"]
            .into_iter()
            .find(|python| has_it(python))
            .unwrap_or_else(|| {
                panic!(
                    "no python3 can import icalendar: install the Debian package python3-icalendar \
                     (apt-get install python3-icalendar); scripts/setup.sh does not install it yet"
                )
            })
    }

    /// Runs Python's `icalendar` on `ics` and returns what it read.
    fn read_with_icalendar(ics: &str) -> serde_json::Value {
        use std::io::Write;
        use std::process::{Command, Stdio};
        let mut child = Command::new(python_with_icalendar())
            .args(["-c", READ_WITH_ICALENDAR])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run python3");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(ics.as_bytes())
            .expect("write to python3");
        let out = child.wait_with_output().expect("run python3");
        assert!(
            out.status.success(),
            "icalendar could not read the file: {}\n{ics}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON from the script")
    }

    #[test]
    fn python_icalendar_reads_the_file() {
        let mut tricky = reminder();
        tricky.names = (0..6).map(|i| format!("n{i}.bücher.example")).collect();
        tricky.names.push(r"odd;name,with\backslash".into());
        let read = read_with_icalendar(&tricky.to_ics(at(NOW)).unwrap());
        let summary = "Renew the certificate for n0.bücher.example, n1.bücher.example, \
                       n2.bücher.example and 4 more";
        assert_eq!(
            read,
            serde_json::json!({
                "prodid": PRODID,
                "version": "2.0",
                "events": 1,
                "uid": "renewal-aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE@certsmith",
                "summary": summary,
                "description": format!(
                    "Certificate for {}.\nRenewal window: 2026-03-01 00:00 UTC to 2026-03-03 00:00 \
                     UTC.\nExpires: 2026-03-31 00:00 UTC.\nRenew at https://certsmith.example/#renew",
                    tricky.names.join(", ")
                ),
                "url": "https://certsmith.example/#renew",
                "dtstamp": "2026-01-30T12:34:56+00:00",
                "dtstart": "2026-03-01T00:00:00+00:00",
                "dtend": "2026-03-01T01:00:00+00:00",
                "alarms": [["DISPLAY", 0.0, summary]],
            })
        );
    }
}
