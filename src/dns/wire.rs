//! DNS wire format (RFC 1035 §4) for one job: asking for the TXT records of a name and reading the answer,
//! so the app can check over DNS-over-HTTPS (RFC 8484) that a dns-01 record is visible before telling the
//! CA to look. Pure code without I/O; the browser side is `web::doh`.
//!
//! Reading is defensive: every length is checked against the message, compression pointers must point
//! strictly backwards (so a pointer loop cannot exist) and names stay within 255 bytes. Malformed input
//! gives an error, never a panic.
//!
//! One file over 600 lines: the code is under 400; the rest are its tests (hostile answers of every
//! shape), which read best beside the parser they attack.

use std::fmt;

/// The TXT record type (RFC 1035 §3.2.2).
pub const TYPE_TXT: u16 = 16;
/// The CNAME record type, followed inside one answer (a dns-01 record delegated to another zone).
pub const TYPE_CNAME: u16 = 5;
/// The Internet class.
pub const CLASS_IN: u16 = 1;

/// Response codes (RFC 1035 §4.1.1, RFC 6895 §2.3).
pub const RCODE_NOERROR: u8 = 0;
pub const RCODE_FORMERR: u8 = 1;
pub const RCODE_SERVFAIL: u8 = 2;
pub const RCODE_NXDOMAIN: u8 = 3;
pub const RCODE_NOTIMP: u8 = 4;
pub const RCODE_REFUSED: u8 = 5;

const HEADER_LEN: usize = 12;
const MAX_NAME_LEN: usize = 255;
const MAX_LABEL_LEN: usize = 63;
/// How many CNAMEs of one answer are followed before giving up.
const MAX_CNAME_HOPS: usize = 8;

/// What went wrong building a query or reading an answer.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DnsError {
    /// The name cannot be asked for (empty label, too long, not ASCII, ...).
    #[error("{0}")]
    InvalidName(String),
    /// The bytes are not a DNS answer to a TXT question.
    #[error("{}", crate::t!("malformed DNS answer: {why}", why = .0))]
    Malformed(String),
}

/// The part of an answer the app needs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DnsAnswer {
    /// The response code: 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED, ... (see the `RCODE_*` constants).
    pub rcode: u8,
    /// One string per TXT record of the question name (its character-strings concatenated, RFC 7208 §3.3
    /// style), in answer order; non-UTF-8 bytes are replaced.
    pub txt: Vec<String>,
}

/// A human name for a response code.
pub fn rcode_name(rcode: u8) -> &'static str {
    match rcode {
        RCODE_NOERROR => "NOERROR",
        RCODE_FORMERR => "FORMERR",
        RCODE_SERVFAIL => "SERVFAIL",
        RCODE_NXDOMAIN => "NXDOMAIN",
        RCODE_NOTIMP => "NOTIMP",
        RCODE_REFUSED => "REFUSED",
        _ => crate::t!("an unknown response code"),
    }
}

/// A query for the TXT records of `name` (`_acme-challenge.example.com`, a trailing dot allowed): ID 0 (as
/// RFC 8484 §4.1 recommends, so answers cache well), only RD set, one question of type TXT, class IN, no
/// other sections. Names must already be in ASCII (an IDN as its `xn--` A-label).
pub fn txt_query(name: &str) -> Result<Vec<u8>, DnsError> {
    let labels = name_labels(name)?;
    let mut out = Vec::with_capacity(HEADER_LEN + name.len() + 6);
    out.extend_from_slice(&[
        0x00, 0x00, // ID 0
        0x01, 0x00, // QR=0, opcode QUERY, RD=1
        0x00, 0x01, // QDCOUNT 1
        0x00, 0x00, // ANCOUNT
        0x00, 0x00, // NSCOUNT
        0x00, 0x00, // ARCOUNT
    ]);
    for label in &labels {
        out.push(label.len() as u8);
        out.extend_from_slice(label.as_bytes());
    }
    out.push(0);
    out.extend_from_slice(&TYPE_TXT.to_be_bytes());
    out.extend_from_slice(&CLASS_IN.to_be_bytes());
    Ok(out)
}

