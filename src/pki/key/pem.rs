//! Reading PEM (RFC 7468): finding the blocks in pasted text, and the private keys among them, PKCS#8
//! "PRIVATE KEY", SEC1 "EC PRIVATE KEY" and PKCS#1 "RSA PRIVATE KEY". The legacy RFC 1421 headers are
//! read only to recognize an encrypted key.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use der::zeroize::Zeroizing;

use super::{KeyError, PrivateKey};

/// One PEM block found in a text (RFC 7468 §2), with its label and decoded contents.
pub(crate) struct PemBlock {
    pub(crate) label: String,
    /// Legacy RFC 1421 headers such as "Proc-Type: 4,ENCRYPTED" (used by OpenSSL's encrypted PKCS#1/SEC1).
    pub(crate) headers: Vec<String>,
    pub(crate) der: Zeroizing<Vec<u8>>,
}

/// Finds every PEM block in `text`, tolerating surrounding text, indentation, CRLF and odd line widths
/// (people paste keys from emails and terminals). Decoding the base64 is left to the base64 crate.
pub(crate) fn pem_blocks(text: &str) -> Result<Vec<PemBlock>, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|rest| rest.strip_suffix("-----"))
        else {
            continue;
        };
        blocks.push(read_pem_body(label, &mut lines)?);
    }
    Ok(blocks)
}

fn read_pem_body<'a>(
    label: &str,
    lines: &mut impl Iterator<Item = &'a str>,
) -> Result<PemBlock, String> {
    let end = format!("-----END {label}-----");
    let mut headers = Vec::new();
    let mut body = Zeroizing::new(String::new());
    for line in lines.by_ref() {
        if line == end {
            let der = STANDARD.decode(body.as_bytes()).map_err(|e| {
                crate::t!(
                    "the PEM block \"{label}\" is not valid base64 ({why})",
                    label = label,
                    why = e
                )
            })?;
            return Ok(PemBlock {
                label: label.to_string(),
                headers,
                der: Zeroizing::new(der),
            });
        }
        if line.contains(':') {
            headers.push(line.to_string());
        } else {
            body.extend(line.chars().filter(|c| !c.is_whitespace()));
        }
    }
    Err(crate::t!(
        "the PEM block \"{label}\" has no \"{end}\" line; the file may be cut short",
        label = label,
        end = end
    ))
}

/// What a PEM label says the block is, for the "this PEM holds …, not a private key" message.
fn describe_pem_label(label: &str) -> String {
    match label {
        "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
            crate::t!("a certificate").into()
        }
        "CERTIFICATE REQUEST" | "NEW CERTIFICATE REQUEST" => {
            crate::t!("a certificate signing request").into()
        }
        "PUBLIC KEY" | "RSA PUBLIC KEY" | "EC PUBLIC KEY" => crate::t!("only a public key").into(),
        "EC PARAMETERS" => crate::t!("only EC parameters").into(),
        "X509 CRL" => crate::t!("a certificate revocation list").into(),
        other => crate::t!("a \"{label}\" block", label = other),
    }
}

impl PrivateKey {
    /// Reads a PEM private key: PKCS#8 "PRIVATE KEY", SEC1 "EC PRIVATE KEY" or PKCS#1 "RSA PRIVATE KEY".
    /// Other blocks in the text (a certificate next to the key, EC parameters) are ignored.
    pub fn from_pem(text: &str) -> Result<Self, KeyError> {
        let malformed = |detail: String| KeyError::Malformed {
            format: "PEM",
            detail,
        };
        let blocks = pem_blocks(text).map_err(malformed)?;
        let mut keys = blocks.iter().filter(|b| is_private_key_label(&b.label));
        let Some(block) = keys.next() else {
            return Err(match blocks.first() {
                Some(first) => KeyError::NotAPrivateKey { format: "PEM", found: describe_pem_label(&first.label) },
                None => KeyError::Unrecognized(
                    crate::t!(
                        "no PEM block found; a PEM key starts with a line like \"-----BEGIN PRIVATE KEY-----\""
                    )
                    .into(),
                ),
            });
        };
        if keys.next().is_some() {
            return Err(malformed(
                crate::t!("the text holds more than one private key; give one at a time").into(),
            ));
        }
        Self::from_pem_block(block)
    }

    fn from_pem_block(block: &PemBlock) -> Result<Self, KeyError> {
        if block
            .headers
            .iter()
            .any(|h| h.to_ascii_uppercase().contains("ENCRYPTED"))
        {
            return Err(KeyError::Encrypted);
        }
        match block.label.as_str() {
            "PRIVATE KEY" => Self::from_pkcs8_der(&block.der),
            "EC PRIVATE KEY" => Self::from_sec1_der(&block.der),
            "RSA PRIVATE KEY" => Self::from_pkcs1_der(&block.der),
            "ENCRYPTED PRIVATE KEY" => Err(KeyError::Encrypted),
            "OPENSSH PRIVATE KEY" => Err(KeyError::UnsupportedAlgorithm(
                crate::t!(
                    "OpenSSH private key format (convert it with `ssh-keygen -p -m PKCS8 -f <file>`)"
                )
                .into(),
            )),
            "DSA PRIVATE KEY" => Err(KeyError::UnsupportedAlgorithm("DSA".into())),
            other => Err(KeyError::UnsupportedAlgorithm(format!("\"{other}\""))),
        }
    }
}

fn is_private_key_label(label: &str) -> bool {
    label.ends_with("PRIVATE KEY")
}

#[cfg(test)]
mod tests {
    use crate::pki::key::test_support::Scratch;
    use crate::pki::key::{KeyType, PrivateKey};

    #[test]
    fn tolerates_surrounding_text_crlf_and_indentation() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let pasted = format!(
            "Here is the key you asked for:\r\n\r\n{}\r\nBest regards\r\n",
            key.to_pkcs8_pem()
                .lines()
                .map(|l| format!("    {l}  "))
                .collect::<Vec<_>>()
                .join("\r\n")
        );
        assert_eq!(PrivateKey::parse(pasted.as_bytes()).unwrap(), key);
        // One long base64 line, as some web forms produce.
        let body: String = key
            .to_pkcs8_pem()
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .collect();
        let joined = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----");
        assert_eq!(PrivateKey::from_pem(&joined).unwrap(), key);
        // A key with its EC parameters first, as `openssl ecparam -genkey` writes without -noout.
        let with_params = format!(
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n{}",
            key.to_sec1_pem().unwrap().unwrap()
        );
        assert_eq!(PrivateKey::from_pem(&with_params).unwrap(), key);
        let two = format!("{}{}", key.to_pkcs8_pem(), key.to_pkcs8_pem());
        assert!(PrivateKey::from_pem(&two)
            .unwrap_err()
            .to_string()
            .contains("more than one private key"));
    }
    #[test]
    fn reads_the_key_out_of_a_combined_certificate_and_key_file() {
        let scratch = Scratch::new("combined");
        scratch.self_signed_p256("k.pem", "c.pem", "/CN=x.example", 1, &[]);
        let combined = format!(
            "{}{}",
            scratch.read_text("c.pem"),
            scratch.read_text("k.pem")
        );
        assert_eq!(
            PrivateKey::from_pem(&combined).unwrap(),
            PrivateKey::from_pem(&scratch.read_text("k.pem")).unwrap()
        );
    }
}
