//! Reading a key from whatever a person dropped: PEM (RFC 7468), JWK JSON (RFC 7517), DER, or the base64
//! of DER, told apart by their first bytes and handed to the reader for that format.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use der::zeroize::Zeroizing;

use super::{KeyError, PrivateKey};
use crate::b64;

impl PrivateKey {
    /// Reads a key from a file a person dropped, whatever its format: PEM, JWK JSON, DER, or the base64 of
    /// DER (which is also how a [`PrivateKey`] serializes).
    pub fn parse(input: &[u8]) -> Result<Self, KeyError> {
        let text = std::str::from_utf8(input)
            .ok()
            .map(|t| t.trim_start_matches('\u{feff}').trim());
        match text {
            _ if input.iter().all(u8::is_ascii_whitespace) => Err(KeyError::Unrecognized(
                crate::t!("the input is empty").into(),
            )),
            Some(t) if t.contains("-----BEGIN ") => Self::from_pem(t),
            Some(t) if t.starts_with('{') => Self::from_jwk(t),
            Some(t) if looks_like_base64(t) => Self::from_base64_der(t),
            _ if input.first() == Some(&0x30) => Self::from_der(input),
            _ => Err(KeyError::Unrecognized(
                crate::t!(
                    "not a private key in any format we know (PEM, DER PKCS#8/SEC1/PKCS#1, or JWK)"
                )
                .into(),
            )),
        }
    }

    fn from_base64_der(text: &str) -> Result<Self, KeyError> {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        let der = b64::decode(&compact)
            .or_else(|_| STANDARD.decode(&compact))
            .map_err(|_| {
                KeyError::Unrecognized(crate::t!("the text is neither PEM, JWK nor base64").into())
            })?;
        Self::from_der(&Zeroizing::new(der))
    }
}

