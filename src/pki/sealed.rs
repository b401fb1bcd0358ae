//! A private key sealed with a passphrase, so that it can rest in browser storage: a PKCS#8
//! `EncryptedPrivateKeyInfo` (RFC 5958 §3) with PBES2 (RFC 8018 §6.2): PBKDF2-HMAC-SHA256 over the UTF-8
//! passphrase with a random salt, then AES-256-CBC with a random IV.
//!
//! It is the format `openssl pkcs8 -topk8 -v2 aes-256-cbc -v2prf hmacWithSHA256` writes and `openssl pkey`
//! reads, so a sealed key downloaded from the page opens with the usual tools, and the PKCS#12 writer
//! ([`crate::pki::pfx`]) uses the same encryption for its shrouded key bag.

use std::fmt;

use der::asn1::OctetString;
use der::zeroize::Zeroizing;
use der::{Decode, Encode, Sequence, Tagged};
use pkcs5::pbes2;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use spki::AlgorithmIdentifierOwned;

use crate::b64;
use crate::pki::key::PrivateKey;

/// PBKDF2-HMAC-SHA256 iterations for a sealed key: OWASP's current figure for that PRF (600 000). Opening
/// takes well under a second in a browser, once per visit.
pub const SEAL_ITERATIONS: u32 = 600_000;

/// The most PBKDF2 iterations we agree to run when opening a key sealed elsewhere: a damaged or hostile
/// file must not freeze the page for minutes.
pub const MAX_OPEN_ITERATIONS: u32 = 10_000_000;

/// The shortest passphrase [`SealedKey::seal`] accepts.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

const SALT_LEN: usize = 16;
const IV_LEN: usize = 16;

/// Why a key could not be sealed or opened.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SealError {
    #[error(
        "{}",
        crate::t!(
            "the passphrase is too short: use at least {min} characters",
            min = MIN_PASSPHRASE_CHARS
        )
    )]
    PassphraseTooShort,
    /// Decryption failed or gave something that is not a private key: with PBES2 the two cannot be told
    /// apart, and a wrong passphrase is by far the likelier cause.
    #[error("{}", crate::t!("that passphrase does not open this key"))]
    WrongPassphrase,
    #[error("{}", crate::t!("the sealed key is damaged: {why}", why = .0))]
    Malformed(String),
    #[error(
        "{}",
        crate::t!("the sealed key uses an encryption this page does not read: {encryption}", encryption = .0)
    )]
    Unsupported(String),
    #[error("{}", crate::t!("no randomness available to seal the key: {why}", why = .0))]
    Random(String),
    /// Encrypting or encoding failed (should not happen).
    #[error("{}", crate::t!("could not seal the key: {why}", why = .0))]
    Encryption(String),
}

impl From<der::Error> for SealError {
    fn from(e: der::Error) -> Self {
        SealError::Encryption(e.to_string())
    }
}

/// PKCS#8 `EncryptedPrivateKeyInfo` (RFC 5958 §3). (pkcs8's own type needs its `encryption` feature,
/// which brings a second random-number stack; the `der` derive is enough.)
#[derive(Sequence)]
pub(crate) struct EncryptedPrivateKeyInfo {
    pub encryption_algorithm: AlgorithmIdentifierOwned,
    pub encrypted_data: OctetString,
}

/// A private key encrypted under a passphrase. Serializes (serde) as the base64url of its DER; `Debug`
/// shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct SealedKey {
    der: Vec<u8>,
}

