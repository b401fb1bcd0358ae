//! Certificates as a CA returns them (RFC 8555 §7.4.2, `application/pem-certificate-chain`) and the
//! ACME Renewal Information CertID that identifies one (RFC 9773 §4.1).

use std::fmt;
use std::net::IpAddr;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use der::asn1::AnyRef;
use der::oid::ObjectIdentifier;
use der::{Decode, Encode, Tag, Tagged};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{AuthorityKeyIdentifier, SubjectAltName};
use x509_cert::name::Name;
use x509_cert::time::Time;
use x509_cert::Certificate;

use crate::b64;
use crate::pki::csr::ip_from_octets;
use crate::pki::key::{pem_blocks, PrivateKey};

/// Why a certificate or chain could not be read or used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CertError {
    /// The text holds no "CERTIFICATE" PEM block at all.
    #[error(
        "{}",
        crate::t!("no certificate found; a PEM certificate starts with \"-----BEGIN CERTIFICATE-----\"")
    )]
    NoCertificates,
    /// The PEM armor itself is broken.
    #[error("{}", crate::t!("the certificate chain is not valid PEM: {why}", why = .0))]
    Pem(String),
    /// A certificate that does not parse as X.509.
    #[error(
        "{}",
        crate::t!(
            "certificate {position} of the chain is malformed: {detail}",
            position = .position,
            detail = .detail
        )
    )]
    Malformed { position: usize, detail: String },
    /// The certificate lacks what an ARI CertID needs.
    #[error("{}", crate::t!("cannot compute the renewal-information CertID: {why}", why = .0))]
    NoCertId(String),
}

/// The facts about one certificate that a person or the renewal logic needs. Serializable: the page has
/// the jobs module read its chains ([`crate::pki::job::Job::ReadChain`]), so its wasm has no X.509 reader.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateInfo {
    /// The certificate's DER.
    #[serde(with = "crate::b64::serde_bytes")]
    pub der: Vec<u8>,
    /// The subject as an RFC 4514 string, e.g. "CN=example.com".
    pub subject: String,
    /// The issuer as an RFC 4514 string.
    pub issuer: String,
    /// The subjectAltName DNS names and IP addresses, in certificate order.
    pub names: Vec<String>,
    /// notBefore, in seconds since the Unix epoch.
    pub not_before: i64,
    /// notAfter, in seconds since the Unix epoch.
    pub not_after: i64,
    /// notBefore as RFC 3339, e.g. "2025-01-01T00:00:00Z".
    pub not_before_rfc3339: String,
    /// notAfter as RFC 3339.
    pub not_after_rfc3339: String,
    /// The serial number in upper-case hex without separators or sign octet (as `openssl x509 -serial`).
    pub serial_hex: String,
    /// SHA-256 of the DER, colon-separated upper-case hex (as `openssl x509 -fingerprint -sha256`).
    pub sha256_fingerprint: String,
    /// The keyIdentifier of the Authority Key Identifier extension (RFC 5280 §4.2.1.1).
    pub authority_key_identifier: Option<Vec<u8>>,
    /// The content octets of the serial number's DER INTEGER, including a leading 0x00 if present.
    #[serde(with = "crate::b64::serde_bytes")]
    pub serial_der_bytes: Vec<u8>,
    /// The DER SubjectPublicKeyInfo.
    #[serde(with = "crate::b64::serde_bytes")]
    pub public_key_spki: Vec<u8>,
}

/// Splits and reads an `application/pem-certificate-chain` (RFC 8555 §7.4.2): the end-entity certificate
/// first, then its issuers. Text around the blocks is ignored; other PEM blocks are refused.
pub fn parse_pem_chain(pem: &str) -> Result<Vec<CertificateInfo>, CertError> {
    let blocks = pem_blocks(pem).map_err(CertError::Pem)?;
    if blocks.is_empty() {
        return Err(CertError::NoCertificates);
    }
    blocks
        .iter()
        .enumerate()
        .map(|(index, block)| {
            let position = index + 1;
            if block.label != "CERTIFICATE" {
                let detail = crate::t!(
                    "it is a \"{label}\" block, not a certificate",
                    label = block.label
                );
                return Err(CertError::Malformed { position, detail });
            }
            CertificateInfo::from_der(&block.der).map_err(|e| e.at(position))
        })
        .collect()
}