fn looks_like_base64(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(c, '+' | '/' | '-' | '_' | '=')
                || c.is_whitespace()
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::test_support::{openssl_key, Scratch};
    use crate::pki::key::{pem_blocks, KeyType};

    fn expect_error(input: &[u8]) -> KeyError {
        match PrivateKey::parse(input) {
            Ok(key) => panic!("accepted as {}", key.describe()),
            Err(e) => e,
        }
    }
    #[test]
    fn refuses_what_is_not_a_usable_private_key() {
        let scratch = Scratch::new("refuse");
        let run = |args: &[&str]| {
            scratch.openssl(args);
        };
        scratch.self_signed_p256("k.pem", "c.pem", "/CN=x.example", 1, &[]);
        run(&["x509", "-in", "c.pem", "-outform", "DER", "-out", "c.der"]);
        run(&[
            "req",
            "-new",
            "-key",
            "k.pem",
            "-subj",
            "/CN=x.example",
            "-out",
            "r.pem",
        ]);
        run(&["pkey", "-in", "k.pem", "-pubout", "-out", "pub.pem"]);
        run(&[
            "pkey", "-in", "k.pem", "-pubout", "-outform", "DER", "-out", "pub.der",
        ]);
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-aes256",
            "-pass",
            "pass:secret",
            "-out",
            "enc.pem",
        ]);
        run(&[
            "ec",
            "-in",
            "k.pem",
            "-aes128",
            "-passout",
            "pass:secret",
            "-out",
            "legacy-enc.pem",
        ]);
        run(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:1024",
            "-out",
            "rsa1024.pem",
        ]);
        run(&[
            "genrsa",
            "-traditional",
            "-out",
            "rsa1024-pkcs1.pem",
            "1024",
        ]);
        run(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-521",
            "-out",
            "p521.pem",
        ]);
        run(&[
            "ecparam",
            "-genkey",
            "-name",
            "secp521r1",
            "-noout",
            "-out",
            "p521-sec1.pem",
        ]);
        run(&[
            "ecparam",
            "-genkey",
            "-name",
            "secp256k1",
            "-noout",
            "-out",
            "k1-sec1.pem",
        ]);
        run(&["genpkey", "-algorithm", "ed25519", "-out", "ed.pem"]);

        let file = |name: &str| scratch.read(name);
        let text = |e: KeyError| e.to_string();
        assert_eq!(
            text(expect_error(&file("c.pem"))),
            "this PEM holds a certificate, not a private key"
        );
        assert_eq!(
            text(expect_error(&file("c.der"))),
            "this DER file holds a certificate, not a private key"
        );
        assert_eq!(
            text(expect_error(&file("r.pem"))),
            "this PEM holds a certificate signing request, not a private key"
        );
        assert_eq!(
            text(expect_error(&file("pub.pem"))),
            "this PEM holds only a public key, not a private key"
        );
        assert_eq!(
            text(expect_error(&file("pub.der"))),
            "this DER file holds only a public key, not a private key"
        );
        assert_eq!(expect_error(&file("enc.pem")), KeyError::Encrypted);
        assert_eq!(expect_error(&file("legacy-enc.pem")), KeyError::Encrypted);
        let encrypted_der = pem_blocks(&scratch.read_text("enc.pem"))
            .unwrap()
            .remove(0)
            .der;
        assert_eq!(expect_error(&encrypted_der), KeyError::Encrypted);
        assert_eq!(
            expect_error(&file("rsa1024.pem")),
            KeyError::RsaTooSmall { bits: 1024 }
        );
        assert_eq!(
            expect_error(&file("rsa1024-pkcs1.pem")),
            KeyError::RsaTooSmall { bits: 1024 }
        );
        assert_eq!(
            text(expect_error(&file("rsa1024.pem"))),
            "this RSA key has only 1024 bits; at least 2048 are required"
        );
        for name in ["p521.pem", "p521-sec1.pem"] {
            assert_eq!(
                text(expect_error(&file(name))),
                "unsupported curve secp521r1 (P-521); use P-256, P-384 or RSA",
                "{name}"
            );
        }
        assert_eq!(
            expect_error(&file("k1-sec1.pem")),
            KeyError::UnsupportedCurve("secp256k1".into())
        );
        assert_eq!(
            text(expect_error(&file("ed.pem"))),
            "unsupported key type Ed25519; use ECDSA P-256, P-384 or RSA"
        );

        assert!(matches!(expect_error(b""), KeyError::Unrecognized(_)));
        assert!(matches!(expect_error(b"  \n"), KeyError::Unrecognized(_)));
        assert!(matches!(
            expect_error(b"\x01\x02\xffhello"),
            KeyError::Unrecognized(_)
        ));
        assert!(matches!(
            expect_error(b"hello world, this is not a key!"),
            KeyError::Unrecognized(_)
        ));
        assert!(matches!(
            expect_error(&[0x30, 0x03, 0x02, 0x01, 0x00]),
            KeyError::Unrecognized(_)
        ));
        let truncated: String = scratch
            .read_text("k.pem")
            .lines()
            .take(3)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(text(expect_error(truncated.as_bytes()))
            .contains("has no \"-----END PRIVATE KEY-----\" line"));
        let bad_base64 = "-----BEGIN PRIVATE KEY-----\nnot*base64!\n-----END PRIVATE KEY-----\n";
        assert!(text(expect_error(bad_base64.as_bytes())).contains("not valid base64"));
    }
    #[test]
    fn damaged_keys_are_refused_without_panicking() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let der = key.to_pkcs8_der();
        for len in 0..der.len() {
            assert!(
                PrivateKey::parse(&der[..len]).is_err(),
                "truncated to {len}"
            );
        }
        for i in 0..der.len() {
            let mut flipped = der.clone();
            flipped[i] ^= 0xff;
            let _ = PrivateKey::parse(&flipped);
        }
        let scratch = Scratch::new("damaged");
        let (rsa, _) = openssl_key(&scratch, "r.pem", &["genrsa", "-traditional", "2048"]);
        let pkcs8 = rsa.to_pkcs8_der();
        for len in (0..pkcs8.len()).step_by(7) {
            assert!(
                PrivateKey::parse(&pkcs8[..len]).is_err(),
                "truncated to {len}"
            );
        }
    }
}