impl SealedKey {
    /// Encrypts `key` under `passphrase` (at least [`MIN_PASSPHRASE_CHARS`] characters). Takes
    /// [`SEAL_ITERATIONS`] rounds of PBKDF2: a noticeable moment, so a UI shows that it is working.
    pub fn seal(key: &PrivateKey, passphrase: &str) -> Result<Self, SealError> {
        if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
            return Err(SealError::PassphraseTooShort);
        }
        let pkcs8 = Zeroizing::new(key.to_pkcs8_der());
        let (encryption_algorithm, ciphertext) = pbes2_encrypt(passphrase.as_bytes(), &pkcs8)?;
        let info = EncryptedPrivateKeyInfo {
            encryption_algorithm,
            encrypted_data: OctetString::new(ciphertext)?,
        };
        Ok(SealedKey {
            der: info.to_der()?,
        })
    }

    /// Reads a sealed key from DER or from PEM ("ENCRYPTED PRIVATE KEY").
    pub fn parse(input: &[u8]) -> Result<Self, SealError> {
        let der = match std::str::from_utf8(input) {
            Ok(text) if text.contains("-----BEGIN") => {
                let (label, der) = der::pem::decode_vec(text.trim().as_bytes())
                    .map_err(|e| SealError::Malformed(e.to_string()))?;
                if label != "ENCRYPTED PRIVATE KEY" {
                    return Err(SealError::Malformed(crate::t!(
                        "a PEM \"{label}\" block, not \"ENCRYPTED PRIVATE KEY\"",
                        label = label
                    )));
                }
                der
            }
            _ => input.to_vec(),
        };
        EncryptedPrivateKeyInfo::from_der(&der).map_err(|e| SealError::Malformed(e.to_string()))?;
        Ok(SealedKey { der })
    }

    /// Decrypts the key. Refuses a KDF we do not run (scrypt, PBES1) and a PBKDF2 count over
    /// [`MAX_OPEN_ITERATIONS`] before doing any work.
    pub fn open(&self, passphrase: &str) -> Result<PrivateKey, SealError> {
        let info = EncryptedPrivateKeyInfo::from_der(&self.der)
            .map_err(|e| SealError::Malformed(e.to_string()))?;
        let scheme_der = info.encryption_algorithm.to_der()?;
        let scheme = pkcs5::EncryptionScheme::from_der(&scheme_der)
            .map_err(|e| SealError::Unsupported(e.to_string()))?;
        check_kdf(&scheme)?;
        let plain = Zeroizing::new(
            scheme
                .decrypt(passphrase.as_bytes(), info.encrypted_data.as_bytes())
                .map_err(|_| SealError::WrongPassphrase)?,
        );
        PrivateKey::from_der(&plain).map_err(|_| SealError::WrongPassphrase)
    }

    /// The sealed key as PEM ("ENCRYPTED PRIVATE KEY", RFC 7468 §11), for a file the person keeps.
    pub fn to_pem(&self) -> String {
        der::pem::encode_string("ENCRYPTED PRIVATE KEY", der::pem::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }
}

/// Only PBES2 with PBKDF2, at a bounded count, is opened.
fn check_kdf(scheme: &pkcs5::EncryptionScheme) -> Result<(), SealError> {
    let pkcs5::EncryptionScheme::Pbes2(params) = scheme else {
        return Err(SealError::Unsupported(
            crate::t!("PBES1 (a legacy scheme)").into(),
        ));
    };
    match &params.kdf {
        pbes2::Kdf::Pbkdf2(kdf) if kdf.iteration_count > MAX_OPEN_ITERATIONS => {
            Err(SealError::Unsupported(crate::t!(
                "PBKDF2 with {iterations} iterations (at most {max} are run)",
                iterations = crate::i18n::number(u64::from(kdf.iteration_count)),
                max = crate::i18n::number(u64::from(MAX_OPEN_ITERATIONS))
            )))
        }
        pbes2::Kdf::Pbkdf2(_) => Ok(()),
        pbes2::Kdf::Scrypt(_) => Err(SealError::Unsupported("scrypt".into())),
        _ => Err(SealError::Unsupported(
            crate::t!("an unknown key derivation").into(),
        )),
    }
}

