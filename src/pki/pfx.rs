//! PKCS#12 / PFX files (RFC 7292): the certificate, its chain and the private key in one password-protected
//! file, the form Windows, IIS and many hosting control panels import.
//!
//! [`build_pfx`] writes one of two layouts, chosen by [`PfxProfile`]:
//!
//! ```text
//! PFX (version 3)
//! ├── authSafe: ContentInfo data ─ AuthenticatedSafe
//! │   ├── ContentInfo encryptedData (Modern: PBES2; Compatible: pbeWithSHAAnd3-KeyTripleDES-CBC)
//! │   │   └── SafeContents: certBag (leaf; friendlyName, localKeyId), certBag (each intermediate) …
//! │   └── ContentInfo data
//! │       └── SafeContents: pkcs8ShroudedKeyBag (same scheme; friendlyName, localKeyId)
//! └── macData: HMAC (Modern: SHA-256; Compatible: SHA-1), key from the PKCS#12 KDF (RFC 7292 App. B, ID 3)
//! ```
//!
//! - [`PfxProfile::Modern`]: PBES2 (PBKDF2-HMAC-SHA256, AES-256-CBC) at [`MODERN_ITERATIONS`], MAC
//!   HMAC-SHA256. OpenSSL 3's layout, with a current work factor. Windows 10 (1709+), Windows Server 2019+,
//!   macOS 14+, Java and OpenSSL 1.1.1+ import it.
//! - [`PfxProfile::Compatible`]: the PKCS#12 PBE pbeWithSHAAnd3-KeyTripleDES-CBC for the key *and* the
//!   certificates, 2048 iterations, MAC HMAC-SHA1 (8-byte salts), for Windows Server 2016 and older and
//!   the macOS keychain. `openssl pkcs12 -export -legacy` writes the same except that it encrypts the
//!   certificate bag with 40-bit RC2 (pbeWithSHA1And40BitRC2-CBC); we use 3DES there as well, as Windows'
//!   own "TripleDES-SHA1" export does (`openssl pkcs12 -export -legacy -certpbe PBE-SHA1-3DES`): every
//!   reader of the legacy kind reads it, it needs no RC2 implementation, and the certificates are public.
//!
//! Every salt and IV is fresh from the system's randomness (getrandom; in a browser,
//! `crypto.getRandomValues`). The localKeyId is the SHA-1 of the leaf certificate's DER, as OpenSSL writes
//! it; it is what ties the key to its certificate when the file is imported.
//!
//! One file over 600 lines: the code is under 400; the rest are its tests, opened with OpenSSL.

use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockModeEncrypt, KeyIvInit};
use der::asn1::{Any, BmpString, ObjectIdentifier, OctetString, SetOfVec};
use der::zeroize::Zeroizing;
use der::{Decode, Encode};
use hmac::{Hmac, KeyInit, Mac};
use pkcs12::cms::content_info::{CmsVersion, ContentInfo};
use pkcs12::cms::encrypted_data::EncryptedData;
use pkcs12::cms::enveloped_data::EncryptedContentInfo;
use pkcs12::kdf::{derive_key, Pkcs12KeyType};
use pkcs12::pbe_params::Pkcs12PbeParams;
use pkcs12::pfx::{Pfx, Version};
use pkcs12::{CertBag, DigestInfo, MacData, SafeBag};
use sha1::Sha1;
use sha2::{Digest, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;
use x509_cert::Certificate;

use crate::pki::key::PrivateKey;
use crate::pki::sealed::{
    pbes2_encrypt, random, EncryptedPrivateKeyInfo, SealError, SEAL_ITERATIONS,
};

/// PBKDF2-HMAC-SHA256 iterations of the Modern profile, for the key and for the certificates, and the
/// iterations of its MAC key derivation.
///
/// Why 600,000: it is OWASP's current figure for PBKDF2-HMAC-SHA256 (Password Storage Cheat Sheet, since
/// 2023), about 300 times OpenSSL 3's default of 2048. A PFX leaves the page and is copied around, so an
/// attacker who gets it can guess passwords offline at the speed the iteration count allows.
///
/// The MAC key comes from the PKCS#12 KDF (RFC 7292 Appendix B) with SHA-256, which costs one SHA-256
/// compression per iteration where PBKDF2-HMAC costs two; a guess can be checked against the MAC alone,
/// so the MAC's count bounds the file's strength. At the same 600,000 a guess costs an attacker at least
/// as much as 300,000 PBKDF2-HMAC-SHA256 iterations. (PBMAC1, RFC 9579, would lift that, but OpenSSL
/// reads it only from 3.4 and Windows not at all.)
///
/// What it costs: the writer runs 2 × 600,000 PBKDF2 iterations plus the MAC, a fraction of a second
/// natively and about a second in a browser; every import pays the same. .NET's `X509CertificateLoader`
/// (.NET 9+) refuses by default more than 300,000 iterations per derivation (1,000,000 in total); callers
/// loading such files there must raise `Pkcs12LoaderLimits`. Windows' own import, IIS, OpenSSL, Java and
/// macOS have no such limit.
pub const MODERN_ITERATIONS: u32 = SEAL_ITERATIONS;
/// Iterations of every derivation in the Compatible profile: what OpenSSL writes with `-legacy`.
pub const COMPATIBLE_ITERATIONS: u32 = 2048;
/// Length of every random salt of the Modern profile (PBKDF2 and MAC).
const SALT_LEN: usize = 16;
/// Length of the salts of the Compatible profile, as OpenSSL writes them.
const COMPATIBLE_SALT_LEN: usize = 8;
/// 3DES: three 8-byte keys, 8-byte IV.
const TDES_KEY_LEN: usize = 24;
const TDES_IV_LEN: usize = 8;

/// id-data (RFC 5652 §4).
const ID_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.1");
/// id-encryptedData (RFC 5652 §8).
const ID_ENCRYPTED_DATA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.7.6");
/// pkcs-9-at-friendlyName (RFC 2985 §5.5.1), a BMPString.
const FRIENDLY_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.20");
/// pkcs-9-at-localKeyId (RFC 2985 §5.5.2), an OCTET STRING.
const LOCAL_KEY_ID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.9.21");
/// id-sha256 (RFC 5754 §2.2), the digest of the Modern MAC.
const ID_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.16.840.1.101.3.4.2.1");
/// id-sha1 (RFC 3279 §2.2.1), the digest of the Compatible MAC.
const ID_SHA1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");

/// How the PFX is encrypted: which readers can open it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PfxProfile {
    /// PBES2 (PBKDF2-HMAC-SHA256 at [`MODERN_ITERATIONS`], AES-256-CBC), MAC HMAC-SHA256: Windows 10
    /// 1709+ / Server 2019+, macOS 14+, current OpenSSL and Java.
    #[default]
    Modern,
    /// pbeWithSHAAnd3-KeyTripleDES-CBC, MAC HMAC-SHA1, 2048 iterations: older Windows, the macOS keychain
    /// and other readers of the legacy kind. A weak password is easy to guess from such a file.
    Compatible,
}

