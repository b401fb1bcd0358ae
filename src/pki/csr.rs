//! Certificate signing requests (PKCS#10, RFC 2986) for ACME finalization (RFC 8555 §7.4).
//!
//! [`build_csr`] makes the CSR a CA expects: every identifier of the order as a subjectAltName (RFC 5280
//! §4.2.1.6), signed by the certificate key. [`parse_csr`] reads a CSR a person brings (made by OpenSSL or
//! another tool), checks its self-signature and lists the names it asks for, so that the order can be made
//! for exactly those names ([`ParsedCsr::check_matches`]).
//!
//! One file over 600 lines: the code is under 480; the rest are its tests, OpenSSL cross-checks that read
//! best beside what they check.

use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use const_oid::db::rfc4519::COMMON_NAME;
use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ID_CE_SUBJECT_ALT_NAME, ID_EC_PUBLIC_KEY,
    ID_EXTENSION_REQ, RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1, SHA_256_WITH_RSA_ENCRYPTION,
    SHA_384_WITH_RSA_ENCRYPTION, SHA_512_WITH_RSA_ENCRYPTION,
};
use der::asn1::{AnyRef, Ia5String};
use der::oid::ObjectIdentifier;
use der::{Any, Decode, Encode, Reader, Tag};
use pkcs8::DecodePublicKey;
use rsa::traits::PublicKeyParts;
use rsa::Pkcs1v15Sign;
use sha2::{Digest, Sha256, Sha384, Sha512};
use signature::hazmat::PrehashVerifier;
use x509_cert::attr::AttributeTypeAndValue;
use x509_cert::builder::Builder;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::Extension;
use x509_cert::name::{Name, RdnSequence, RelativeDistinguishedName};
use x509_cert::request::{CertReq, RequestBuilder};

use crate::acme::identifier::{Identifier, IdentifierKind};
use crate::pki::key::{
    algorithm_name, bit_length, curve_name, pem_blocks, KeyRef, PrivateKey, MIN_RSA_BITS,
};

/// Why a CSR could not be built, read or used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CsrError {
    /// `build_csr` was given no identifiers.
    #[error("{}", crate::t!("a CSR needs at least one name"))]
    NoIdentifiers,
    /// An identifier that cannot be written into, or read from, a CSR.
    #[error(
        "{}",
        crate::t!("the name \"{name}\" cannot be used in a CSR: {reason}", name = .name, reason = .reason)
    )]
    BadIdentifier { name: String, reason: String },
    /// The builder or signer failed.
    #[error("{}", crate::t!("could not build the CSR: {why}", why = .0))]
    Build(String),
    /// The input is not a CSR (garbage, another PEM type, broken DER).
    #[error("{}", crate::t!("this is not a certificate signing request: {why}", why = .0))]
    NotACsr(String),
    /// The CSR's self-signature does not verify: it was altered, or signed by another key.
    #[error(
        "{}",
        crate::t!(
            "the CSR's signature is invalid (the CSR was altered or signed with another key): {why}",
            why = .0
        )
    )]
    BadSignature(String),
    /// A signature algorithm we cannot check.
    #[error(
        "{}",
        crate::t!(
            "the CSR is signed with {algorithm}, which is not supported; use ECDSA P-256/P-384 or RSA with \
             SHA-256",
            algorithm = .0
        )
    )]
    UnsupportedSignature(String),
    /// A CSR key a CA would refuse.
    #[error(
        "{}",
        crate::t!(
            "the CSR's key ({key}) is not supported; use ECDSA P-256, P-384 or RSA of at least 2048 bits",
            key = .0
        )
    )]
    UnsupportedKey(String),
    /// The CSR asks for no names at all.
    #[error(
        "{}",
        crate::t!(
            "the CSR names no domain or IP address (no subjectAltName and no DNS name as common name)"
        )
    )]
    NoNames,
    /// The CSR's names differ from the order's identifiers (RFC 8555 §7.4: they must be the same).
    #[error("{}", mismatch_message(missing, extra))]
    Mismatch {
        missing: Vec<String>,
        extra: Vec<String>,
    },
}