/// Splits and checks a presentation-format name (letters, digits, `-` and `_`, labels of 1 to 63 bytes,
/// at most 255 bytes on the wire).
fn name_labels(name: &str) -> Result<Vec<&str>, DnsError> {
    let bad = |why: String| {
        DnsError::InvalidName(crate::t!(
            "cannot look up {name}: {why}",
            name = format!("{name:?}"),
            why = why
        ))
    };
    let trimmed = name.strip_suffix('.').unwrap_or(name);
    if trimmed.is_empty() {
        return Err(bad(crate::t!("the name is empty").into()));
    }
    let labels: Vec<&str> = trimmed.split('.').collect();
    let mut wire_len = 1;
    for label in &labels {
        if label.is_empty() {
            return Err(bad(
                crate::t!("it has an empty label (two dots in a row)").into()
            ));
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(bad(crate::t!(
                "the label {label} is longer than {max} bytes",
                label = format!("{label:?}"),
                max = MAX_LABEL_LEN
            )));
        }
        if let Some(c) = label
            .chars()
            .find(|c| !(c.is_ascii_alphanumeric() || *c == '-' || *c == '_'))
        {
            let why = if c.is_ascii() {
                crate::t!(
                    "the character {character} is not allowed in a DNS name",
                    character = format!("{c:?}")
                )
            } else {
                crate::t!("it is not ASCII (write an international name as its xn-- form)")
                    .to_string()
            };
            return Err(bad(why));
        }
        wire_len += 1 + label.len();
    }
    if wire_len > MAX_NAME_LEN {
        return Err(bad(crate::t!(
            "it is longer than {max} bytes on the wire",
            max = MAX_NAME_LEN
        )));
    }
    Ok(labels)
}

/// Reads an answer to a TXT query: the response code and the TXT records of the question name (or of
/// the end of a CNAME chain starting at it, inside the same answer section). NXDOMAIN and NODATA give
/// no strings. The authority and additional sections are not read.
pub fn parse_txt_response(bytes: &[u8]) -> Result<DnsAnswer, DnsError> {
    parse(bytes, None)
}

/// Like [`parse_txt_response`], and also checks that the answer is for `name` (compared
/// case-insensitively), so an answer to another question is not taken for this one's.
pub fn parse_txt_response_for(bytes: &[u8], name: &str) -> Result<DnsAnswer, DnsError> {
    let expected: Vec<Vec<u8>> = name_labels(name)?
        .iter()
        .map(|l| l.as_bytes().to_ascii_lowercase())
        .collect();
    parse(bytes, Some(&expected))
}

type Name = Vec<Vec<u8>>;

fn malformed(why: impl Into<String>) -> DnsError {
    DnsError::Malformed(why.into())
}

fn parse(bytes: &[u8], expected: Option<&Name>) -> Result<DnsAnswer, DnsError> {
    let mut reader = Reader { msg: bytes, pos: 0 };
    let _id = reader.u16(Part::Header)?;
    let flags = reader.u16(Part::Header)?;
    let qdcount = reader.u16(Part::Header)?;
    let ancount = reader.u16(Part::Header)?;
    let _nscount = reader.u16(Part::Header)?;
    let _arcount = reader.u16(Part::Header)?;

    if flags & 0x8000 == 0 {
        return Err(malformed(crate::t!(
            "it is a query, not a response (QR is 0)"
        )));
    }
    let opcode = (flags >> 11) & 0x0f;
    if opcode != 0 {
        return Err(malformed(crate::t!(
            "opcode {opcode} instead of 0 (QUERY)",
            opcode = opcode
        )));
    }
    if flags & 0x0200 != 0 {
        return Err(malformed(crate::t!(
            "the server truncated it (TC is set): the records do not fit"
        )));
    }
    let rcode = (flags & 0x000f) as u8;

    if qdcount == 0 {
        // Some servers leave the question out of an error answer; nothing more to read then.
        if rcode != RCODE_NOERROR && rcode != RCODE_NXDOMAIN {
            return Ok(DnsAnswer {
                rcode,
                txt: Vec::new(),
            });
        }
        return Err(malformed(crate::t!("it has no question section")));
    }
    if qdcount != 1 {
        return Err(malformed(crate::t!(
            "{count} questions instead of one",
            count = qdcount
        )));
    }
    let qname = reader.name()?;
    let qtype = reader.u16(Part::Question)?;
    let qclass = reader.u16(Part::Question)?;
    if qtype != TYPE_TXT || qclass != CLASS_IN {
        return Err(malformed(crate::t!(
            "it answers a question of type {qtype} class {qclass}, not TXT IN",
            qtype = qtype,
            qclass = qclass
        )));
    }
    if let Some(expected) = expected {
        if &qname != expected {
            return Err(malformed(crate::t!(
                "it answers a question about {asked}, not {expected}",
                asked = display_name(&qname),
                expected = display_name(expected)
            )));
        }
    }

    // Read every answer record first: a CNAME may come after the record it points to.
    let mut records = Vec::with_capacity(ancount.min(64) as usize);
    for n in 0..ancount {
        let owner = reader.name()?;
        let part = Part::Answer(n + 1);
        let rtype = reader.u16(part)?;
        let class = reader.u16(part)?;
        let _ttl = reader.u32(part)?;
        let rdlength = reader.u16(part)? as usize;
        let rdata_start = reader.pos;
        let rdata = reader.take(rdlength, part)?;
        records.push(Record {
            owner,
            rtype,
            class,
            rdata,
            rdata_start,
        });
    }

    // The names whose TXT records answer the question: itself and the CNAME chain from it.
    let mut names = vec![qname];
    while let Some(cname) = records
        .iter()
        .find(|r| r.rtype == TYPE_CNAME && r.class == CLASS_IN && Some(&r.owner) == names.last())
    {
        if names.len() > MAX_CNAME_HOPS {
            return Err(malformed(crate::t!(
                "a CNAME chain longer than {max} names",
                max = MAX_CNAME_HOPS
            )));
        }
        let target = Reader {
            msg: bytes,
            pos: cname.rdata_start,
        }
        .name()?;
        if names.contains(&target) {
            return Err(malformed(crate::t!(
                "a CNAME loop through {name}",
                name = display_name(&target)
            )));
        }
        names.push(target);
    }

    let mut txt = Vec::new();
    for record in &records {
        if record.rtype == TYPE_TXT && record.class == CLASS_IN && names.contains(&record.owner) {
            txt.push(character_strings(record.rdata)?);
        }
    }
    Ok(DnsAnswer { rcode, txt })
}