impl CertError {
    /// Places a single certificate's error at its position in a chain.
    fn at(self, position: usize) -> CertError {
        match self {
            CertError::Malformed { detail, .. } => CertError::Malformed { position, detail },
            other => other,
        }
    }
}

/// The attribute types RFC 4514 §3 names, and the few more a certificate's name often carries (RFC 4519,
/// PKCS #9), by the short names OpenSSL writes; any other is written as its dotted OID.
const ATTRIBUTE_NAMES: [(ObjectIdentifier, &str); 14] = [
    (ObjectIdentifier::new_unwrap("2.5.4.3"), "CN"),
    (ObjectIdentifier::new_unwrap("2.5.4.7"), "L"),
    (ObjectIdentifier::new_unwrap("2.5.4.8"), "ST"),
    (ObjectIdentifier::new_unwrap("2.5.4.10"), "O"),
    (ObjectIdentifier::new_unwrap("2.5.4.11"), "OU"),
    (ObjectIdentifier::new_unwrap("2.5.4.6"), "C"),
    (ObjectIdentifier::new_unwrap("2.5.4.9"), "STREET"),
    (
        ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.25"),
        "DC",
    ),
    (
        ObjectIdentifier::new_unwrap("0.9.2342.19200300.100.1.1"),
        "UID",
    ),
    (ObjectIdentifier::new_unwrap("2.5.4.5"), "serialNumber"),
    (ObjectIdentifier::new_unwrap("2.5.4.4"), "SN"),
    (ObjectIdentifier::new_unwrap("2.5.4.42"), "GN"),
    (
        ObjectIdentifier::new_unwrap("2.5.4.97"),
        "organizationIdentifier",
    ),
    (
        ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.1"),
        "emailAddress",
    ),
];

/// A distinguished name as RFC 4514 text, e.g. "CN=R10,O=Let's Encrypt,C=US": the RDNs last first
/// (§2.1), a multi-valued RDN joined by "+" (§2.2), a string value escaped (§2.4), any other value or an
/// attribute type without a short name as "#" and the hex of its DER (§2.4). Our own, with a table of 14
/// types: x509-cert's `Display` looks every type up in const-oid's database, 18 KB of the page's wasm.
pub fn name_text(name: &Name) -> String {
    let mut rdns: Vec<String> = name
        .iter_rdn()
        .map(|rdn| {
            let values: Vec<String> = rdn.iter().map(attribute_text).collect();
            values.join("+")
        })
        .collect();
    rdns.reverse();
    rdns.join(",")
}

fn attribute_text(attribute: &AttributeTypeAndValue) -> String {
    let short = ATTRIBUTE_NAMES
        .iter()
        .find(|(oid, _)| *oid == attribute.oid)
        .map(|(_, name)| *name);
    let value = &attribute.value;
    let text = match value.tag() {
        Tag::Utf8String | Tag::PrintableString | Tag::Ia5String | Tag::TeletexString => {
            std::str::from_utf8(value.value()).ok()
        }
        _ => None,
    };
    match (short, text) {
        (Some(short), Some(text)) => format!("{short}={}", escaped(text)),
        _ => {
            let der = value.to_der().unwrap_or_default();
            format!("{}=#{}", attribute.oid, upper_hex(&der, "").to_lowercase())
        }
    }
}

/// An attribute value escaped as RFC 4514 §2.4 asks.
fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let last = text.chars().count().saturating_sub(1);
    for (i, c) in text.chars().enumerate() {
        match c {
            '#' if i == 0 => out.push_str("\\#"),
            ' ' if i == 0 || i == last => out.push_str("\\ "),
            '"' | '+' | ',' | ';' | '<' | '>' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\0'..='\x1f' | '\x7f' => out.push_str(&format!("\\{:02x}", c as u8)),
            _ => out.push(c),
        }
    }
    out
}