fn mismatch_message(missing: &[String], extra: &[String]) -> String {
    let (missing, extra) = (missing.join(", "), extra.join(", "));
    match (missing.is_empty(), extra.is_empty()) {
        (false, true) => crate::t!(
            "the CSR does not match the order: the CSR lacks {missing}",
            missing = missing
        ),
        (true, false) => crate::t!(
            "the CSR does not match the order: the CSR also asks for {extra}, which the order does not \
             include",
            extra = extra
        ),
        _ => crate::t!(
            "the CSR does not match the order: the CSR lacks {missing}; the CSR also asks for {extra}, \
             which the order does not include",
            missing = missing,
            extra = extra
        ),
    }
}

/// The longest common name X.509 allows (RFC 5280 Appendix A, `ub-common-name`).
const MAX_CN_LEN: usize = 64;

// ---------------------------------------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------------------------------------

/// Builds a DER CSR for `identifiers`, signed by `key` (ES256/ES384 keys with ecdsa-with-SHA256/384, RSA
/// keys with sha256WithRSAEncryption).
///
/// Every identifier becomes a subjectAltName: DNS names as dNSName, IP addresses as iPAddress octets
/// (RFC 8738 §3). The subject is CN = the first DNS name when it fits the 64-character limit, and empty
/// otherwise, in which case the subjectAltName extension is marked critical (RFC 5280 §4.2.1.6).
pub fn build_csr(key: &PrivateKey, identifiers: &[Identifier]) -> Result<Vec<u8>, CsrError> {
    if identifiers.is_empty() {
        return Err(CsrError::NoIdentifiers);
    }
    let names = identifiers
        .iter()
        .map(general_name)
        .collect::<Result<Vec<_>, _>>()?;
    let mut builder = RequestBuilder::new(subject_for(identifiers)?).map_err(build_error)?;
    builder
        .add_extension(&SubjectAltName(names))
        .map_err(build_error)?;
    let request = match key.key_ref().map_err(build_error)? {
        KeyRef::P256(signer) => builder.build::<_, p256::ecdsa::DerSignature>(signer),
        KeyRef::P384(signer) => builder.build::<_, p384::ecdsa::DerSignature>(signer),
        KeyRef::Rsa(rsa_key) => {
            let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new(rsa_key.clone());
            builder.build::<_, rsa::pkcs1v15::Signature>(&signer)
        }
    }
    .map_err(build_error)?;
    request.to_der().map_err(build_error)
}

fn build_error(e: impl fmt::Display) -> CsrError {
    CsrError::Build(e.to_string())
}

fn general_name(identifier: &Identifier) -> Result<GeneralName, CsrError> {
    let bad = |reason: &str| CsrError::BadIdentifier {
        name: identifier.value.clone(),
        reason: reason.into(),
    };
    match identifier.kind {
        IdentifierKind::Dns => Ia5String::new(&identifier.value)
            .map(GeneralName::DnsName)
            .map_err(|_| {
                bad(crate::t!(
                    "a DNS name in a certificate must be ASCII (the xn-- form of an international name)"
                ))
            }),
        IdentifierKind::Ip => identifier
            .value
            .parse::<IpAddr>()
            .map(GeneralName::from)
            .map_err(|_| bad(crate::t!("not an IP address"))),
        IdentifierKind::Unknown => Err(bad(crate::t!("only DNS names and IP addresses can be certified"))),
    }
}

/// CN = the first DNS name if it fits, else the empty subject.
fn subject_for(identifiers: &[Identifier]) -> Result<Name, CsrError> {
    let first_dns = identifiers.iter().find(|id| id.kind == IdentifierKind::Dns);
    let Some(cn) = first_dns.filter(|id| id.value.len() <= MAX_CN_LEN) else {
        return Ok(Name::default());
    };
    let value = Any::new(Tag::Utf8String, cn.value.as_bytes()).map_err(build_error)?;
    let rdn = RelativeDistinguishedName::try_from(vec![AttributeTypeAndValue {
        oid: COMMON_NAME,
        value,
    }])
    .map_err(build_error)?;
    // Name has no public constructor from parts; going through its DER avoids escaping an RFC 4514 string.
    let rdns = RdnSequence::from(vec![rdn]).to_der().map_err(build_error)?;
    Name::from_der(&rdns).map_err(build_error)
}

