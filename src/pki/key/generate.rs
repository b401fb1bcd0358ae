//! The kinds of key we make ([`KeyType`]), making them from the operating system's randomness, and
//! describing any key, generated or imported. The types are the ones every ACME CA accepts (RFC 8555 §6.2:
//! ES256 and RS256; ES384 is also common) with RSA sizes from the CA/Browser Forum Baseline Requirements
//! §6.1.5; the JWS names are those of RFC 7518 §3.1.

use std::fmt;
use std::str::FromStr;

use super::{Inner, KeyError, PrivateKey, Shape};

/// The kinds of key we generate. Imported RSA keys may have other sizes; see [`PrivateKey::describe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyType {
    P256,
    P384,
    Rsa2048,
    Rsa3072,
    Rsa4096,
}

crate::json::wire_names!(KeyType {
    P256 = "p256",
    P384 = "p384",
    Rsa2048 = "rsa2048",
    Rsa3072 = "rsa3072",
    Rsa4096 = "rsa4096",
});

impl KeyType {
    /// Every key type, in the order a UI should offer them (the recommended one first).
    pub const ALL: [KeyType; 5] = [
        KeyType::P256,
        KeyType::P384,
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
    ];

    /// A name for people, e.g. "ECDSA P-256".
    pub fn label(self) -> &'static str {
        match self {
            KeyType::P256 => "ECDSA P-256",
            KeyType::P384 => "ECDSA P-384",
            KeyType::Rsa2048 => "RSA 2048",
            KeyType::Rsa3072 => "RSA 3072",
            KeyType::Rsa4096 => "RSA 4096",
        }
    }

    /// The short, stable name used in settings and serialization, e.g. "p256".
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::P256 => "p256",
            KeyType::P384 => "p384",
            KeyType::Rsa2048 => "rsa2048",
            KeyType::Rsa3072 => "rsa3072",
            KeyType::Rsa4096 => "rsa4096",
        }
    }

    /// The JWS algorithm a key of this type signs with (RFC 7518 §3.1).
    pub fn jws_alg(self) -> &'static str {
        match self {
            KeyType::P256 => "ES256",
            KeyType::P384 => "ES384",
            _ => "RS256",
        }
    }

    /// The RSA modulus size, for the RSA types.
    pub fn rsa_bits(self) -> Option<usize> {
        match self {
            KeyType::Rsa2048 => Some(2048),
            KeyType::Rsa3072 => Some(3072),
            KeyType::Rsa4096 => Some(4096),
            _ => None,
        }
    }
}

impl fmt::Display for KeyType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyType {
    type Err = KeyError;

    /// Accepts the usual spellings: "p256", "P-256", "ec256", "ES256", "secp256r1", "prime256v1",
    /// "rsa2048", "RSA-2048", "rsa_4096", …
    fn from_str(text: &str) -> Result<Self, KeyError> {
        let squashed: String = text
            .trim()
            .chars()
            .filter(|c| !matches!(c, '-' | '_' | ' '))
            .collect::<String>()
            .to_ascii_lowercase();
        match squashed.as_str() {
            "p256" | "ec256" | "ecp256" | "ecdsap256" | "es256" | "secp256r1" | "prime256v1" => {
                Ok(KeyType::P256)
            }
            "p384" | "ec384" | "ecp384" | "ecdsap384" | "es384" | "secp384r1" => Ok(KeyType::P384),
            "rsa2048" | "rsa2k" => Ok(KeyType::Rsa2048),
            "rsa3072" | "rsa3k" => Ok(KeyType::Rsa3072),
            "rsa4096" | "rsa4k" => Ok(KeyType::Rsa4096),
            _ => Err(KeyError::UnknownKeyType(text.trim().to_string())),
        }
    }
}

impl PrivateKey {
    /// Generates a fresh key from the operating system's randomness (getrandom; in the jobs module,
    /// `crypto.getRandomValues`). The page's keys come from WebCrypto instead (src/web/webcrypto.rs).
    pub fn generate(kind: KeyType) -> Result<Self, KeyError> {
        use elliptic_curve::Generate;
        let failed = |e: &dyn fmt::Display| KeyError::Generation(e.to_string());
        let inner = if let Some(bits) = kind.rsa_bits() {
            let key = rsa::PrivateKey::new(&mut getrandom::SysRng, bits).map_err(|e| failed(&e))?;
            Inner::Rsa(Box::new(key))
        } else if kind == KeyType::P384 {
            Inner::P384(p384::ecdsa::SigningKey::try_generate().map_err(|e| failed(&e))?)
        } else {
            Inner::P256(p256::ecdsa::SigningKey::try_generate().map_err(|e| failed(&e))?)
        };
        Self::from_inner(inner)
    }