impl PfxProfile {
    /// Iterations of each derivation (key, certificates, MAC) in this profile.
    pub fn iterations(self) -> u32 {
        match self {
            PfxProfile::Modern => MODERN_ITERATIONS,
            PfxProfile::Compatible => COMPATIBLE_ITERATIONS,
        }
    }
}

/// The password of a PFX file. No password has to be asked for explicitly: an empty
/// [`PfxPassword::Password`] is refused ([`PfxError::EmptyPassword`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PfxPassword<'a> {
    /// Protects the key and the file with this (non-empty) password.
    Password(&'a str),
    /// Writes the file with the empty password (`openssl pkcs12 -passin pass:` opens it): anyone who has
    /// the file has the private key. For tools that cannot enter a password.
    NoPassword,
}

/// Why a PFX could not be written.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PfxError {
    /// No certificates were given.
    #[error(
        "{}",
        crate::t!("there is no certificate to put into the PFX file; the chain is empty")
    )]
    EmptyChain,
    /// An empty password was given without choosing "no password" explicitly.
    #[error(
        "{}",
        crate::t!(
            "the PFX password is empty; type one, or choose explicitly to write the file without a \
             password"
        )
    )]
    EmptyPassword,
    /// A certificate of the chain does not parse as X.509.
    #[error(
        "{}",
        crate::t!(
            "certificate {position} of the chain is not a valid X.509 certificate: {detail}",
            position = .position,
            detail = .detail
        )
    )]
    BadCertificate { position: usize, detail: String },
    /// The first certificate of the chain was issued for another key.
    #[error(
        "{}",
        crate::t!(
            "the certificate does not belong to this private key ({key}): their public keys differ; \
             use the key the certificate was ordered with",
            key = .key
        )
    )]
    KeyMismatch { key: String },
    /// The friendly name has characters a PKCS#12 BMPString cannot hold.
    #[error(
        "{}",
        crate::t!(
            "the friendly name {name} cannot be stored in a PFX file (characters outside the Basic \
             Multilingual Plane, such as emoji, are not allowed)",
            name = format!("{:?}", .0)
        )
    )]
    FriendlyName(String),
    /// The system's random number generator failed.
    #[error("{}", crate::t!("no randomness available for the PFX salts: {why}", why = .0))]
    Random(String),
    /// Encrypting the key or the certificates failed (should not happen).
    #[error("{}", crate::t!("could not encrypt the PFX contents: {why}", why = .0))]
    Encryption(String),
    /// DER encoding failed (should not happen).
    #[error("{}", crate::t!("could not encode the PFX file: {why}", why = .0))]
    Encoding(String),
}

impl From<SealError> for PfxError {
    fn from(e: SealError) -> Self {
        match e {
            SealError::Random(e) => PfxError::Random(e),
            other => PfxError::Encryption(other.to_string()),
        }
    }
}