// ---------------------------------------------------------------------------------------------------------
// Parsing and checking
// ---------------------------------------------------------------------------------------------------------

/// A CSR whose signature has been verified, with the names it asks for. Serialized as the answer of a
/// [`crate::pki::job::Job::ReadCsr`] (bytes as base64url).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ParsedCsr {
    /// The DER of the CSR, as sent to the CA's finalize URL (RFC 8555 §7.4).
    #[serde(with = "crate::b64::serde_bytes")]
    pub der: Vec<u8>,
    /// The subjectAltNames, plus the common name when it is a DNS name not among them; in CSR order.
    pub identifiers: Vec<Identifier>,
    /// The DER SubjectPublicKeyInfo of the CSR's key.
    #[serde(with = "crate::b64::serde_bytes")]
    pub public_key_spki: Vec<u8>,
    /// The CSR key for people, e.g. "ECDSA P-256" or "RSA 2048".
    pub key_description: String,
}

/// Reads a CSR from PEM ("CERTIFICATE REQUEST" or "NEW CERTIFICATE REQUEST") or DER, verifies its
/// self-signature (RFC 2986 §3) and collects the names it requests.
pub fn parse_csr(input: &[u8]) -> Result<ParsedCsr, CsrError> {
    let der = csr_der(input)?;
    let request = CertReq::from_der(&der)
        .map_err(|e| CsrError::NotACsr(crate::t!("the DER does not parse ({why})", why = e)))?;
    let spki = request
        .info
        .public_key
        .to_der()
        .map_err(|e| CsrError::NotACsr(e.to_string()))?;
    let key = CsrKey::from_spki(&spki)?;
    key.verify(
        request.algorithm.oid,
        signed_part(&der)?,
        request.signature.raw_bytes(),
    )?;
    let identifiers = requested_names(&request)?;
    Ok(ParsedCsr {
        der,
        identifiers,
        public_key_spki: spki,
        key_description: key.describe(),
    })
}

impl ParsedCsr {
    /// Checks that the CSR asks for exactly the order's identifiers (RFC 8555 §7.4), naming what differs.
    pub fn check_matches(&self, order: &[Identifier]) -> Result<(), CsrError> {
        let missing = names_not_in(order, &self.identifiers);
        let extra = names_not_in(&self.identifiers, order);
        if missing.is_empty() && extra.is_empty() {
            Ok(())
        } else {
            Err(CsrError::Mismatch { missing, extra })
        }
    }
}

/// The names of `these` that `those` lacks, in the order of `these`, without repeats; DNS names compare
/// case-insensitively (RFC 4343).
fn names_not_in(these: &[Identifier], those: &[Identifier]) -> Vec<String> {
    let key = |id: &Identifier| (id.kind, id.value.to_ascii_lowercase());
    let present: BTreeSet<_> = those.iter().map(key).collect();
    let mut seen = BTreeSet::new();
    these
        .iter()
        .filter(|id| !present.contains(&key(id)) && seen.insert(key(id)))
        .map(|id| id.value.clone())
        .collect()
}

/// The DER of the CSR in `input`: the CSR block of a PEM text, or the input itself.
fn csr_der(input: &[u8]) -> Result<Vec<u8>, CsrError> {
    let text = std::str::from_utf8(input)
        .ok()
        .filter(|t| t.contains("-----BEGIN "));
    let Some(text) = text else {
        if input.first() == Some(&0x30) {
            return Ok(input.to_vec());
        }
        return Err(CsrError::NotACsr(
            crate::t!("expected PEM (\"-----BEGIN CERTIFICATE REQUEST-----\") or DER").into(),
        ));
    };
    let blocks = pem_blocks(text).map_err(CsrError::NotACsr)?;
    let found = blocks.iter().find(|b| {
        matches!(
            b.label.as_str(),
            "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST"
        )
    });
    match (found, blocks.first()) {
        (Some(block), _) => Ok(block.der.to_vec()),
        (None, Some(other)) => Err(CsrError::NotACsr(crate::t!(
            "the PEM holds a \"{label}\" block",
            label = other.label
        ))),
        (None, None) => Err(CsrError::NotACsr(crate::t!("no PEM block found").into())),
    }
}