fn malformed(detail: impl fmt::Display) -> CertError {
    CertError::Malformed {
        position: 1,
        detail: detail.to_string(),
    }
}

impl CertificateInfo {
    /// Reads one DER certificate (RFC 5280 §4.1).
    pub fn from_der(der: &[u8]) -> Result<Self, CertError> {
        let cert = Certificate::from_der(der).map_err(malformed)?;
        let tbs = cert.tbs_certificate();
        let validity = tbs.validity();
        let serial_der_bytes = serial_content_octets(&cert)?;
        Ok(CertificateInfo {
            der: der.to_vec(),
            subject: name_text(tbs.subject()),
            issuer: name_text(tbs.issuer()),
            names: subject_alt_names(&cert)?,
            not_before: unix_seconds(validity.not_before),
            not_after: unix_seconds(validity.not_after),
            not_before_rfc3339: validity.not_before.to_date_time().to_string(),
            not_after_rfc3339: validity.not_after.to_date_time().to_string(),
            serial_hex: upper_hex(strip_sign_octet(&serial_der_bytes), ""),
            sha256_fingerprint: upper_hex(&Sha256::digest(der), ":"),
            authority_key_identifier: authority_key_identifier(&cert)?,
            serial_der_bytes,
            public_key_spki: tbs.subject_public_key_info().to_der().map_err(malformed)?,
        })
    }

    /// True when `key` is the private key of this certificate (same SubjectPublicKeyInfo).
    pub fn key_matches(&self, key: &PrivateKey) -> bool {
        self.public_key_spki == key.public_key_spki_der()
    }

    /// The certificate as PEM (RFC 7468 §5), e.g. to save it or hand it to a server.
    pub fn to_pem(&self) -> String {
        let base64 = STANDARD.encode(&self.der);
        let mut pem = String::from("-----BEGIN CERTIFICATE-----\n");
        // RFC 7468 §2: lines of exactly 64 characters except the last. Base64 output is ASCII, so
        // splitting the bytes never cuts a character.
        for line in base64.as_bytes().chunks(64) {
            pem.push_str(&String::from_utf8_lossy(line));
            pem.push('\n');
        }
        pem.push_str("-----END CERTIFICATE-----\n");
        pem
    }

    /// True when `unix_time` lies within notBefore..=notAfter (RFC 5280 §4.1.2.5: both inclusive).
    pub fn is_valid_at(&self, unix_time: i64) -> bool {
        (self.not_before..=self.not_after).contains(&unix_time)
    }
}

fn unix_seconds(time: Time) -> i64 {
    // X.509 times end in 9999 at the latest, far inside i64 seconds; saturate rather than panic anyway.
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// The serial number's INTEGER content octets exactly as encoded (with the 0x00 that keeps it positive).
fn serial_content_octets(cert: &Certificate) -> Result<Vec<u8>, CertError> {
    let encoded = cert
        .tbs_certificate()
        .serial_number()
        .to_der()
        .map_err(malformed)?;
    let integer = AnyRef::from_der(&encoded).map_err(malformed)?;
    Ok(integer.value().to_vec())
}

fn strip_sign_octet(bytes: &[u8]) -> &[u8] {
    match bytes {
        [0, rest @ ..] if !rest.is_empty() => rest,
        _ => bytes,
    }
}

fn upper_hex(bytes: &[u8], separator: &str) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(separator)
}

fn subject_alt_names(cert: &Certificate) -> Result<Vec<String>, CertError> {
    let san = cert
        .tbs_certificate()
        .get_extension::<SubjectAltName>()
        .map_err(malformed)?;
    let names = san.map(|(_, san)| san.0).unwrap_or_default();
    Ok(names
        .iter()
        .filter_map(|name| match name {
            GeneralName::DnsName(dns) => Some(dns.to_string()),
            GeneralName::IpAddress(octets) => {
                ip_from_octets(octets.as_bytes()).map(|ip: IpAddr| ip.to_string())
            }
            _ => None,
        })
        .collect())
}