impl From<der::Error> for PfxError {
    fn from(e: der::Error) -> Self {
        PfxError::Encoding(e.to_string())
    }
}

/// Writes a PKCS#12 (PFX, `.pfx` / `.p12`) file holding `key` and its certificate chain.
///
/// `chain_der[0]` must be the certificate of `key` (the leaf), followed by the intermediates in order, as
/// a CA returns them. `password` protects both the private key and the whole file; it is used as UTF-8 for
/// PBKDF2 and as UTF-16 (BMPString) for the PKCS#12 KDF, as OpenSSL and Windows do; an empty one is refused
/// unless [`PfxPassword::NoPassword`] asks for it. `profile` chooses the encryption (see [`PfxProfile`]).
/// `friendly_name` is the label Windows shows in the certificate store; an empty one is left out.
///
/// The Modern profile's key derivations take a noticeable moment (see [`MODERN_ITERATIONS`]): a UI should
/// show that it is busy.
pub fn build_pfx(
    key: &PrivateKey,
    chain_der: &[Vec<u8>],
    password: PfxPassword<'_>,
    profile: PfxProfile,
    friendly_name: &str,
) -> Result<Vec<u8>, PfxError> {
    let password = match password {
        PfxPassword::Password("") => return Err(PfxError::EmptyPassword),
        PfxPassword::Password(password) => password,
        PfxPassword::NoPassword => "",
    };
    let leaf_der = chain_der.first().ok_or(PfxError::EmptyChain)?;
    let certificates = chain_der
        .iter()
        .enumerate()
        .map(|(index, der)| {
            Certificate::from_der(der).map_err(|e| PfxError::BadCertificate {
                position: index + 1,
                detail: e.to_string(),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let leaf_spki = certificates[0]
        .tbs_certificate()
        .subject_public_key_info()
        .to_der()?;
    if leaf_spki != key.public_key_spki_der() {
        return Err(PfxError::KeyMismatch {
            key: key.describe(),
        });
    }
    let friendly_bmp = (!friendly_name.is_empty())
        .then(|| {
            BmpString::from_utf8(friendly_name)
                .map_err(|_| PfxError::FriendlyName(friendly_name.to_string()))
        })
        .transpose()?;

    let local_key_id = Sha1::digest(leaf_der).to_vec();
    let leaf_attributes = bag_attributes(friendly_bmp.as_ref(), &local_key_id)?;

    // (1) The certificates, encrypted: the leaf with its attributes, the intermediates without.
    let mut cert_bags = Vec::with_capacity(chain_der.len());
    for (index, der) in chain_der.iter().enumerate() {
        let bag = CertBag {
            cert_id: pkcs12::PKCS_12_X509_CERT_OID,
            cert_value: OctetString::new(der.as_slice())?,
        };
        cert_bags.push(SafeBag {
            bag_id: pkcs12::PKCS_12_CERT_BAG_OID,
            bag_value: bag.to_der()?,
            bag_attributes: (index == 0).then(|| leaf_attributes.clone()),
        });
    }
    let cert_safe_plain = cert_bags.to_der()?;
    let (cert_scheme, cert_safe_encrypted) = encrypt(profile, password, &cert_safe_plain)?;
    let encrypted_data = EncryptedData {
        version: CmsVersion::V0,
        enc_content_info: EncryptedContentInfo {
            content_type: ID_DATA,
            content_enc_alg: cert_scheme,
            encrypted_content: Some(OctetString::new(cert_safe_encrypted)?),
        },
        unprotected_attrs: None,
    };
    let cert_content = ContentInfo {
        content_type: ID_ENCRYPTED_DATA,
        content: Any::encode_from(&encrypted_data)?,
    };

    // (2) The private key as a PKCS#8 EncryptedPrivateKeyInfo (a "shrouded" key bag), in plain data.
    let pkcs8 = Zeroizing::new(key.to_pkcs8_der());
    let (key_scheme, key_encrypted) = encrypt(profile, password, &pkcs8)?;
    let shrouded = EncryptedPrivateKeyInfo {
        encryption_algorithm: key_scheme,
        encrypted_data: OctetString::new(key_encrypted)?,
    };
    let key_bags = vec![SafeBag {
        bag_id: pkcs12::PKCS_12_PKCS8_KEY_BAG_OID,
        bag_value: shrouded.to_der()?,
        bag_attributes: Some(leaf_attributes),
    }];
    let key_content = data_content_info(&key_bags.to_der()?)?;

    // The AuthenticatedSafe, its MAC, and the PFX around them.
    let auth_safe = vec![cert_content, key_content].to_der()?;
    let mac_data = mac_data(profile, password, &auth_safe)?;
    let pfx = Pfx {
        version: Version::V3,
        auth_safe: data_content_info(&auth_safe)?,
        mac_data: Some(mac_data),
    };
    Ok(pfx.to_der()?)
}

/// The friendlyName (if any) and localKeyId attributes shared by the leaf's certificate bag and the key bag.
fn bag_attributes(
    friendly_name: Option<&BmpString>,
    local_key_id: &[u8],
) -> Result<SetOfVec<Attribute>, PfxError> {
    let mut attributes = SetOfVec::new();
    if let Some(name) = friendly_name {
        attributes.insert(attribute(FRIENDLY_NAME, Any::encode_from(name)?)?)?;
    }
    let id = OctetString::new(local_key_id)?;
    attributes.insert(attribute(LOCAL_KEY_ID, Any::encode_from(&id)?)?)?;
    Ok(attributes)
}

fn attribute(oid: ObjectIdentifier, value: Any) -> Result<Attribute, PfxError> {
    let mut values = SetOfVec::new();
    values.insert(value)?;
    Ok(Attribute { oid, values })
}

/// A ContentInfo of type data whose content is an OCTET STRING holding `der`.
fn data_content_info(der: &[u8]) -> Result<ContentInfo, PfxError> {
    Ok(ContentInfo {
        content_type: ID_DATA,
        content: Any::encode_from(&OctetString::new(der)?)?,
    })
}

/// Encrypts `plaintext` as `profile` says. Returns the AlgorithmIdentifier and the ciphertext.
fn encrypt(
    profile: PfxProfile,
    password: &str,
    plaintext: &[u8],
) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), PfxError> {
    match profile {
        PfxProfile::Modern => Ok(pbes2_encrypt(password.as_bytes(), plaintext)?),
        PfxProfile::Compatible => tdes_encrypt(password, plaintext),
    }
}

/// Encrypts `plaintext` with pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 Appendix C): the 24-byte key and
/// the 8-byte IV come from the PKCS#12 KDF with SHA-1 (IDs 1 and 2) over the BMPString password and a
/// random 8-byte salt, then 3DES-EDE in CBC mode with PKCS#7 padding.
fn tdes_encrypt(
    password: &str,
    plaintext: &[u8],
) -> Result<(AlgorithmIdentifierOwned, Vec<u8>), PfxError> {
    let salt = random::<COMPATIBLE_SALT_LEN>().map_err(PfxError::from)?;
    let iterations = kdf_iterations(COMPATIBLE_ITERATIONS);
    let bmp = bmp_password(password);
    let key = Zeroizing::new(derive_key::<Sha1>(
        &bmp,
        &salt,
        Pkcs12KeyType::EncryptionKey,
        iterations,
        TDES_KEY_LEN,
    ));
    let iv = derive_key::<Sha1>(&bmp, &salt, Pkcs12KeyType::Iv, iterations, TDES_IV_LEN);
    let ciphertext = cbc::Encryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
        .map_err(|e| PfxError::Encryption(e.to_string()))?
        .encrypt_padded_vec::<Pkcs7>(plaintext);
    let params = Pkcs12PbeParams {
        salt: OctetString::new(salt.as_slice())?,
        iterations,
    };
    let algorithm = AlgorithmIdentifierOwned {
        oid: pkcs12::PKCS_12_PBE_WITH_SHAAND3_KEY_TRIPLE_DES_CBC,
        parameters: Some(Any::encode_from(&params)?),
    };
    Ok((algorithm, ciphertext))
}

/// The password as RFC 7292 Appendix B.1 wants it for the PKCS#12 KDF: big-endian UTF-16 with a trailing
/// zero. Characters beyond the BMP become surrogate pairs, as OpenSSL and Windows encode them.
fn bmp_password(password: &str) -> Zeroizing<Vec<u8>> {
    let mut bmp: Zeroizing<Vec<u8>> =
        Zeroizing::new(password.encode_utf16().flat_map(u16::to_be_bytes).collect());
    bmp.extend_from_slice(&[0, 0]);
    bmp
}

/// The iteration counts are small constants; the PKCS#12 types hold them as `i32`.
fn kdf_iterations(iterations: u32) -> i32 {
    i32::try_from(iterations).unwrap_or(i32::MAX)
}

/// The MacData (RFC 7292 §4): an HMAC over the AuthenticatedSafe's DER keyed by the PKCS#12 KDF
/// (Appendix B.2, ID 3): HMAC-SHA256 for Modern, HMAC-SHA1 for Compatible.
fn mac_data(profile: PfxProfile, password: &str, auth_safe: &[u8]) -> Result<MacData, PfxError> {
    let iterations = kdf_iterations(profile.iterations());
    let bmp = bmp_password(password);
    // The MAC key is as long as the HMAC's digest: 32 bytes for SHA-256, 20 for SHA-1.
    let (salt, digest_oid, mac) = match profile {
        PfxProfile::Modern => {
            let salt = random::<SALT_LEN>().map_err(PfxError::from)?.to_vec();
            let key = derive_key::<Sha256>(&bmp, &salt, Pkcs12KeyType::Mac, iterations, 32);
            let mut hmac = <Hmac<Sha256> as KeyInit>::new_from_slice(&Zeroizing::new(key))
                .map_err(|e| PfxError::Encryption(e.to_string()))?;
            hmac.update(auth_safe);
            let mac = hmac.finalize().into_bytes().to_vec();
            (salt, ID_SHA256, mac)
        }
        PfxProfile::Compatible => {
            let salt = random::<COMPATIBLE_SALT_LEN>()
                .map_err(PfxError::from)?
                .to_vec();
            let key = derive_key::<Sha1>(&bmp, &salt, Pkcs12KeyType::Mac, iterations, 20);
            let mut hmac = <Hmac<Sha1> as KeyInit>::new_from_slice(&Zeroizing::new(key))
                .map_err(|e| PfxError::Encryption(e.to_string()))?;
            hmac.update(auth_safe);
            let mac = hmac.finalize().into_bytes().to_vec();
            (salt, ID_SHA1, mac)
        }
    };
    Ok(MacData {
        mac: DigestInfo {
            // OpenSSL writes the digest AlgorithmIdentifier with NULL parameters here; so do we.
            algorithm: AlgorithmIdentifierOwned {
                oid: digest_oid,
                parameters: Some(Any::null()),
            },
            digest: OctetString::new(mac)?,
        },
        mac_salt: OctetString::new(salt)?,
        iterations,
    })
}

#[cfg(test)]
mod tests {
    use pkcs5::pbes2;
    use std::time::Instant;

    use super::*;
    use crate::pki::key::test_support::Scratch;
    use crate::pki::key::{pem_blocks, KeyType};

    const PASSWORD: &str = "correct horse";

    /// `build_pfx` with a password and the Modern profile.
    fn modern(
        key: &PrivateKey,
        chain: &[Vec<u8>],
        password: &str,
        name: &str,
    ) -> Result<Vec<u8>, PfxError> {
        build_pfx(
            key,
            chain,
            PfxPassword::Password(password),
            PfxProfile::Modern,
            name,
        )
    }

    /// A CA (its own P-256 key) and a leaf for `key`, both made by OpenSSL. Returns the chain as DER.
    fn openssl_chain(scratch: &Scratch, key: &PrivateKey) -> Vec<Vec<u8>> {
        scratch.self_signed_p256("ca.key", "ca.pem", "/CN=Certsmith PFX Test CA", 30, &[]);
        scratch.write("leaf.key", key.to_pkcs8_pem());
        scratch.openssl(&[
            "req",
            "-new",
            "-key",
            "leaf.key",
            "-subj",
            "/CN=pfx.example",
            "-out",
            "leaf.csr",
        ]);
        scratch.write("ext.cnf", "subjectAltName=DNS:pfx.example\n");
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
            "0x1234",
            "-days",
            "30",
            "-extfile",
            "ext.cnf",
            "-out",
            "leaf.pem",
        ]);
        ["leaf.pem", "ca.pem"]
            .iter()
            .map(|name| certificate_der(&scratch.read_text(name)))
            .collect()
    }

    fn certificate_der(pem: &str) -> Vec<u8> {
        let blocks = pem_blocks(pem).unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        blocks[0].der.to_vec()
    }

    /// Runs `openssl pkcs12` on `file` with `password`; returns (success, stdout, stderr).
    fn openssl_pkcs12(scratch: &Scratch, file: &str, password: &str, extra: &[&str]) -> Output {
        let pass = format!("pass:{password}");
        let mut args = vec!["pkcs12", "-in", file, "-passin", pass.as_str()];
        args.extend(extra);
        let out = scratch.run_openssl(&args);
        Output {
            success: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    struct Output {
        success: bool,
        stdout: String,
        stderr: String,
    }

    /// Checks with OpenSSL that `file` opens with `password` and holds `key` and exactly `chain`.
    fn assert_openssl_reads(
        scratch: &Scratch,
        file: &str,
        password: &str,
        key: &PrivateKey,
        chain: &[Vec<u8>],
    ) {
        let out = openssl_pkcs12(scratch, file, password, &["-nodes"]);
        assert!(out.success, "openssl pkcs12 failed: {}", out.stderr);
        // No fallback to OpenSSL's legacy password encodings ("Warning: …") may have been needed.
        assert!(!out.stderr.contains("arning"), "{}", out.stderr);
        let blocks = pem_blocks(&out.stdout).unwrap();
        let keys: Vec<_> = blocks.iter().filter(|b| b.label == "PRIVATE KEY").collect();
        assert_eq!(keys.len(), 1, "one private key expected:\n{}", out.stdout);
        assert_eq!(&PrivateKey::from_der(&keys[0].der).unwrap(), key);
        let certs: Vec<Vec<u8>> = blocks
            .iter()
            .filter(|b| b.label == "CERTIFICATE")
            .map(|b| b.der.to_vec())
            .collect();
        assert_eq!(certs.len(), chain.len(), "{}", out.stdout);
        for cert in chain {
            assert!(certs.contains(cert), "a certificate is missing");
        }

        // The extracted key's public key is the leaf's, as OpenSSL itself computes them.
        scratch.write(&format!("{file}.out.pem"), &out.stdout);
        let key_pub = scratch.openssl(&["pkey", "-in", &format!("{file}.out.pem"), "-pubout"]);
        let cert_pub = scratch.openssl(&["x509", "-in", "leaf.pem", "-noout", "-pubkey"]);
        assert_eq!(key_pub, cert_pub);
    }

    /// What `openssl pkcs12 -info` must say of a file of `profile`; returns its whole output.
    fn assert_openssl_info(
        scratch: &Scratch,
        file: &str,
        password: &str,
        profile: PfxProfile,
    ) -> String {
        let extra: &[&str] = match profile {
            PfxProfile::Modern => &["-info", "-noout"],
            PfxProfile::Compatible => &["-legacy", "-info", "-noout"],
        };
        let out = openssl_pkcs12(scratch, file, password, extra);
        assert!(out.success, "openssl pkcs12 -info failed: {}", out.stderr);
        let info = format!("{}{}", out.stdout, out.stderr);
        let expected = match profile {
            PfxProfile::Modern => {
                let pbes2 = "PBES2, PBKDF2, AES-256-CBC, Iteration 600000, PRF hmacWithSHA256";
                [
                    "MAC: sha256, Iteration 600000".to_string(),
                    "MAC length: 32, salt length: 16".to_string(),
                    format!("PKCS7 Encrypted data: {pbes2}"),
                    format!("Shrouded Keybag: {pbes2}"),
                ]
            }
            PfxProfile::Compatible => {
                let tdes = "pbeWithSHA1And3-KeyTripleDES-CBC, Iteration 2048";
                [
                    "MAC: sha1, Iteration 2048".to_string(),
                    "MAC length: 20, salt length: 8".to_string(),
                    format!("PKCS7 Encrypted data: {tdes}"),
                    format!("Shrouded Keybag: {tdes}"),
                ]
            }
        };
        for expected in expected.iter().chain(&["PKCS7 Data".to_string()]) {
            assert!(info.contains(expected), "missing {expected:?} in:\n{info}");
        }
        info
    }

    #[test]
    fn openssl_reads_our_pfx_for_every_key_type() {
        for kind in [KeyType::P256, KeyType::P384, KeyType::Rsa2048] {
            let scratch = Scratch::new(&format!("pfx-{kind}"));
            let key = PrivateKey::generate(kind).unwrap();
            let chain = openssl_chain(&scratch, &key);

            let started = Instant::now();
            let pfx = modern(&key, &chain, PASSWORD, "pfx.example").unwrap();
            eprintln!(
                "build_pfx for {} took {:?} ({} bytes)",
                key.describe(),
                started.elapsed(),
                pfx.len()
            );
            scratch.write("f.pfx", &pfx);

            assert_openssl_reads(&scratch, "f.pfx", PASSWORD, &key, &chain);
            let info = assert_openssl_info(&scratch, "f.pfx", PASSWORD, PfxProfile::Modern);
            assert_eq!(info.matches("Certificate bag").count(), 2, "{info}");
            if kind == KeyType::P256 {
                eprintln!("openssl pkcs12 -info:\n{info}");
            }

            // The friendlyName and localKeyID appear on the key and on the leaf only.
            let out = openssl_pkcs12(&scratch, "f.pfx", PASSWORD, &["-nodes"]);
            let local_key_id = Sha1::digest(&chain[0])
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect::<Vec<_>>()
                .join(" ");
            assert_eq!(
                out.stdout
                    .matches(&format!("localKeyID: {local_key_id}"))
                    .count(),
                2,
                "{}",
                out.stdout
            );
            assert_eq!(
                out.stdout.matches("friendlyName: pfx.example").count(),
                2,
                "{}",
                out.stdout
            );

            // A wrong password fails the MAC check.
            let wrong = openssl_pkcs12(&scratch, "f.pfx", "WRONG", &["-nodes"]);
            assert!(!wrong.success, "a wrong password was accepted");
            assert!(
                wrong.stderr.contains("Mac verify error"),
                "{}",
                wrong.stderr
            );
        }
    }

    #[test]
    fn non_ascii_passwords_work_with_openssl_in_both_profiles() {
        let scratch = Scratch::new("pfx-passwords");
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let chain = openssl_chain(&scratch, &key);
        for profile in [PfxProfile::Modern, PfxProfile::Compatible] {
            for (index, password) in ["pässwörd", "Grüße€ 密码", "key🔑"].iter().enumerate()
            {
                let file = format!("p{index}-{profile:?}.pfx");
                let pfx = build_pfx(
                    &key,
                    &chain,
                    PfxPassword::Password(password),
                    profile,
                    "Zertifikat für Ä",
                )
                .unwrap();
                scratch.write(&file, pfx);
                assert_openssl_reads(&scratch, &file, password, &key, &chain);
                assert_openssl_info(&scratch, &file, password, profile);
                let wrong = openssl_pkcs12(&scratch, &file, "passwd", &["-nodes"]);
                assert!(
                    !wrong.success,
                    "a wrong password was accepted for {password:?}"
                );
            }
        }
    }

    /// The Compatible profile opens with `openssl pkcs12 -legacy`, holds the key and the chain, and says
    /// 3DES and SHA-1; a wrong password fails its MAC.
    #[test]
    fn compatible_profile_opens_with_openssl_legacy() {
        for kind in [KeyType::P256, KeyType::Rsa2048] {
            let scratch = Scratch::new(&format!("pfx-compat-{kind}"));
            let key = PrivateKey::generate(kind).unwrap();
            let chain = openssl_chain(&scratch, &key);
            let started = Instant::now();
            let pfx = build_pfx(
                &key,
                &chain,
                PfxPassword::Password(PASSWORD),
                PfxProfile::Compatible,
                "pfx.example",
            )
            .unwrap();
            eprintln!(
                "build_pfx (Compatible) for {} took {:?} ({} bytes)",
                key.describe(),
                started.elapsed(),
                pfx.len()
            );
            scratch.write("c.pfx", &pfx);

            let out = openssl_pkcs12(&scratch, "c.pfx", PASSWORD, &["-legacy", "-nodes"]);
            assert!(out.success, "openssl pkcs12 -legacy failed: {}", out.stderr);
            // The same checks without -legacy: OpenSSL 3's default provider has 3DES too.
            assert_openssl_reads(&scratch, "c.pfx", PASSWORD, &key, &chain);
            let info = assert_openssl_info(&scratch, "c.pfx", PASSWORD, PfxProfile::Compatible);
            assert_eq!(info.matches("Certificate bag").count(), 2, "{info}");
            if kind == KeyType::P256 {
                eprintln!("openssl pkcs12 -legacy -info (Compatible):\n{info}");
            }

            let wrong = openssl_pkcs12(&scratch, "c.pfx", "WRONG", &["-legacy", "-nodes"]);
            assert!(!wrong.success, "a wrong password was accepted");
            assert!(
                wrong.stderr.contains("Mac verify error"),
                "{}",
                wrong.stderr
            );
        }
    }

    /// No password only when asked for: an empty password is refused, `NoPassword` writes a file that
    /// `openssl pkcs12 -passin pass:` opens, in both profiles.
    #[test]
    fn no_password_only_when_chosen() {
        let scratch = Scratch::new("pfx-nopass");
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let chain = openssl_chain(&scratch, &key);
        for profile in [PfxProfile::Modern, PfxProfile::Compatible] {
            assert_eq!(
                build_pfx(&key, &chain, PfxPassword::Password(""), profile, "x"),
                Err(PfxError::EmptyPassword)
            );
            let file = format!("none-{profile:?}.pfx");
            let pfx = build_pfx(&key, &chain, PfxPassword::NoPassword, profile, "x").unwrap();
            scratch.write(&file, pfx);
            assert_openssl_reads(&scratch, &file, "", &key, &chain);
            assert_openssl_info(&scratch, &file, "", profile);
            let wrong = openssl_pkcs12(&scratch, &file, "something", &["-nodes"]);
            assert!(!wrong.success, "a password was accepted for {profile:?}");
        }
        assert!(PfxError::EmptyPassword
            .to_string()
            .contains("without a password"));
    }

    #[test]
    fn without_friendly_name() {
        let scratch = Scratch::new("pfx-noname");
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let chain = openssl_chain(&scratch, &key);
        scratch.write("f.pfx", modern(&key, &chain[..1], PASSWORD, "").unwrap());
        let out = openssl_pkcs12(&scratch, "f.pfx", PASSWORD, &["-nodes"]);
        assert!(out.success, "{}", out.stderr);
        assert!(!out.stdout.contains("friendlyName"), "{}", out.stdout);
        assert_eq!(out.stdout.matches("localKeyID").count(), 2);
        assert_eq!(out.stdout.matches("BEGIN CERTIFICATE").count(), 1);
    }

    /// Reads our output back with the pkcs12/pkcs5 crates: structure, MAC and both encryptions.
    #[test]
    fn round_trips_natively() {
        let scratch = Scratch::new("pfx-native");
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let chain = openssl_chain(&scratch, &key);
        let pfx_der = modern(&key, &chain, "pässwörd", "n").unwrap();
        let pfx = Pfx::from_der(&pfx_der).unwrap();
        assert_eq!(pfx.version, Version::V3);
        assert_eq!(pfx.auth_safe.content_type, ID_DATA);
        let auth_safe = pfx.auth_safe.content.decode_as::<OctetString>().unwrap();

        // The MAC, recomputed.
        let mac_data = pfx.mac_data.unwrap();
        assert_eq!(mac_data.iterations, 600_000);
        assert_eq!(mac_data.mac_salt.as_bytes().len(), SALT_LEN);
        assert_eq!(mac_data.mac.algorithm.oid, ID_SHA256);
        let again = mac_data_with_salt(
            "pässwörd",
            auth_safe.as_bytes(),
            mac_data.mac_salt.as_bytes(),
        );
        assert_eq!(again, mac_data.mac.digest.as_bytes());

        let contents = Vec::<ContentInfo>::from_der(auth_safe.as_bytes()).unwrap();
        assert_eq!(contents.len(), 2);

        // (1) The encrypted certificates.
        assert_eq!(contents[0].content_type, ID_ENCRYPTED_DATA);
        let encrypted: EncryptedData = contents[0].content.decode_as().unwrap();
        let info = encrypted.enc_content_info;
        let scheme =
            pkcs5::EncryptionScheme::from_der(&info.content_enc_alg.to_der().unwrap()).unwrap();
        let plain = scheme
            .decrypt("pässwörd", info.encrypted_content.unwrap().as_bytes())
            .unwrap();
        let cert_bags = Vec::<SafeBag>::from_der(&plain).unwrap();
        assert_eq!(cert_bags.len(), 2);
        for (bag, der) in cert_bags.iter().zip(&chain) {
            assert_eq!(bag.bag_id, pkcs12::PKCS_12_CERT_BAG_OID);
            let cert: CertBag = bag_value(bag);
            assert_eq!(cert.cert_value.as_bytes(), der.as_slice());
        }
        assert!(cert_bags[0].bag_attributes.is_some());
        assert!(cert_bags[1].bag_attributes.is_none());

        // (2) The shrouded key.
        assert_eq!(contents[1].content_type, ID_DATA);
        let safe = contents[1].content.decode_as::<OctetString>().unwrap();
        let key_bags = Vec::<SafeBag>::from_der(safe.as_bytes()).unwrap();
        assert_eq!(key_bags.len(), 1);
        assert_eq!(key_bags[0].bag_id, pkcs12::PKCS_12_PKCS8_KEY_BAG_OID);
        assert_eq!(key_bags[0].bag_attributes, cert_bags[0].bag_attributes);
        let shrouded: EncryptedPrivateKeyInfo = bag_value(&key_bags[0]);
        let scheme =
            pkcs5::EncryptionScheme::from_der(&shrouded.encryption_algorithm.to_der().unwrap())
                .unwrap();
        let pbes2 = scheme.pbes2().unwrap();
        assert_eq!(pbes2.encryption.oid(), pbes2::AES_256_CBC_OID);
        let kdf = pbes2.kdf.pbkdf2().unwrap();
        assert_eq!(kdf.iteration_count, MODERN_ITERATIONS);
        assert_eq!(kdf.salt.as_ref().len(), SALT_LEN);
        let pkcs8 = scheme
            .decrypt("pässwörd", shrouded.encrypted_data.as_bytes())
            .unwrap();
        assert_eq!(PrivateKey::from_der(&pkcs8).unwrap(), key);

        // Every salt and IV is fresh: two files for the same input differ.
        assert_ne!(modern(&key, &chain, "pässwörd", "n").unwrap(), pfx_der);
    }

    /// The pkcs12 crate decodes a bag's value with its `[0] EXPLICIT` wrapper (but encodes it without).
    fn bag_value<T: for<'a> Decode<'a, Error = der::Error>>(bag: &SafeBag) -> T {
        der::asn1::ContextSpecific::<T>::from_der(&bag.bag_value)
            .unwrap()
            .value
    }

    fn mac_data_with_salt(password: &str, data: &[u8], salt: &[u8]) -> Vec<u8> {
        let mut pass: Vec<u8> = password.encode_utf16().flat_map(u16::to_be_bytes).collect();
        pass.extend([0, 0]);
        let key = derive_key::<Sha256>(&pass, salt, Pkcs12KeyType::Mac, 600_000, 32);
        let mut hmac = <Hmac<Sha256> as KeyInit>::new_from_slice(&key).unwrap();
        hmac.update(data);
        hmac.finalize().into_bytes().to_vec()
    }

    #[test]
    fn refuses_bad_input() {
        let scratch = Scratch::new("pfx-refuse");
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let chain = openssl_chain(&scratch, &key);

        assert_eq!(modern(&key, &[], PASSWORD, "x"), Err(PfxError::EmptyChain));

        let other = PrivateKey::generate(KeyType::P256).unwrap();
        let err = modern(&other, &chain, PASSWORD, "x").unwrap_err();
        assert_eq!(
            err,
            PfxError::KeyMismatch {
                key: "ECDSA P-256".into()
            }
        );
        assert!(err
            .to_string()
            .contains("does not belong to this private key"));
        // The intermediate is not the leaf.
        let swapped = [chain[1].clone(), chain[0].clone()];
        assert!(matches!(
            modern(&key, &swapped, PASSWORD, "x"),
            Err(PfxError::KeyMismatch { .. })
        ));

        let broken = [chain[0].clone(), b"not a certificate".to_vec()];
        let err = modern(&key, &broken, PASSWORD, "x").unwrap_err();
        assert!(
            matches!(err, PfxError::BadCertificate { position: 2, .. }),
            "{err}"
        );

        let err = modern(&key, &chain, PASSWORD, "key🔑").unwrap_err();
        assert_eq!(err, PfxError::FriendlyName("key🔑".into()));
    }
}