/// The exact bytes the signature covers: the DER of certificationRequestInfo as it appears in the input.
fn signed_part(der: &[u8]) -> Result<&[u8], CsrError> {
    let outer = AnyRef::from_der(der).map_err(|e| CsrError::NotACsr(e.to_string()))?;
    outer
        .sequence(|reader| {
            let info = reader.tlv_bytes()?;
            reader.tlv_bytes()?;
            reader.tlv_bytes()?;
            Ok::<_, der::Error>(info)
        })
        .map_err(|e| CsrError::NotACsr(e.to_string()))
}

/// The public key of a CSR, in the forms we can verify with.
enum CsrKey {
    P256(p256::ecdsa::VerifyingKey),
    P384(p384::ecdsa::VerifyingKey),
    Rsa(Box<rsa::PublicKey>, usize),
}

impl CsrKey {
    fn from_spki(spki: &[u8]) -> Result<Self, CsrError> {
        let info = spki::SubjectPublicKeyInfoRef::from_der(spki)
            .map_err(|e| CsrError::NotACsr(e.to_string()))?;
        let bad_key = |e: &dyn fmt::Display| {
            CsrError::UnsupportedKey(crate::t!("unreadable ({why})", why = e))
        };
        match info.algorithm.oid {
            ID_EC_PUBLIC_KEY => match info.algorithm.parameters_oid().map_err(|e| bad_key(&e))? {
                SECP_256_R_1 => Ok(CsrKey::P256(
                    p256::ecdsa::VerifyingKey::from_public_key_der(spki)
                        .map_err(|e| bad_key(&e))?,
                )),
                SECP_384_R_1 => Ok(CsrKey::P384(
                    p384::ecdsa::VerifyingKey::from_public_key_der(spki)
                        .map_err(|e| bad_key(&e))?,
                )),
                other => Err(CsrError::UnsupportedKey(format!(
                    "ECDSA {}",
                    curve_name(other)
                ))),
            },
            RSA_ENCRYPTION => {
                let key = rsa::PublicKey::from_public_key_der(spki).map_err(|e| bad_key(&e))?;
                let bits = bit_length(&key.n_bytes());
                if bits < MIN_RSA_BITS {
                    return Err(CsrError::UnsupportedKey(format!("RSA {bits}")));
                }
                Ok(CsrKey::Rsa(Box::new(key), bits))
            }
            other => Err(CsrError::UnsupportedKey(algorithm_name(other))),
        }
    }

    fn describe(&self) -> String {
        match self {
            CsrKey::P256(_) => "ECDSA P-256".into(),
            CsrKey::P384(_) => "ECDSA P-384".into(),
            CsrKey::Rsa(_, bits) => format!("RSA {bits}"),
        }
    }