fn authority_key_identifier(cert: &Certificate) -> Result<Option<Vec<u8>>, CertError> {
    let aki = cert
        .tbs_certificate()
        .get_extension::<AuthorityKeyIdentifier>()
        .map_err(malformed)?;
    Ok(aki
        .and_then(|(_, aki)| aki.key_identifier)
        .map(|id| id.as_bytes().to_vec()))
}

/// The ARI CertID of a certificate (RFC 9773 §4.1): base64url(AKI keyIdentifier) "." base64url(serial).
pub fn ari_cert_id(cert: &CertificateInfo) -> Result<String, CertError> {
    let Some(key_identifier) = &cert.authority_key_identifier else {
        return Err(CertError::NoCertId(
            crate::t!("the certificate has no Authority Key Identifier with a keyIdentifier")
                .into(),
        ));
    };
    Ok(ari_cert_id_from_parts(
        key_identifier,
        &cert.serial_der_bytes,
    ))
}

/// The CertID encoding of RFC 9773 §4.1 from its parts: the AKI keyIdentifier octets and the serial's DER
/// INTEGER content octets (including any leading 0x00), each base64url without padding, joined by ".".
pub fn ari_cert_id_from_parts(key_identifier: &[u8], serial_der_bytes: &[u8]) -> String {
    format!(
        "{}.{}",
        b64::encode(key_identifier),
        b64::encode(serial_der_bytes)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::test_support::Scratch;

    /// A two-certificate chain like a CA returns: a leaf for x.example (serial 0x87654321) issued by a CA
    /// whose subjectKeyIdentifier is the one of RFC 9773 §4.1's example.
    fn make_chain(scratch: &Scratch) {
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ];
        let ski =
            "subjectKeyIdentifier=69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4";
        let mut ca = vec!["req", "-x509"];
        ca.extend(ec);
        ca.extend([
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-subj",
            "/CN=Test CA",
            "-days",
            "30",
            "-addext",
            ski,
        ]);
        scratch.openssl(&ca);
        let mut leaf = vec!["req", "-new"];
        leaf.extend(ec);
        leaf.extend([
            "-keyout",
            "leaf.key",
            "-out",
            "leaf.csr",
            "-subj",
            "/CN=x.example",
        ]);
        scratch.openssl(&leaf);
        scratch.write(
            "ext.cnf",
            "subjectAltName=DNS:x.example,IP:192.0.2.9\nauthorityKeyIdentifier=keyid\n",
        );
        scratch.openssl(&[
            "x509",
            "-req",
            "-in",
            "leaf.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-set_serial",
            "0x87654321",
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
            "-out",
            "leaf.pem",
        ]);
    }

    /// Our RFC 4514 text of a name is OpenSSL's (`-nameopt RFC2253`), and x509-cert's for the types of
    /// RFC 4514 §3: names with several RDNs, a multi-valued one, characters that need escaping, leading and
    /// trailing spaces. A type without a short name in our table is its OID and the hex of its DER.
    #[test]
    fn name_text_is_rfc_4514_as_openssl_writes_it() {
        let scratch = Scratch::new("cert-names");
        let subjects = [
            "/CN=x.example",
            "/C=US/O=Let's Encrypt/CN=R10",
            "/C=DE/ST=Some State/L=Town/O=Example, Inc./OU=A+B/OU=semi;colon/CN=a.example",
            "/DC=org/DC=example/UID=jdoe+CN=John \"Q\" Doe",
            "/CN= leading and trailing /O=#hash <angle> back\\slash",
            "/serialNumber=1234/emailAddress=me@example.org/GN=Jane/SN=Doe",
            "/CN=x.example/businessCategory=Private Organization",
        ];
        for (i, subject) in subjects.iter().enumerate() {
            let pem = format!("{i}.pem");
            scratch.self_signed_p256("k.pem", &pem, subject, 1, &["-multivalue-rdn"]);
            let der = pem_to_der(&scratch.read_text(&pem));
            let info = CertificateInfo::from_der(&der).unwrap();
            let openssl = scratch.openssl(&[
                "x509", "-in", &pem, "-noout", "-subject", "-nameopt", "RFC2253",
            ]);
            let openssl = openssl
                .trim_end_matches('\n')
                .trim_start_matches("subject=");
            if subject.contains("businessCategory") {
                // OpenSSL knows this type's name; RFC 4514 §2.3 lets a writer give the OID instead.
                assert_eq!(
                    openssl,
                    "businessCategory=Private Organization,CN=x.example"
                );
                assert_eq!(
                    info.subject,
                    "2.5.4.15=#0c1450726976617465204f7267616e697a6174696f6e,CN=x.example"
                );
                continue;
            }
            // Within a multi-valued RDN (a SET OF) OpenSSL reverses the order too; RFC 4514 allows either.
            assert_eq!(set_order(&info.subject), set_order(openssl), "{subject}");
            assert_eq!(info.issuer, info.subject, "self-signed: {subject}");
            // x509-cert agrees wherever its database has no other short name for a type.
            let cert = Certificate::from_der(&der).unwrap();
            if !subject.contains("serialNumber") {
                assert_eq!(
                    info.subject,
                    cert.tbs_certificate().subject().to_string(),
                    "{subject}"
                );
            }
        }
    }

    /// `text` with the values of each multi-valued RDN sorted (split at each "+" not escaped).
    fn set_order(text: &str) -> String {
        let mut rdns = Vec::new();
        let mut values = Vec::new();
        let mut value = String::new();
        let mut chars = text.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    value.push(c);
                    value.extend(chars.next());
                }
                '+' => values.push(std::mem::take(&mut value)),
                ',' => {
                    values.push(std::mem::take(&mut value));
                    values.sort();
                    rdns.push(std::mem::take(&mut values).join("+"));
                }
                _ => value.push(c),
            }
        }
        values.push(value);
        values.sort();
        rdns.push(values.join("+"));
        rdns.join(",")
    }

    fn pem_to_der(pem: &str) -> Vec<u8> {
        let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
        STANDARD.decode(body).unwrap()
    }

    #[test]
    fn rfc_9773_cert_id_encoding() {
        let key_identifier = [
            0x69, 0x88, 0x5B, 0x6B, 0x87, 0x46, 0x40, 0x41, 0xE1, 0xB3, 0x7B, 0x84, 0x7B, 0xA0,
            0xAE, 0x2C, 0xDE, 0x01, 0xC8, 0xD4,
        ];
        let serial = [0x00, 0x87, 0x65, 0x43, 0x21];
        assert_eq!(
            ari_cert_id_from_parts(&key_identifier, &serial),
            "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"
        );
    }

    #[test]
    fn parses_an_openssl_chain() {
        let scratch = Scratch::new("cert-chain");
        make_chain(&scratch);
        // Surrounding text and CRLF line ends, as a chain saved on Windows or pasted from a mail might have.
        let text = format!(
            "leaf:\r\n{}\r\nissuer:\r\n{}",
            scratch.read_text("leaf.pem"),
            scratch.read_text("ca.pem")
        )
        .replace('\n', "\r\n");
        let chain = parse_pem_chain(&text).unwrap();
        assert_eq!(chain.len(), 2);
        let (leaf, ca) = (&chain[0], &chain[1]);

        assert_eq!(leaf.subject, "CN=x.example");
        assert_eq!(leaf.issuer, "CN=Test CA");
        assert_eq!(ca.subject, "CN=Test CA");
        assert_eq!(leaf.names, ["x.example", "192.0.2.9"]);
        assert_eq!(leaf.serial_der_bytes, [0x00, 0x87, 0x65, 0x43, 0x21]);
        assert_eq!(leaf.serial_hex, "87654321");
        assert_eq!(
            ari_cert_id(leaf).unwrap(),
            "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE"
        );

        let fingerprint = scratch.openssl(&[
            "x509",
            "-in",
            "leaf.pem",
            "-noout",
            "-fingerprint",
            "-sha256",
        ]);
        assert_eq!(
            fingerprint.trim().split('=').nth(1),
            Some(leaf.sha256_fingerprint.as_str())
        );
        let serial = scratch.openssl(&["x509", "-in", "ca.pem", "-noout", "-serial"]);
        assert_eq!(
            serial.trim().strip_prefix("serial="),
            Some(ca.serial_hex.as_str())
        );
        let end = scratch.openssl(&[
            "x509", "-in", "leaf.pem", "-noout", "-enddate", "-dateopt", "iso_8601",
        ]);
        assert_eq!(
            end.trim()
                .strip_prefix("notAfter=")
                .map(|d| d.replace(' ', "T")),
            Some(leaf.not_after_rfc3339.clone())
        );

        assert_eq!(leaf.not_after - leaf.not_before, 30 * 86_400);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        assert!(
            (leaf.not_before - now).abs() < 3_600,
            "notBefore {} is not about now",
            leaf.not_before_rfc3339
        );
        assert!(leaf.is_valid_at(now) && !leaf.is_valid_at(leaf.not_after + 1));

        let leaf_key = PrivateKey::from_pem(&scratch.read_text("leaf.key")).unwrap();
        let ca_key = PrivateKey::from_pem(&scratch.read_text("ca.key")).unwrap();
        assert!(
            leaf.key_matches(&leaf_key) && !leaf.key_matches(&ca_key) && ca.key_matches(&ca_key)
        );

        // to_pem writes what OpenSSL wrote.
        assert_eq!(leaf.to_pem(), scratch.read_text("leaf.pem"));
        assert_eq!(parse_pem_chain(&leaf.to_pem()).unwrap()[0], *leaf);
    }

    #[test]
    fn parses_a_self_signed_certificate_with_an_ipv6_name() {
        let scratch = Scratch::new("cert-self");
        scratch.self_signed_p256(
            "k.pem",
            "c.pem",
            "/CN=x.example",
            30,
            &[
                "-addext",
                "subjectAltName=DNS:x.example,IP:192.0.2.9,IP:2001:db8::9",
            ],
        );
        let chain = parse_pem_chain(&scratch.read_text("c.pem")).unwrap();
        assert_eq!(chain[0].names, ["x.example", "192.0.2.9", "2001:db8::9"]);
        assert!(chain[0].key_matches(&PrivateKey::from_pem(&scratch.read_text("k.pem")).unwrap()));
    }

    #[test]
    fn refuses_what_is_not_a_chain() {
        assert_eq!(
            parse_pem_chain("garbage").unwrap_err(),
            CertError::NoCertificates
        );
        assert_eq!(parse_pem_chain("").unwrap_err(), CertError::NoCertificates);
        let not_der = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            parse_pem_chain(not_der),
            Err(CertError::Malformed { position: 1, .. })
        ));
        let cut = "-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n";
        assert!(matches!(parse_pem_chain(cut), Err(CertError::Pem(_))));

        let scratch = Scratch::new("cert-refuse");
        make_chain(&scratch);
        let with_key = format!(
            "{}{}",
            scratch.read_text("leaf.pem"),
            scratch.read_text("leaf.key")
        );
        let err = parse_pem_chain(&with_key).unwrap_err();
        assert_eq!(err.to_string(), "certificate 2 of the chain is malformed: it is a \"PRIVATE KEY\" block, not a certificate");
        let der = parse_pem_chain(&scratch.read_text("leaf.pem"))
            .unwrap()
            .remove(0)
            .der;
        for len in 0..der.len() {
            assert!(
                CertificateInfo::from_der(&der[..len]).is_err(),
                "truncated to {len}"
            );
        }
    }

    #[test]
    fn cert_id_needs_an_authority_key_identifier() {
        let scratch = Scratch::new("cert-noaki");
        make_chain(&scratch);
        let mut leaf = parse_pem_chain(&scratch.read_text("leaf.pem"))
            .unwrap()
            .remove(0);
        leaf.authority_key_identifier = None;
        assert!(matches!(ari_cert_id(&leaf), Err(CertError::NoCertId(_))));
    }
}