    /// The generation type this key corresponds to; `None` for an imported RSA key of an unusual size.
    pub fn key_type(&self) -> Option<KeyType> {
        match self.shape {
            Shape::P256 => Some(KeyType::P256),
            Shape::P384 => Some(KeyType::P384),
            Shape::Rsa { bits: 2048 } => Some(KeyType::Rsa2048),
            Shape::Rsa { bits: 3072 } => Some(KeyType::Rsa3072),
            Shape::Rsa { bits: 4096 } => Some(KeyType::Rsa4096),
            Shape::Rsa { .. } => None,
        }
    }

    /// The key size in bits: the curve size for ECDSA, the modulus size for RSA.
    pub fn bits(&self) -> usize {
        self.shape.bits()
    }

    /// A name for people, e.g. "ECDSA P-256" or "RSA 2048"; works for RSA keys of any size.
    pub fn describe(&self) -> String {
        match self.key_type() {
            Some(kind) => kind.label().to_string(),
            None => format!("RSA {}", self.bits()),
        }
    }

    /// The JWS `alg` this key signs with (RFC 7518 §3.1; RFC 8555 §6.2 requires ES256 or RS256 support).
    pub fn jws_alg(&self) -> &'static str {
        match self.shape {
            Shape::P256 => "ES256",
            Shape::P384 => "ES384",
            Shape::Rsa { .. } => "RS256",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::test_support::{openssl_key, Scratch};
    use serde_json::json;

    #[test]
    fn key_type_names() {
        for (text, kind) in [
            ("p256", KeyType::P256),
            ("P-256", KeyType::P256),
            ("ec256", KeyType::P256),
            ("ES256", KeyType::P256),
            ("prime256v1", KeyType::P256),
            ("p-384", KeyType::P384),
            ("secp384r1", KeyType::P384),
            ("rsa2048", KeyType::Rsa2048),
            ("RSA-3072", KeyType::Rsa3072),
            (" rsa_4096 ", KeyType::Rsa4096),
        ] {
            assert_eq!(text.parse::<KeyType>().unwrap(), kind, "{text}");
        }
        let err = "p521".parse::<KeyType>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown key type \"p521\"; use one of p256, p384, rsa2048, rsa3072, rsa4096"
        );
        for kind in KeyType::ALL {
            assert_eq!(kind.to_string().parse::<KeyType>().unwrap(), kind);
            assert_eq!(serde_json::to_value(kind).unwrap(), json!(kind.to_string()));
            assert_eq!(
                serde_json::from_value::<KeyType>(json!(kind.as_str())).unwrap(),
                kind
            );
        }
        assert_eq!(KeyType::P256.label(), "ECDSA P-256");
        assert_eq!(KeyType::Rsa4096.jws_alg(), "RS256");
    }
    #[test]
    fn describes_keys() {
        let scratch = Scratch::new("describe");
        let (odd, _) = openssl_key(
            &scratch,
            "odd.pem",
            &[
                "genpkey",
                "-algorithm",
                "RSA",
                "-pkeyopt",
                "rsa_keygen_bits:2304",
            ],
        );
        assert_eq!(odd.key_type(), None);
        assert_eq!(odd.describe(), "RSA 2304");
        assert_eq!(odd.bits(), 2304);
        assert_eq!(odd.jws_alg(), "RS256");
        let p384 = PrivateKey::generate(KeyType::P384).unwrap();
        assert_eq!(
            (p384.key_type(), p384.describe(), p384.bits()),
            (Some(KeyType::P384), "ECDSA P-384".into(), 384)
        );
    }
    /// A measurement, not a benchmark assertion: prints how long EC key generation takes in this build.
    /// RSA numbers come from `cargo run --release --example keygen_bench`.
    #[test]
    fn measures_ec_key_generation() {
        for kind in [KeyType::P256, KeyType::P384] {
            let start = std::time::Instant::now();
            let rounds = 5;
            for _ in 0..rounds {
                PrivateKey::generate(kind).unwrap();
            }
            eprintln!(
                "{}: {:?} per key (unoptimized test build)",
                kind.label(),
                start.elapsed() / rounds
            );
        }
    }
}