    /// Verifies the signature with the digest the signature algorithm names.
    fn verify(&self, alg: ObjectIdentifier, signed: &[u8], sig: &[u8]) -> Result<(), CsrError> {
        let digest = match alg {
            ECDSA_WITH_SHA_256 | SHA_256_WITH_RSA_ENCRYPTION => Sha256::digest(signed).to_vec(),
            ECDSA_WITH_SHA_384 | SHA_384_WITH_RSA_ENCRYPTION => Sha384::digest(signed).to_vec(),
            SHA_512_WITH_RSA_ENCRYPTION => Sha512::digest(signed).to_vec(),
            other => {
                return Err(CsrError::UnsupportedSignature(crate::t!(
                    "algorithm {oid}",
                    oid = other
                )))
            }
        };
        let is_ecdsa = matches!(alg, ECDSA_WITH_SHA_256 | ECDSA_WITH_SHA_384);
        let bad = |e: &dyn fmt::Display| CsrError::BadSignature(e.to_string());
        match self {
            CsrKey::P256(key) if is_ecdsa => {
                let sig = p256::ecdsa::Signature::from_der(sig).map_err(|e| bad(&e))?;
                key.verify_prehash(&digest, &sig).map_err(|e| bad(&e))
            }
            CsrKey::P384(key) if is_ecdsa => {
                let sig = p384::ecdsa::Signature::from_der(sig).map_err(|e| bad(&e))?;
                key.verify_prehash(&digest, &sig).map_err(|e| bad(&e))
            }
            CsrKey::Rsa(key, _) if !is_ecdsa => {
                let scheme = match alg {
                    SHA_384_WITH_RSA_ENCRYPTION => Pkcs1v15Sign::new::<Sha384>(),
                    SHA_512_WITH_RSA_ENCRYPTION => Pkcs1v15Sign::new::<Sha512>(),
                    _ => Pkcs1v15Sign::new::<Sha256>(),
                };
                key.verify(scheme, &digest, sig).map_err(|e| bad(&e))
            }
            _ => Err(CsrError::BadSignature(crate::t!(
                "the signature algorithm {oid} does not fit the {key} key",
                oid = alg,
                key = self.describe()
            ))),
        }
    }
}

/// The names a CSR asks for: its subjectAltNames, then the CN if it is a DNS name not among them.
fn requested_names(request: &CertReq) -> Result<Vec<Identifier>, CsrError> {
    let mut names = Vec::new();
    for general in subject_alt_names(request)? {
        let identifier = identifier_from_general_name(&general)?;
        if !names.contains(&identifier) {
            names.push(identifier);
        }
    }
    if let Some(cn) = common_name(&request.info.subject) {
        let as_dns = Identifier::parse(&cn)
            .ok()
            .filter(|id| id.kind == IdentifierKind::Dns);
        if let Some(id) = as_dns.filter(|id| !names.contains(id)) {
            names.push(id);
        }
    }
    if names.is_empty() {
        return Err(CsrError::NoNames);
    }
    Ok(names)
}

/// The GeneralNames of the subjectAltName extension in the extensionRequest attribute (RFC 2985 §5.4.2).
fn subject_alt_names(request: &CertReq) -> Result<Vec<GeneralName>, CsrError> {
    let unreadable = |e: der::Error| {
        CsrError::NotACsr(crate::t!(
            "its extension request is unreadable ({why})",
            why = e
        ))
    };
    let mut names = Vec::new();
    for attribute in request
        .info
        .attributes
        .iter()
        .filter(|a| a.oid == ID_EXTENSION_REQ)
    {
        for value in attribute.values.iter() {
            let extensions = Vec::<Extension>::from_der(&value.to_der().map_err(unreadable)?)
                .map_err(unreadable)?;
            for extension in extensions
                .iter()
                .filter(|e| e.extn_id == ID_CE_SUBJECT_ALT_NAME)
            {
                let san = SubjectAltName::from_der(extension.extn_value.as_bytes())
                    .map_err(unreadable)?;
                names.extend(san.0);
            }
        }
    }
    Ok(names)
}

fn identifier_from_general_name(name: &GeneralName) -> Result<Identifier, CsrError> {
    match name {
        GeneralName::DnsName(dns) => {
            let text = dns.to_string();
            Identifier::parse(&text)
                .ok()
                .filter(|id| id.kind == IdentifierKind::Dns)
                .ok_or_else(|| CsrError::BadIdentifier {
                    name: text,
                    reason: crate::t!("not a valid DNS name").into(),
                })
        }
        GeneralName::IpAddress(octets) => ip_from_octets(octets.as_bytes())
            .map(Identifier::ip)
            .ok_or_else(|| CsrError::BadIdentifier {
                name: format!("{:02x?}", octets.as_bytes()),
                reason: crate::t!("not an IPv4 or IPv6 address").into(),
            }),
        other => Err(CsrError::BadIdentifier {
            name: other_name_text(other),
            reason: crate::t!("ACME certifies only DNS names and IP addresses").into(),
        }),
    }
}