struct Record<'a> {
    owner: Name,
    rtype: u16,
    class: u16,
    rdata: &'a [u8],
    /// Where the rdata starts in the message (a CNAME's target may use compression pointers).
    rdata_start: usize,
}

/// TXT rdata: one or more <character-string>s (a length byte, then that many bytes), concatenated.
fn character_strings(rdata: &[u8]) -> Result<String, DnsError> {
    let mut out = Vec::with_capacity(rdata.len());
    let mut rest = rdata;
    while let Some((&len, tail)) = rest.split_first() {
        let len = len as usize;
        if tail.len() < len {
            return Err(malformed(crate::t!(
                "a TXT string runs past the end of its record"
            )));
        }
        out.extend_from_slice(&tail[..len]);
        rest = &tail[len..];
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

fn display_name(name: &Name) -> String {
    if name.is_empty() {
        return ".".to_string();
    }
    name.iter()
        .map(|l| String::from_utf8_lossy(l).into_owned())
        .collect::<Vec<_>>()
        .join(".")
}

/// The part of a message being read, for saying where it ends too soon.
#[derive(Clone, Copy)]
enum Part {
    Header,
    Question,
    /// An answer record, counted from 1.
    Answer(u16),
}

impl Part {
    fn cut_short(self) -> DnsError {
        malformed(match self {
            Part::Header => crate::t!("it ends in the middle of the header").to_string(),
            Part::Question => crate::t!("it ends in the middle of the question").to_string(),
            Part::Answer(n) => crate::t!("it ends in the middle of the answer record {n}", n = n),
        })
    }
}

struct Reader<'a> {
    msg: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, part: Part) -> Result<&'a [u8], DnsError> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&end| end <= self.msg.len())
            .ok_or_else(|| part.cut_short())?;
        let slice = &self.msg[self.pos..end];
        self.pos = end;
        Ok(slice)
    }

    fn u16(&mut self, part: Part) -> Result<u16, DnsError> {
        let b = self.take(2, part)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, part: Part) -> Result<u32, DnsError> {
        let b = self.take(4, part)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A domain name (RFC 1035 §4.1.4), labels lower-cased, with compression pointers followed.
    fn name(&mut self) -> Result<Name, DnsError> {
        let mut labels = Vec::new();
        let mut wire_len = 1;
        let mut pos = self.pos;
        // Where the current run of labels began: a pointer must point before it, so every jump goes
        // further back and following pointers always ends.
        let mut run_start = pos;
        // Where reading continues after the name: right after its first pointer, if it has one.
        let mut resume = None;
        loop {
            let len = *self
                .msg
                .get(pos)
                .ok_or_else(|| malformed(crate::t!("it ends in the middle of a name")))?;
            match len & 0xc0 {
                0x00 if len == 0 => {
                    pos += 1;
                    break;
                }
                0x00 => {
                    let len = len as usize;
                    let label = self
                        .msg
                        .get(pos + 1..pos + 1 + len)
                        .ok_or_else(|| malformed(crate::t!("it ends in the middle of a name")))?;
                    wire_len += 1 + len;
                    if wire_len > MAX_NAME_LEN {
                        return Err(malformed(crate::t!(
                            "a name longer than {max} bytes",
                            max = MAX_NAME_LEN
                        )));
                    }
                    labels.push(label.to_ascii_lowercase());
                    pos += 1 + len;
                }
                0xc0 => {
                    let low = *self
                        .msg
                        .get(pos + 1)
                        .ok_or_else(|| malformed(crate::t!("it ends in the middle of a name")))?;
                    let target = (((len & 0x3f) as usize) << 8) | low as usize;
                    if target >= run_start {
                        return Err(malformed(crate::t!(
                            "a name compression pointer that does not point backwards (a loop?)"
                        )));
                    }
                    // The header holds no name: a pointer into it reads counts and flags as labels.
                    if target < HEADER_LEN {
                        return Err(malformed(crate::t!(
                            "a name compression pointer into the message header"
                        )));
                    }
                    resume.get_or_insert(pos + 2);
                    pos = target;
                    run_start = target;
                }
                _ => {
                    return Err(malformed(crate::t!(
                        "a name label of unknown kind {kind}",
                        kind = format!("0x{len:02x}")
                    )))
                }
            }
        }
        self.pos = resume.unwrap_or(pos);
        Ok(labels)
    }
}