/// Encrypts `plaintext` with PBES2 at [`SEAL_ITERATIONS`]: PBKDF2-HMAC-SHA256 with a random salt, then
/// AES-256-CBC with a random IV. Returns the AlgorithmIdentifier and the ciphertext.
pub(crate) fn pbes2_encrypt(
    password: &[u8],
    plaintext: &[u8],
) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), SealError> {
    let salt = random::<SALT_LEN>()?;
    let iv = random::<IV_LEN>()?;
    let params = pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(SEAL_ITERATIONS, &salt, iv)
        .map_err(|e| SealError::Encryption(e.to_string()))?;
    let scheme = pkcs5::EncryptionScheme::from(params);
    let ciphertext = scheme
        .encrypt(password, plaintext)
        .map_err(|e| SealError::Encryption(e.to_string()))?;
    let algorithm = AlgorithmIdentifierOwned::from_der(&scheme.to_der()?)?;
    Ok((algorithm, ciphertext))
}

pub(crate) fn random<const N: usize>() -> Result<[u8; N], SealError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|e| SealError::Random(e.to_string()))?;
    Ok(bytes)
}

impl Serialize for SealedKey {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&b64::encode(&self.der))
    }
}

impl<'de> Deserialize<'de> for SealedKey {
    /// What [`Serialize`] wrote: checked to be one DER SEQUENCE only. Its contents are read when it is
    /// opened (by the jobs module, for the page), so the page's wasm has no PBES2 parameter reader.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let der = b64::decode(&text).map_err(serde::de::Error::custom)?;
        let outer = der::AnyRef::from_der(&der).map_err(serde::de::Error::custom)?;
        if outer.tag() != der::Tag::Sequence {
            return Err(serde::de::Error::custom(crate::t!(
                "a sealed key is an ASN.1 SEQUENCE"
            )));
        }
        Ok(SealedKey { der })
    }
}