/// A subjectAltName that is neither DNS name nor IP address, as a person would recognize it.
fn other_name_text(name: &GeneralName) -> String {
    match name {
        GeneralName::Rfc822Name(email) => format!("email:{email}"),
        GeneralName::UniformResourceIdentifier(uri) => format!("URI:{uri}"),
        GeneralName::DirectoryName(dn) => format!("dirName:{}", crate::pki::cert::name_text(dn)),
        GeneralName::RegisteredId(oid) => format!("RID:{oid}"),
        GeneralName::OtherName(other) => format!("otherName:{}", other.type_id),
        _ => crate::t!("an EDI party name").into(),
    }
}

/// An iPAddress SAN: 4 octets for IPv4, 16 for IPv6 (RFC 5280 §4.2.1.6).
pub(crate) fn ip_from_octets(octets: &[u8]) -> Option<IpAddr> {
    if let Ok(v4) = <[u8; 4]>::try_from(octets) {
        Some(IpAddr::V4(Ipv4Addr::from(v4)))
    } else if let Ok(v6) = <[u8; 16]>::try_from(octets) {
        Some(IpAddr::V6(Ipv6Addr::from(v6)))
    } else {
        None
    }
}

fn common_name(subject: &Name) -> Option<String> {
    subject
        .common_name()
        .ok()
        .flatten()
        .map(|cn| cn.value().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::test_support::Scratch;
    use crate::pki::key::KeyType;

    fn ids(names: &[&str]) -> Vec<Identifier> {
        names
            .iter()
            .map(|n| Identifier::parse(n).unwrap())
            .collect()
    }

    fn pem(der: &[u8]) -> String {
        der::pem::encode_string("CERTIFICATE REQUEST", der::pem::LineEnding::LF, der).unwrap()
    }

    fn keys(scratch: &Scratch) -> Vec<PrivateKey> {
        scratch.openssl(&["genpkey", "-algorithm", "RSA", "-out", "rsa.pem"]);
        vec![
            PrivateKey::generate(KeyType::P256).unwrap(),
            PrivateKey::generate(KeyType::P384).unwrap(),
            PrivateKey::from_pem(&scratch.read_text("rsa.pem")).unwrap(),
        ]
    }

    #[test]
    fn openssl_accepts_our_csrs() {
        let scratch = Scratch::new("csr-ours");
        let names = ids(&[
            "a.example",
            "b.example",
            "192.0.2.1",
            "2001:db8::1",
            "*.c.example",
        ]);
        for (i, key) in keys(&scratch).into_iter().enumerate() {
            let der = build_csr(&key, &names).unwrap();
            let file = format!("csr{i}.pem");
            scratch.write(&file, pem(&der));
            let verified = scratch.run_openssl(&["req", "-in", &file, "-verify", "-noout"]);
            assert!(
                verified.status.success(),
                "{}: {}",
                key.describe(),
                String::from_utf8_lossy(&verified.stderr)
            );
            let text = scratch.openssl(&["req", "-in", &file, "-noout", "-text"]);
            for expected in [
                "Subject: CN = a.example",
                "DNS:a.example, DNS:b.example, IP Address:192.0.2.1, IP Address:2001:DB8:0:0:0:0:0:1, DNS:*.c.example",
            ] {
                assert!(text.contains(expected), "{} lacks {expected:?}:\n{text}", key.describe());
            }
            let expected_alg = match key.jws_alg() {
                "ES256" => "ecdsa-with-SHA256",
                "ES384" => "ecdsa-with-SHA384",
                _ => "sha256WithRSAEncryption",
            };
            assert!(
                text.contains(&format!("Signature Algorithm: {expected_alg}")),
                "{text}"
            );

            let parsed = parse_csr(&der).unwrap();
            assert_eq!(parsed.identifiers, names);
            assert_eq!(parsed.public_key_spki, key.public_key_spki_der());
            assert_eq!(parsed.key_description, key.describe());
            parsed.check_matches(&names).unwrap();
        }
    }

    #[test]
    fn long_first_name_gives_an_empty_subject_and_a_critical_san() {
        let scratch = Scratch::new("csr-long");
        let long = format!("{}.example", "a".repeat(60));
        let names = ids(&[&long, "192.0.2.7"]);
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let der = build_csr(&key, &names).unwrap();
        scratch.write("long.pem", pem(&der));
        scratch.openssl(&["req", "-in", "long.pem", "-verify", "-noout"]);
        let text = scratch.openssl(&["req", "-in", "long.pem", "-noout", "-text"]);
        assert!(
            text.contains("X509v3 Subject Alternative Name: critical"),
            "{text}"
        );
        assert!(!text.contains("CN ="), "{text}");
        assert_eq!(parse_csr(&der).unwrap().identifiers, names);
        // An IP-only CSR has an empty subject too.
        let ip_only = build_csr(&key, &ids(&["192.0.2.8"])).unwrap();
        assert_eq!(
            parse_csr(&ip_only).unwrap().identifiers,
            ids(&["192.0.2.8"])
        );
    }

    #[test]
    fn reads_and_verifies_openssl_csrs() {
        let scratch = Scratch::new("csr-openssl");
        scratch.genpkey_p256("ec.pem");
        scratch.openssl(&["genpkey", "-algorithm", "RSA", "-out", "rsa.pem"]);
        let san = "subjectAltName=DNS:a.example,DNS:b.example,IP:192.0.2.1";
        let cases = [
            ("ec.pem", "sha256", "ECDSA P-256"),
            ("rsa.pem", "sha256", "RSA 2048"),
            ("rsa.pem", "sha384", "RSA 2048"),
            ("ec.pem", "sha384", "ECDSA P-256"),
        ];
        for (key_file, digest, description) in cases {
            let out = format!("{key_file}-{digest}.csr");
            let digest_flag = format!("-{digest}");
            scratch.openssl(&[
                "req",
                "-new",
                "-key",
                key_file,
                &digest_flag,
                "-subj",
                "/CN=a.example",
                "-addext",
                san,
                "-out",
                &out,
            ]);
            let parsed = parse_csr(&scratch.read(&out)).unwrap_or_else(|e| panic!("{out}: {e}"));
            assert_eq!(
                parsed.identifiers,
                ids(&["a.example", "b.example", "192.0.2.1"]),
                "{out}"
            );
            assert_eq!(parsed.key_description, description);
            let key = PrivateKey::from_pem(&scratch.read_text(key_file)).unwrap();
            assert_eq!(parsed.public_key_spki, key.public_key_spki_der());
            // DER works too.
            scratch.openssl(&["req", "-in", &out, "-outform", "DER", "-out", "csr.der"]);
            assert_eq!(parse_csr(&scratch.read("csr.der")).unwrap(), parsed);
        }
        // A CN that is not among the SANs counts as a name; a CSR with only a CN works.
        scratch.openssl(&[
            "req",
            "-new",
            "-key",
            "ec.pem",
            "-subj",
            "/CN=Www.Example.ORG",
            "-out",
            "cn.csr",
        ]);
        assert_eq!(
            parse_csr(&scratch.read("cn.csr")).unwrap().identifiers,
            ids(&["www.example.org"])
        );
        // A CN that is not a DNS name, and no SAN: nothing to certify.
        scratch.openssl(&[
            "req",
            "-new",
            "-key",
            "ec.pem",
            "-subj",
            "/CN=My Server",
            "-out",
            "none.csr",
        ]);
        assert_eq!(
            parse_csr(&scratch.read("none.csr")).unwrap_err(),
            CsrError::NoNames
        );
        // The legacy "NEW CERTIFICATE REQUEST" label.
        let legacy = scratch
            .read_text("cn.csr")
            .replace("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
        assert_eq!(
            parse_csr(legacy.as_bytes()).unwrap().identifiers,
            ids(&["www.example.org"])
        );
    }

    #[test]
    fn refuses_tampered_and_foreign_input() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let der = build_csr(&key, &ids(&["a.example"])).unwrap();
        let mut bad_signature = der.clone();
        let last = bad_signature.len() - 1;
        bad_signature[last] ^= 0x01;
        assert!(matches!(
            parse_csr(&bad_signature),
            Err(CsrError::BadSignature(_))
        ));
        // Changing a name (a.example → b.example) breaks the signature too.
        let position = der.windows(9).position(|w| w == b"a.example").unwrap();
        let mut renamed = der.clone();
        renamed[position] = b'b';
        assert!(matches!(
            parse_csr(&renamed),
            Err(CsrError::BadSignature(_))
        ));

        assert!(matches!(parse_csr(b"garbage"), Err(CsrError::NotACsr(_))));
        assert!(matches!(parse_csr(b""), Err(CsrError::NotACsr(_))));
        assert!(matches!(
            parse_csr(&[0x30, 0x00]),
            Err(CsrError::NotACsr(_))
        ));
        let err = parse_csr(key.to_pkcs8_pem().as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "this is not a certificate signing request: the PEM holds a \"PRIVATE KEY\" block"
        );
        for len in 0..der.len() {
            assert!(parse_csr(&der[..len]).is_err(), "truncated to {len}");
        }
    }

    #[test]
    fn refuses_names_a_csr_cannot_carry() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        assert_eq!(build_csr(&key, &[]).unwrap_err(), CsrError::NoIdentifiers);
        let err = build_csr(&key, &[Identifier::dns("bücher.example")]).unwrap_err();
        assert!(err.to_string().contains("must be ASCII"), "{err}");
        let bad_ip = Identifier {
            kind: IdentifierKind::Ip,
            value: "999.1.1.1".into(),
        };
        assert!(matches!(
            build_csr(&key, &[bad_ip]),
            Err(CsrError::BadIdentifier { .. })
        ));
    }

    #[test]
    fn refuses_csrs_for_names_or_keys_a_ca_would_not_take() {
        let scratch = Scratch::new("csr-unsupported");
        scratch.genpkey_p256("ec.pem");
        let san = "subjectAltName=DNS:a.example,email:me@a.example";
        scratch.openssl(&[
            "req",
            "-new",
            "-key",
            "ec.pem",
            "-subj",
            "/CN=a.example",
            "-addext",
            san,
            "-out",
            "email.csr",
        ]);
        let err = parse_csr(&scratch.read("email.csr")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the name \"email:me@a.example\" cannot be used in a CSR: ACME certifies only DNS names and IP addresses"
        );
        scratch.openssl(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-out",
            "p521.pem",
        ]);
        scratch.openssl(&[
            "req",
            "-new",
            "-key",
            "p521.pem",
            "-subj",
            "/CN=a.example",
            "-out",
            "p521.csr",
        ]);
        let err = parse_csr(&scratch.read("p521.csr")).unwrap_err();
        assert_eq!(
            err,
            CsrError::UnsupportedKey("ECDSA secp521r1 (P-521)".into())
        );
        scratch.openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
            "-out",
            "rsa1024.pem",
        ]);
        scratch.openssl(&[
            "req",
            "-new",
            "-key",
            "rsa1024.pem",
            "-subj",
            "/CN=a.example",
            "-out",
            "rsa1024.csr",
        ]);
        let err = parse_csr(&scratch.read("rsa1024.csr")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the CSR's key (RSA 1024) is not supported; use ECDSA P-256, P-384 or RSA of at least 2048 bits"
        );
    }

    #[test]
    fn check_matches_names_the_differences() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let parsed =
            parse_csr(&build_csr(&key, &ids(&["a.example", "b.example", "192.0.2.1"])).unwrap())
                .unwrap();
        parsed
            .check_matches(&ids(&["192.0.2.1", "b.example", "a.example"]))
            .unwrap();
        let err = parsed
            .check_matches(&ids(&["a.example", "c.example"]))
            .unwrap_err();
        assert_eq!(
            err,
            CsrError::Mismatch {
                missing: vec!["c.example".into()],
                extra: vec!["b.example".into(), "192.0.2.1".into()]
            }
        );
        assert_eq!(
            err.to_string(),
            "the CSR does not match the order: the CSR lacks c.example; the CSR also asks for b.example, 192.0.2.1, \
             which the order does not include"
        );
    }
}
