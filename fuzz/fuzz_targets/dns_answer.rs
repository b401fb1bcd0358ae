//! DNS-over-HTTPS answers (RFC 1035 wire format): `parse_txt_response` and `parse_txt_response_for`.
//! Invariants: reading for the question's own name gives the same answer as reading without a name, and
//! reading for another name fails; the rcode fits in 4 bits. Then, from the same bytes, an answer is
//! built the way a server writes it (compressed owner names, split character-strings) and must read back
//! to exactly the values put in.
#![no_main]

use certsmith::dns::wire::{parse_txt_response, parse_txt_response_for, txt_query};
use libfuzzer_sys::fuzz_target;

/// The question name of a message, uncompressed, if it is one `txt_query` could ask for.
fn question_name(bytes: &[u8]) -> Option<String> {
    let mut pos = 12;
    let mut labels = Vec::new();
    loop {
        let len = *bytes.get(pos)? as usize;
        if len == 0 {
            break;
        }
        let label = std::str::from_utf8(bytes.get(pos + 1..pos + 1 + len)?).ok()?;
        if label.contains('.') {
            return None; // a dot inside a wire label: not a name `txt_query` could ask for
        }
        labels.push(label);
        pos += 1 + len;
    }
    let name = labels.join(".");
    txt_query(&name).ok().map(|_| name)
}

fn raw(bytes: &[u8]) {
    let plain = parse_txt_response(bytes);
    if let Ok(answer) = &plain {
        assert!(answer.rcode <= 15);
        let _ = answer.to_string();
    }
    if let Some(name) = question_name(bytes) {
        let named = parse_txt_response_for(bytes, &name);
        assert_eq!(named, plain, "for {name:?}");
        let upper = parse_txt_response_for(bytes, &name.to_ascii_uppercase());
        assert_eq!(upper, plain, "case");
        if plain
            .as_ref()
            .is_ok_and(|a| a.rcode == 0 || !a.txt.is_empty())
        {
            assert!(parse_txt_response_for(bytes, &format!("other.{name}")).is_err());
        }
    } else {
        // Not a question `txt_query` makes: whatever name we ask for, the answer is not taken.
        if bytes.len() > 12 && plain.as_ref().is_ok_and(|_| bytes[4..6] != [0, 0]) {
            assert!(parse_txt_response_for(bytes, "_acme-challenge.a.test").is_err());
        }
    }
}

/// An answer built from the bytes: a name from the first bytes, then TXT values cut from the rest.
fn built(bytes: &[u8]) {
    let Some((&n, rest)) = bytes.split_first() else {
        return;
    };
    let name = format!("_acme-challenge.n{}.test", n % 8);
    let values: Vec<&[u8]> = rest.split(|&b| b == b'|').take(20).collect();
    let mut msg = txt_query(&name).unwrap();
    msg[2] = 0x81;
    msg[3] = 0x80;
    msg[7] = values.len() as u8;
    for value in &values {
        msg.extend_from_slice(&[0xc0, 0x0c, 0x00, 0x10, 0x00, 0x01, 0, 0, 0, 60]);
        let strings: Vec<&[u8]> = if value.is_empty() {
            vec![&[][..]]
        } else {
            value.chunks(255).collect()
        };
        let rdlen: usize = strings.iter().map(|s| 1 + s.len()).sum();
        let Ok(rdlen) = u16::try_from(rdlen) else {
            return;
        };
        msg.extend_from_slice(&rdlen.to_be_bytes());
        for s in strings {
            msg.push(s.len() as u8);
            msg.extend_from_slice(s);
        }
    }
    let answer = parse_txt_response_for(&msg, &name).unwrap();
    let expected: Vec<String> = values
        .iter()
        .map(|v| String::from_utf8_lossy(v).into_owned())
        .collect();
    assert_eq!(answer.rcode, 0);
    assert_eq!(answer.txt, expected);
}

fuzz_target!(|data: &[u8]| {
    raw(data);
    built(data);
});