impl fmt::Debug for SealedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SealedKey").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::test_support::Scratch;
    use crate::pki::key::KeyType;

    const PASSPHRASE: &str = "correct horse battery";

    #[test]
    fn seals_and_opens_every_key_type() {
        for kind in [KeyType::P256, KeyType::P384, KeyType::Rsa2048] {
            let key = PrivateKey::generate(kind).unwrap();
            let sealed = SealedKey::seal(&key, PASSPHRASE).unwrap();
            assert_eq!(sealed.open(PASSPHRASE).unwrap(), key, "{kind:?}");
            // Nothing of the clear key shows in what is stored.
            let stored = serde_json::to_string(&sealed).unwrap();
            assert!(!stored.contains(&b64::encode(key.to_pkcs8_der())));
            let back: SealedKey = serde_json::from_str(&stored).unwrap();
            assert_eq!(back.open(PASSPHRASE).unwrap(), key);
        }
    }

    #[test]
    fn a_wrong_passphrase_is_said_plainly() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let sealed = SealedKey::seal(&key, PASSPHRASE).unwrap();
        // Many wrong passphrases: CBC padding passes by chance now and then, and the PKCS#8 check
        // catches those.
        for wrong in ["correct horse batterY", "", "x", "correct horse battery "] {
            assert_eq!(
                sealed.open(wrong),
                Err(SealError::WrongPassphrase),
                "{wrong:?}"
            );
        }
    }

    #[test]
    fn short_passphrases_are_refused() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        assert_eq!(
            SealedKey::seal(&key, "1234567"),
            Err(SealError::PassphraseTooShort)
        );
        // Counted in characters, not bytes.
        assert!(SealedKey::seal(&key, "ééééééé").is_err());
        assert!(SealedKey::seal(&key, "éééééééé").is_ok());
    }

    #[test]
    fn damaged_or_foreign_input_is_refused() {
        assert!(matches!(
            SealedKey::parse(b"not a key"),
            Err(SealError::Malformed(_))
        ));
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        assert!(matches!(
            SealedKey::parse(key.to_pkcs8_pem().as_bytes()),
            Err(SealError::Malformed(_))
        ));
        let sealed = SealedKey::seal(&key, PASSPHRASE).unwrap();
        let mut damaged = sealed.der.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 0xff;
        assert_eq!(
            SealedKey { der: damaged }.open(PASSPHRASE),
            Err(SealError::WrongPassphrase)
        );
    }

    /// Saved state holds what `Serialize` wrote: reading it back checks the outer SEQUENCE only, and
    /// opening reads the rest, saying what is wrong.
    #[test]
    fn saved_sealed_keys_are_checked_when_opened() {
        let from_saved = |der: &[u8]| -> Result<SealedKey, String> {
            serde_json::from_value(serde_json::Value::String(b64::encode(der)))
                .map_err(|e| e.to_string())
        };
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let sealed = SealedKey::seal(&key, PASSPHRASE).unwrap();
        assert_eq!(from_saved(&sealed.der).unwrap(), sealed);
        assert!(from_saved(b"\x04\x01\x00")
            .unwrap_err()
            .contains("SEQUENCE"));
        assert!(from_saved(b"\x30\x05\x00").is_err(), "a truncated SEQUENCE");
        let empty = from_saved(b"\x30\x00").unwrap();
        assert!(matches!(
            empty.open(PASSPHRASE),
            Err(SealError::Malformed(_))
        ));
    }

    #[test]
    fn openssl_opens_ours_and_we_open_openssls() {
        let scratch = Scratch::new("sealed");
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let sealed = SealedKey::seal(&key, PASSPHRASE).unwrap();
        scratch.write("ours.pem", sealed.to_pem());
        let pass = format!("pass:{PASSPHRASE}");
        let out = scratch.run_openssl(&[
            "pkey",
            "-in",
            "ours.pem",
            "-passin",
            &pass,
            "-out",
            "clear.pem",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(PrivateKey::parse(&scratch.read("clear.pem")).unwrap(), key);
        let info = scratch.run_openssl(&["asn1parse", "-in", "ours.pem"]);
        let info = String::from_utf8_lossy(&info.stdout);
        for part in ["PBES2", "PBKDF2", "hmacWithSHA256", "aes-256-cbc"] {
            assert!(info.contains(part), "{part} in {info}");
        }

        // And the other way: OpenSSL seals, we open.
        scratch.write("clear-theirs.pem", key.to_pkcs8_pem());
        let out = scratch.run_openssl(&[
            "pkcs8",
            "-topk8",
            "-v2",
            "aes-256-cbc",
            "-v2prf",
            "hmacWithSHA256",
            "-in",
            "clear-theirs.pem",
            "-passout",
            &pass,
            "-out",
            "theirs.pem",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = SealedKey::parse(&scratch.read("theirs.pem")).unwrap();
        assert_eq!(theirs.open(PASSPHRASE).unwrap(), key);
        assert_eq!(theirs.open("wrong one"), Err(SealError::WrongPassphrase));
    }

    #[test]
    fn a_huge_iteration_count_is_refused_before_any_work() {
        // Built by hand: asking OpenSSL to write it would run the 20 million rounds.
        let params =
            pbes2::Parameters::generate_pbkdf2_sha256_aes256cbc(20_000_000, &[7; 16], [9; 16])
                .unwrap();
        let scheme = pkcs5::EncryptionScheme::from(params);
        let info = EncryptedPrivateKeyInfo {
            encryption_algorithm: AlgorithmIdentifierOwned::from_der(&scheme.to_der().unwrap())
                .unwrap(),
            encrypted_data: OctetString::new(vec![0u8; 48]).unwrap(),
        };
        let slow = SealedKey::parse(&info.to_der().unwrap()).unwrap();
        // Unsupported, not WrongPassphrase: refused before decrypting.
        assert!(matches!(slow.open("x"), Err(SealError::Unsupported(_))));
    }
}