impl fmt::Display for DnsAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", rcode_name(self.rcode))?;
        for value in &self.txt {
            write!(f, " {value:?}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Answers captured from pebble-challtestsrv 2.4.0's DNS server over UDP, to the queries `txt_query`
    // builds, after `/set-txt` calls through its management API (see each constant). It writes names out
    // in full (no compression) and adds an SOA record in the authority section.

    /// `_acme-challenge.a.test` with one TXT value "v1".
    const CAPTURED_ONE: &str = "0000810000010001000100000f5f61636d652d6368616c6c656e67650161047465737400001000010f5f61636d652d6368616c6c656e67650161047465737400001000010000000000030276310c6368616c6c7465737473727607696e76616c6964000006000100000000004a026e730c6368616c6c7465737473727607696e76616c696400066d61737465720c6368616c6c7465737473727607696e76616c6964000000000100000001000000010000000100000001";
    /// `_acme-challenge.two.test` with two TXT values, "first" and "second" (a name with two
    /// authorizations, e.g. `example.org` and `*.example.org`).
    const CAPTURED_TWO: &str = "0000810000010002000100000f5f61636d652d6368616c6c656e67650374776f047465737400001000010f5f61636d652d6368616c6c656e67650374776f047465737400001000010000000000060566697273740f5f61636d652d6368616c6c656e67650374776f04746573740000100001000000000007067365636f6e640c6368616c6c7465737473727607696e76616c6964000006000100000000004a026e730c6368616c6c7465737473727607696e76616c696400066d61737465720c6368616c6c7465737473727607696e76616c6964000000000100000001000000010000000100000001";
    /// `_acme-challenge.www.example.org` with a real dns-01 value (RFC 8555 §8.4's example digest).
    const CAPTURED_DNS01: &str = "0000810000010001000100000f5f61636d652d6368616c6c656e676503777777076578616d706c65036f726700001000010f5f61636d652d6368616c6c656e676503777777076578616d706c65036f7267000010000100000000002c2b4c6f71586359563871354f4e624a5178626d52375343544e6f337469415844666f77796a78416a457558300c6368616c6c7465737473727607696e76616c6964000006000100000000004a026e730c6368616c6c7465737473727607696e76616c696400066d61737465720c6368616c6c7465737473727607696e76616c6964000000000100000001000000010000000100000001";
    /// `_acme-challenge.l255.test` with one value of 255 bytes, the longest one character-string holds.
    const CAPTURED_LONGEST: &str = "0000810000010001000100000f5f61636d652d6368616c6c656e6765046c323535047465737400001000010f5f61636d652d6368616c6c656e6765046c32353504746573740000100001000000000100ff7979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979797979790c6368616c6c7465737473727607696e76616c6964000006000100000000004a026e730c6368616c6c7465737473727607696e76616c696400066d61737465720c6368616c6c7465737473727607696e76616c6964000000000100000001000000010000000100000001";
    /// `_ACME-Challenge.A.Test` while only `_acme-challenge.a.test` has a value: challtestsrv matches
    /// names case-sensitively, so this is a real NODATA answer (NOERROR, no answer records, an SOA).
    const CAPTURED_NODATA: &str = "0000810000010000000100000f5f41434d452d4368616c6c656e67650141045465737400001000010c6368616c6c7465737473727607696e76616c6964000006000100000000004a026e730c6368616c6c7465737473727607696e76616c696400066d61737465720c6368616c6c7465737473727607696e76616c6964000000000100000001000000010000000100000001";
    /// `_acme-challenge.fail.test` after `/set-servfail`.
    const CAPTURED_SERVFAIL: &str = "0000810200010000000100000f5f61636d652d6368616c6c656e6765046661696c047465737400001000010c6368616c6c7465737473727607696e76616c6964000006000100000000004a026e730c6368616c6c7465737473727607696e76616c696400066d61737465720c6368616c6c7465737473727607696e76616c6964000000000100000001000000010000000100000001";

    fn hex(text: &str) -> Vec<u8> {
        assert!(text.len().is_multiple_of(2));
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// A response header: ID 0, QR and RD (and RA) set, the given rcode and counts.
    fn header(rcode: u8, qd: u16, an: u16) -> Vec<u8> {
        let mut h = vec![0, 0, 0x81, 0x80 | rcode];
        h.extend_from_slice(&qd.to_be_bytes());
        h.extend_from_slice(&an.to_be_bytes());
        h.extend_from_slice(&[0, 0, 0, 0]);
        h
    }

    fn wire_name(name: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for label in name.split('.') {
            out.push(label.len() as u8);
            out.extend_from_slice(label.as_bytes());
        }
        out.push(0);
        out
    }

    /// A resource record with an already-encoded owner and rdata.
    fn record(owner: &[u8], rtype: u16, rdata: &[u8]) -> Vec<u8> {
        let mut out = owner.to_vec();
        out.extend_from_slice(&rtype.to_be_bytes());
        out.extend_from_slice(&CLASS_IN.to_be_bytes());
        out.extend_from_slice(&300u32.to_be_bytes());
        out.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
        out.extend_from_slice(rdata);
        out
    }

    fn txt_rdata(strings: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for s in strings {
            out.push(s.len() as u8);
            out.extend_from_slice(s.as_bytes());
        }
        out
    }

    /// The question section for `name`, TXT IN; it starts at offset 12, so `0xc0 0x0c` points at it.
    fn question(name: &str) -> Vec<u8> {
        let mut out = wire_name(name);
        out.extend_from_slice(&[0, 16, 0, 1]);
        out
    }

    const POINTER_TO_QUESTION: [u8; 2] = [0xc0, 0x0c];

    #[test]
    fn query_matches_hand_checked_bytes() {
        let expected: Vec<u8> = [
            &[0x00, 0x00][..], // ID 0
            &[0x01, 0x00],     // flags: QR 0, opcode 0, AA 0, TC 0, RD 1, RA 0, Z 0, RCODE 0
            &[0x00, 0x01],     // QDCOUNT 1
            &[0x00, 0x00],     // ANCOUNT 0
            &[0x00, 0x00],     // NSCOUNT 0
            &[0x00, 0x00],     // ARCOUNT 0
            &[15],             // label of 15 bytes
            b"_acme-challenge",
            &[1],
            b"a",
            &[4],
            b"test",
            &[0],          // the root label
            &[0x00, 0x10], // QTYPE 16 (TXT)
            &[0x00, 0x01], // QCLASS 1 (IN)
        ]
        .concat();
        assert_eq!(expected.len(), 12 + 1 + 15 + 1 + 1 + 1 + 4 + 1 + 4);
        assert_eq!(txt_query("_acme-challenge.a.test").unwrap(), expected);
        assert_eq!(txt_query("_acme-challenge.a.test.").unwrap(), expected);
        // Case is kept as given (DNS compares case-insensitively).
        assert_eq!(
            txt_query("_ACME-Challenge.A.Test.").unwrap()[13..28],
            *b"_ACME-Challenge"
        );
    }

    #[test]
    fn query_rejects_names_that_cannot_be_asked() {
        let long_label = "a".repeat(64);
        let long_name = ["abcdefghi"; 26].join(".");
        for bad in [
            "",
            ".",
            "a..b",
            ".a",
            long_label.as_str(),
            long_name.as_str(),
            "bücher.example",
            "a b.example",
            "a/b.example",
        ] {
            assert!(
                matches!(txt_query(bad), Err(DnsError::InvalidName(_))),
                "{bad:?}"
            );
        }
        let longest_label = "a".repeat(63);
        assert!(txt_query(&format!("{longest_label}.example")).is_ok());
        // 25 labels of 9 bytes are 250 bytes with their length bytes, plus "xyz" (4) and the root (1).
        let longest_name = format!("{}.xyz", ["abcdefghi"; 25].join("."));
        assert_eq!(txt_query(&longest_name).unwrap().len(), 12 + 255 + 4);
        assert!(txt_query(&format!("{longest_name}w")).is_err());
        let message = txt_query("bücher.example").unwrap_err().to_string();
        assert!(message.contains("xn--"), "{message}");
    }

    #[test]
    fn reads_captured_answers() {
        let one = parse_txt_response(&hex(CAPTURED_ONE)).unwrap();
        assert_eq!(
            one,
            DnsAnswer {
                rcode: RCODE_NOERROR,
                txt: vec!["v1".into()]
            }
        );
        let two = parse_txt_response(&hex(CAPTURED_TWO)).unwrap();
        assert_eq!(two.txt, ["first", "second"]);
        let dns01 = parse_txt_response_for(&hex(CAPTURED_DNS01), "_acme-challenge.www.example.org")
            .unwrap();
        assert_eq!(dns01.txt, ["LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"]);
        let longest = parse_txt_response(&hex(CAPTURED_LONGEST)).unwrap();
        assert_eq!(longest.txt, ["y".repeat(255)]);
    }

    #[test]
    fn nodata_nxdomain_and_servfail_carry_their_rcode() {
        let nodata = parse_txt_response(&hex(CAPTURED_NODATA)).unwrap();
        assert_eq!(
            nodata,
            DnsAnswer {
                rcode: RCODE_NOERROR,
                txt: vec![]
            }
        );
        let servfail = parse_txt_response(&hex(CAPTURED_SERVFAIL)).unwrap();
        assert_eq!(servfail.rcode, RCODE_SERVFAIL);
        assert!(servfail.txt.is_empty());
        assert_eq!(rcode_name(servfail.rcode), "SERVFAIL");

        let nxdomain = [header(RCODE_NXDOMAIN, 1, 0), question("x.test")].concat();
        assert_eq!(parse_txt_response(&nxdomain).unwrap().rcode, RCODE_NXDOMAIN);
        // A REFUSED answer without its question section.
        let refused = header(RCODE_REFUSED, 0, 0);
        assert_eq!(parse_txt_response(&refused).unwrap().rcode, RCODE_REFUSED);
    }

    #[test]
    fn checks_the_question_it_answers() {
        let bytes = hex(CAPTURED_ONE);
        assert!(parse_txt_response_for(&bytes, "_ACME-CHALLENGE.A.TEST.").is_ok());
        let err = parse_txt_response_for(&bytes, "_acme-challenge.b.test").unwrap_err();
        assert!(err.to_string().contains("_acme-challenge.a.test"), "{err}");
        // Our own query is not an answer.
        let query = txt_query("_acme-challenge.a.test").unwrap();
        assert!(parse_txt_response(&query).is_err());
        // Another question type.
        let mut a_question = [header(0, 1, 0), question("a.test")].concat();
        let len = a_question.len();
        a_question[len - 3] = 1; // QTYPE A
        assert!(parse_txt_response(&a_question).is_err());
    }

    #[test]
    fn follows_compression_and_ignores_case_of_owner_names() {
        let compressed = [
            header(0, 1, 2),
            question("_acme-challenge.a.test"),
            record(&POINTER_TO_QUESTION, TYPE_TXT, &txt_rdata(&["v1"])),
            record(
                &wire_name("_ACME-CHALLENGE.A.TEST"),
                TYPE_TXT,
                &txt_rdata(&["v2"]),
            ),
        ]
        .concat();
        assert_eq!(parse_txt_response(&compressed).unwrap().txt, ["v1", "v2"]);

        // A pointer to a suffix: "_acme-challenge" + pointer to "a.test" inside the question.
        let mut owner = vec![15];
        owner.extend_from_slice(b"_acme-challenge");
        owner.extend_from_slice(&[0xc0, 12 + 16]);
        let suffix = [
            header(0, 1, 1),
            question("_acme-challenge.a.test"),
            record(&owner, TYPE_TXT, &txt_rdata(&["v3"])),
        ]
        .concat();
        assert_eq!(parse_txt_response(&suffix).unwrap().txt, ["v3"]);

        // A pointer to a name that is itself a pointer (two hops).
        let question_bytes = question("_acme-challenge.a.test");
        let first_owner = (12 + question_bytes.len()) as u8;
        let chained = [
            header(0, 1, 2),
            question_bytes,
            record(&POINTER_TO_QUESTION, TYPE_TXT, &txt_rdata(&["v4"])),
            record(&[0xc0, first_owner], TYPE_TXT, &txt_rdata(&["v5"])),
        ]
        .concat();
        assert_eq!(parse_txt_response(&chained).unwrap().txt, ["v4", "v5"]);
    }

    #[test]
    fn keeps_only_txt_records_of_the_question_name() {
        let answer = [
            header(0, 1, 3),
            question("_acme-challenge.a.test"),
            record(
                &wire_name("_acme-challenge.b.test"),
                TYPE_TXT,
                &txt_rdata(&["other"]),
            ),
            record(&POINTER_TO_QUESTION, 1, &[127, 0, 0, 1]),
            record(&POINTER_TO_QUESTION, TYPE_TXT, &txt_rdata(&["mine"])),
        ]
        .concat();
        assert_eq!(parse_txt_response(&answer).unwrap().txt, ["mine"]);
    }

    #[test]
    fn concatenates_the_character_strings_of_one_record() {
        let answer = [
            header(0, 1, 2),
            question("_acme-challenge.a.test"),
            record(
                &POINTER_TO_QUESTION,
                TYPE_TXT,
                &txt_rdata(&["abc", "", "def"]),
            ),
            record(
                &POINTER_TO_QUESTION,
                TYPE_TXT,
                &[0xff, 0xfe][..].iter().fold(vec![2], |mut v, b| {
                    v.push(*b);
                    v
                }),
            ),
        ]
        .concat();
        assert_eq!(
            parse_txt_response(&answer).unwrap().txt,
            ["abcdef", "\u{fffd}\u{fffd}"]
        );
    }

    #[test]
    fn follows_a_cname_chain_inside_the_answer() {
        // _acme-challenge.a.test CNAME a.acme.test (compressed: "a" "acme" -> "test" of the question);
        // the TXT comes first, as nothing requires order.
        let question_bytes = question("_acme-challenge.a.test");
        let test_offset = 12 + 16 + 2; // "test" inside the question
        let mut target = vec![1, b'a', 4];
        target.extend_from_slice(b"acme");
        target.extend_from_slice(&[0xc0, test_offset]);
        let answer = [
            header(0, 1, 3),
            question_bytes,
            record(
                &wire_name("a.acme.test"),
                TYPE_TXT,
                &txt_rdata(&["delegated"]),
            ),
            record(&wire_name("unrelated.test"), TYPE_TXT, &txt_rdata(&["no"])),
            record(&POINTER_TO_QUESTION, TYPE_CNAME, &target),
        ]
        .concat();
        assert_eq!(parse_txt_response(&answer).unwrap().txt, ["delegated"]);

        let looped = [
            header(0, 1, 2),
            question("a.test"),
            record(&wire_name("a.test"), TYPE_CNAME, &wire_name("b.test")),
            record(&wire_name("b.test"), TYPE_CNAME, &wire_name("a.test")),
        ]
        .concat();
        assert!(parse_txt_response(&looped).is_err());
    }

    #[test]
    fn rejects_pointer_loops() {
        // The question occupies offsets 12..24; the answer's owner name starts at 24.
        let question_bytes = question("a.test");
        let at = (12 + question_bytes.len()) as u8;
        for owner in [
            vec![0xc0, at],          // to itself
            vec![0xc0, at + 2],      // forwards
            vec![1, b'x', 0xc0, at], // to its own start
            vec![0xc0, 0xff],        // past the end
            vec![0xc0, 0x00],        // into the header
        ] {
            let answer = [
                header(0, 1, 1),
                question_bytes.clone(),
                record(&owner, TYPE_TXT, &txt_rdata(&["x"])),
            ]
            .concat();
            assert!(parse_txt_response(&answer).is_err(), "{owner:?}");
        }
        // Two names pointing at each other: the second is valid only if it points backwards, and the
        // first then points forwards.
        let mut msg = header(0, 1, 0);
        msg.extend_from_slice(&[0xc0, 14, 0xc0, 12, 0, 16, 0, 1]);
        assert!(parse_txt_response(&msg).is_err());
        // A question whose name ends in a pointer to the header's first byte (a zero, read as the root):
        // what the fuzz target found; the name is no name.
        let mut into_header = header(0, 1, 0);
        into_header.extend_from_slice(&[1, b'a', 0xc0, 0x00, 0, 16, 0, 1]);
        assert!(parse_txt_response(&into_header).is_err());
        // The reserved label types 0x40 and 0x80.
        let mut reserved = header(0, 1, 0);
        reserved.extend_from_slice(&[0x41, b'a', 0, 0, 16, 0, 1]);
        assert!(parse_txt_response(&reserved).is_err());
    }

    #[test]
    fn rejects_overlong_names_even_with_pointers() {
        // 4 labels of 63 bytes make 256 bytes with the root: one too many.
        let label = [&[63u8][..], &[b'a'; 63]].concat();
        let mut msg = header(0, 1, 0);
        for _ in 0..4 {
            msg.extend_from_slice(&label);
        }
        msg.extend_from_slice(&[0, 0, 16, 0, 1]);
        assert!(parse_txt_response(&msg).is_err());
    }

    #[test]
    fn rejects_truncated_and_flagged_answers() {
        for fixture in [CAPTURED_ONE, CAPTURED_TWO, CAPTURED_DNS01, CAPTURED_LONGEST] {
            let bytes = hex(fixture);
            // Every cut through the header, question or answers is an error; the authority section is
            // not read, so cuts there still give the answer.
            let answers_end = {
                let mut r = Reader {
                    msg: &bytes,
                    pos: 12,
                };
                r.name().unwrap();
                r.pos += 4;
                let ancount = u16::from_be_bytes([bytes[6], bytes[7]]);
                for n in 0..ancount {
                    r.name().unwrap();
                    r.pos += 8;
                    let len = r.u16(Part::Answer(n + 1)).unwrap() as usize;
                    r.pos += len;
                }
                r.pos
            };
            for cut in 0..bytes.len() {
                let result = parse_txt_response(&bytes[..cut]);
                if cut < answers_end {
                    assert!(result.is_err(), "cut at {cut} of {fixture}");
                } else {
                    assert!(result.is_ok());
                }
            }
        }
        let mut truncated = hex(CAPTURED_ONE);
        truncated[2] |= 0x02; // TC
        assert!(parse_txt_response(&truncated)
            .unwrap_err()
            .to_string()
            .contains("truncated"));
        // A TXT string longer than its record.
        let overrun = [
            header(0, 1, 1),
            question("a.test"),
            record(&POINTER_TO_QUESTION, TYPE_TXT, &[5, b'a', b'b']),
        ]
        .concat();
        assert!(parse_txt_response(&overrun).is_err());
    }

    #[test]
    fn garbage_never_panics() {
        // A small deterministic generator: random bytes, and captured answers with random bytes flipped.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let captured: Vec<Vec<u8>> = [CAPTURED_ONE, CAPTURED_TWO, CAPTURED_NODATA]
            .iter()
            .map(|h| hex(h))
            .collect();
        for round in 0..20_000 {
            let bytes = if round % 2 == 0 {
                let len = (next() % 96) as usize;
                let mut b: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                if b.len() > 3 {
                    b[2] |= 0x80; // mostly responses, so parsing goes further
                }
                b
            } else {
                let mut b = captured[round % captured.len()].clone();
                for _ in 0..1 + next() % 4 {
                    let i = (next() as usize) % b.len();
                    b[i] = next() as u8;
                }
                b
            };
            let _ = parse_txt_response(&bytes);
            let _ = parse_txt_response_for(&bytes, "_acme-challenge.a.test");
        }
    }
}
