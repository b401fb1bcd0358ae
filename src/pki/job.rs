//! The page's slow or rarely needed computations as plain values, so that it can hand them to the jobs
//! module (src/jobs.rs: a wasm of its own, run in the page's worker, `web::worker`) instead of freezing the
//! page for seconds, and instead of carrying their code in its own wasm: PBKDF2 at 600,000 rounds (sealing
//! and opening the account key, RFC 8018; the Modern PFX, RFC 7292), keys and JWS signatures where the
//! page has no WebCrypto (plain http from another host), every CSR the page makes (RFC 2986), reading
//! every certificate chain (RFC 5280), and reading what the person brings: a CSR, a key in any format,
//! another client's account files.
//!
//! A [`Job`] goes in and an [`Outcome`] comes out, each as JSON ([`answer`] is what the jobs module runs;
//! [`Job::run`] is the work itself). A failure travels as the words of the core's error ([`JobError`]).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::acme::account::files::{read_account_files, AccountFile, ImportedAccount};
use crate::acme::identifier::Identifier;
use crate::pki::cert::{parse_pem_chain, CertificateInfo};
use crate::pki::csr::{build_csr, parse_csr, ParsedCsr};
use crate::pki::key::{KeyType, PrivateKey};
use crate::pki::pfx::{build_pfx, PfxPassword, PfxProfile};
use crate::pki::sealed::SealedKey;

/// One piece of work. No `Debug`: it carries passphrases and keys. (Externally tagged, serde's default: an
/// internally tagged enum costs the wasm a buffering deserializer.)
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Job {
    /// [`PrivateKey::generate`].
    Generate { kind: KeyType },
    /// [`PrivateKey::sign`]: a JWS signature, where the page has no WebCrypto to make it.
    Sign { key: PrivateKey, input: Der },
    /// [`build_csr`].
    Csr {
        key: PrivateKey,
        identifiers: Vec<Identifier>,
    },
    /// [`parse_csr`]: a CSR the person brought (PEM or DER as text), read and its signature checked.
    ReadCsr { input: String },
    /// [`parse_pem_chain`]: a certificate chain, as a CA sent it or the person pasted it.
    ReadChain { pem: String },
    /// [`PrivateKey::parse`]: a key the person brought, in any format the page reads.
    ReadKey { input: Der },
    /// [`read_account_files`]: another client's account files (each its path and bytes).
    ReadAccountFiles { files: Vec<(String, Der)> },
    /// [`SealedKey::seal`].
    Seal { key: PrivateKey, passphrase: String },
    /// [`SealedKey::open`].
    Open {
        sealed: SealedKey,
        passphrase: String,
    },
    /// [`build_pfx`]; no `password` is [`PfxPassword::NoPassword`].
    Pfx {
        key: PrivateKey,
        chain: Vec<Der>,
        password: Option<String>,
        #[serde(with = "Profile")]
        profile: PfxProfile,
        friendly_name: String,
    },
}

/// Bytes as base64url in JSON: a DER object (a certificate of the chain, a CSR, a PFX) or a file as the
/// person brought it (a key, an account file).
#[derive(Clone, Serialize, Deserialize)]
pub struct Der(#[serde(with = "crate::b64::serde_bytes")] pub Vec<u8>);

/// [`PfxProfile`] for serde.
#[derive(Serialize, Deserialize)]
#[serde(remote = "PfxProfile", rename_all = "snake_case")]
enum Profile {
    Modern,
    Compatible,
}

/// What a job made, or why it could not.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    // Boxed: a key is much larger than the other answers.
    Key(Box<PrivateKey>),
    Sealed(SealedKey),
    /// A signature, a CSR or a PFX file.
    Bytes(Der),
    Csr(ParsedCsr),
    Chain(Vec<CertificateInfo>),
    Account(Box<ImportedAccount>),
    Failed(JobError),
}

/// Why a job failed, in the words of the error it met.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobError {
    pub message: String,
}

impl JobError {
    fn new(error: impl fmt::Display) -> Self {
        JobError {
            message: error.to_string(),
        }
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl Job {
    /// Does the work here.
    pub fn run(self) -> Outcome {
        match self {
            Job::Generate { kind } => {
                PrivateKey::generate(kind).map_or_else(failed, |k| Outcome::Key(Box::new(k)))
            }
            Job::Sign { key, input } => key
                .sign(&input.0)
                .map_or_else(failed, |signature| Outcome::Bytes(Der(signature))),
            Job::Csr { key, identifiers } => {
                build_csr(&key, &identifiers).map_or_else(failed, |der| Outcome::Bytes(Der(der)))
            }
            Job::ReadCsr { input } => parse_csr(input.as_bytes()).map_or_else(failed, Outcome::Csr),
            Job::ReadChain { pem } => parse_pem_chain(&pem).map_or_else(failed, Outcome::Chain),
            Job::ReadKey { input } => {
                PrivateKey::parse(&input.0).map_or_else(failed, |k| Outcome::Key(Box::new(k)))
            }
            Job::ReadAccountFiles { files } => {
                let files: Vec<AccountFile<'_>> = files
                    .iter()
                    .map(|(path, bytes)| AccountFile {
                        path,
                        bytes: &bytes.0,
                    })
                    .collect();
                read_account_files(&files).map_or_else(failed, |a| Outcome::Account(Box::new(a)))
            }
            Job::Seal { key, passphrase } => {
                SealedKey::seal(&key, &passphrase).map_or_else(failed, Outcome::Sealed)
            }
            Job::Open { sealed, passphrase } => sealed
                .open(&passphrase)
                .map_or_else(failed, |k| Outcome::Key(Box::new(k))),
            Job::Pfx {
                key,
                chain,
                password,
                profile,
                friendly_name,
            } => {
                let chain: Vec<Vec<u8>> = chain.into_iter().map(|d| d.0).collect();
                let password = match &password {
                    Some(p) => PfxPassword::Password(p),
                    None => PfxPassword::NoPassword,
                };
                build_pfx(&key, &chain, password, profile, &friendly_name)
                    .map_or_else(failed, |der| Outcome::Bytes(Der(der)))
            }
        }
    }
}

fn failed(error: impl fmt::Display) -> Outcome {
    Outcome::Failed(JobError::new(error))
}

impl Outcome {
    /// The key of a [`Job::Generate`], [`Job::Open`] or [`Job::ReadKey`].
    pub fn key(self) -> Result<PrivateKey, JobError> {
        match self {
            Outcome::Key(key) => Ok(*key),
            other => Err(other.unexpected()),
        }
    }

    /// The sealed key of a [`Job::Seal`].
    pub fn sealed(self) -> Result<SealedKey, JobError> {
        match self {
            Outcome::Sealed(sealed) => Ok(sealed),
            other => Err(other.unexpected()),
        }
    }

    /// The account of a [`Job::ReadAccountFiles`].
    pub fn account(self) -> Result<ImportedAccount, JobError> {
        match self {
            Outcome::Account(account) => Ok(*account),
            other => Err(other.unexpected()),
        }
    }

    /// The CSR of a [`Job::ReadCsr`].
    pub fn csr(self) -> Result<ParsedCsr, JobError> {
        match self {
            Outcome::Csr(csr) => Ok(csr),
            other => Err(other.unexpected()),
        }
    }

    /// The signature of a [`Job::Sign`], the DER of a [`Job::Csr`] or [`Job::Pfx`].
    pub fn bytes(self) -> Result<Vec<u8>, JobError> {
        match self {
            Outcome::Bytes(der) => Ok(der.0),
            other => Err(other.unexpected()),
        }
    }

    /// The certificates of a [`Job::ReadChain`], leaf first.
    pub fn chain(self) -> Result<Vec<CertificateInfo>, JobError> {
        match self {
            Outcome::Chain(chain) => Ok(chain),
            other => Err(other.unexpected()),
        }
    }

    fn unexpected(self) -> JobError {
        match self {
            Outcome::Failed(e) => e,
            _ => JobError::new(crate::t!(
                "the worker answered with something else than was asked for"
            )),
        }
    }
}

/// The worker's side: a [`Job`] as JSON in, its [`Outcome`] as JSON out.
pub fn answer(job: &str) -> String {
    let outcome = match crate::json::from_text::<Job>(job) {
        Ok(job) => job.run(),
        Err(e) => failed(crate::t!(
            "the worker could not read its job: {why}",
            why = e
        )),
    };
    serde_json::to_string(&outcome).unwrap_or_else(|e| {
        format!(
            "{{\"failed\":{{\"message\":{}}}}}",
            serde_json::Value::from(crate::t!(
                "the worker could not write its answer: {why}",
                why = e
            ))
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::acme::identifier::parse_identifiers;
    use crate::pki::csr::{parse_csr, CsrError};
    use crate::pki::sealed::SealError;

    /// Through JSON and back, as between the page and its worker.
    fn through_worker(job: Job) -> Outcome {
        let request = serde_json::to_string(&job).unwrap();
        serde_json::from_str(&answer(&request)).unwrap()
    }

    #[test]
    fn seal_and_open_through_the_worker_match_the_core() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let passphrase = "a long passphrase".to_string();
        let sealed = through_worker(Job::Seal {
            key: key.clone(),
            passphrase: passphrase.clone(),
        })
        .sealed()
        .unwrap();
        assert_eq!(sealed.open(&passphrase).unwrap(), key);
        let opened = through_worker(Job::Open {
            sealed: sealed.clone(),
            passphrase,
        });
        assert_eq!(opened.key().unwrap(), key);
        // A failure comes back in the core's words.
        let wrong = through_worker(Job::Open {
            sealed,
            passphrase: "not the passphrase".into(),
        })
        .key()
        .unwrap_err();
        assert_eq!(wrong.message, SealError::WrongPassphrase.to_string());
        let short = through_worker(Job::Seal {
            key,
            passphrase: "short".into(),
        });
        assert_eq!(
            short.sealed().unwrap_err().message,
            SealError::PassphraseTooShort.to_string()
        );
    }

    #[test]
    fn a_csr_through_the_worker_is_signed_by_the_key() {
        let key = PrivateKey::generate(KeyType::P384).unwrap();
        let identifiers = parse_identifiers("example.test\nwww.example.test").unwrap();
        let der = through_worker(Job::Csr {
            key: key.clone(),
            identifiers: identifiers.clone(),
        })
        .bytes()
        .unwrap();
        let csr = parse_csr(&der).unwrap();
        csr.check_matches(&identifiers).unwrap();
        assert_eq!(csr.public_key_spki, key.public_key_spki_der());
        let none = through_worker(Job::Csr {
            key,
            identifiers: Vec::new(),
        })
        .bytes()
        .unwrap_err();
        assert_eq!(none.message, CsrError::NoIdentifiers.to_string());
    }

    /// A key the person brings, in each format, reads the same through the worker as here; so does a
    /// key that is not one, with the reader's own words.
    #[test]
    fn a_brought_key_is_read_through_the_worker_as_here() {
        let key = PrivateKey::generate(KeyType::P384).unwrap();
        for input in [
            key.to_pkcs8_pem().as_bytes().to_vec(),
            key.to_sec1_pem().unwrap().unwrap().as_bytes().to_vec(),
            key.to_private_jwk().unwrap().as_bytes().to_vec(),
            key.to_pkcs8_der().to_vec(),
        ] {
            let read = through_worker(Job::ReadKey { input: Der(input) })
                .key()
                .unwrap();
            assert_eq!(read, key);
        }
        let garbage = through_worker(Job::ReadKey {
            input: Der(b"not a key".to_vec()),
        })
        .key()
        .unwrap_err();
        let here = PrivateKey::parse(b"not a key").unwrap_err();
        assert_eq!(garbage.message, here.to_string());
    }

    /// Another client's account files (certbot's JWK and regr.json) through the worker: the same account.
    #[test]
    fn account_files_are_read_through_the_worker_as_here() {
        use crate::acme::account::files::{read_account_files, AccountFile, SourceClient};
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let regr = r#"{"body": {"status": "valid"}, "uri": "https://ca.test/acme/acct/7"}"#;
        let files = vec![
            (
                "abc/private_key.json".to_string(),
                Der(key.to_private_jwk().unwrap().as_bytes().to_vec()),
            ),
            ("abc/regr.json".to_string(), Der(regr.as_bytes().to_vec())),
        ];
        let here = read_account_files(&[
            AccountFile {
                path: &files[0].0,
                bytes: &files[0].1 .0,
            },
            AccountFile {
                path: &files[1].0,
                bytes: &files[1].1 .0,
            },
        ])
        .unwrap();
        let read = through_worker(Job::ReadAccountFiles { files })
            .account()
            .unwrap();
        assert_eq!(read, here);
        assert_eq!((read.source, read.key), (SourceClient::Certbot, key));
        let none = through_worker(Job::ReadAccountFiles { files: Vec::new() })
            .account()
            .unwrap_err();
        assert_eq!(
            none.message,
            read_account_files(&[]).unwrap_err().to_string()
        );
    }

    #[test]
    fn a_brought_csr_is_read_through_the_worker_as_here() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let identifiers = parse_identifiers("example.test").unwrap();
        let der = build_csr(&key, &identifiers).unwrap();
        let pem = format!(
            "-----BEGIN CERTIFICATE REQUEST-----\n{}\n-----END CERTIFICATE REQUEST-----\n",
            base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &der)
        );
        let read = through_worker(Job::ReadCsr { input: pem.clone() })
            .csr()
            .unwrap();
        assert_eq!(read, parse_csr(pem.as_bytes()).unwrap());
        assert_eq!(read.der, der);
        // Garbage: the reader's own words come back.
        let garbage = through_worker(Job::ReadCsr {
            input: "-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n".into(),
        })
        .csr()
        .unwrap_err();
        let here = parse_csr(b"-----BEGIN CERTIFICATE REQUEST-----\nnot base64\n").unwrap_err();
        assert_eq!(garbage.message, here.to_string());
    }

    #[test]
    fn a_signature_made_through_the_worker_verifies() {
        for kind in [KeyType::P256, KeyType::P384, KeyType::Rsa2048] {
            let key = PrivateKey::generate(kind).unwrap();
            let signature = through_worker(Job::Sign {
                key: key.clone(),
                input: Der(b"protected.payload".to_vec()),
            })
            .bytes()
            .unwrap();
            crate::pki::key::verify_jws_signature(
                &key.public_jwk(),
                key.jws_alg(),
                b"protected.payload",
                &signature,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", kind.label()));
        }
    }

    #[test]
    fn a_chain_is_read_through_the_worker_as_here() {
        let scratch = crate::pki::key::test_support::Scratch::new("job-chain");
        scratch.self_signed_p256("k.pem", "c.pem", "/CN=job.example.test", 30, &[]);
        let pem = scratch.read_text("c.pem");
        let read = through_worker(Job::ReadChain { pem: pem.clone() })
            .chain()
            .unwrap();
        assert_eq!(read, parse_pem_chain(&pem).unwrap());
        let garbage = through_worker(Job::ReadChain { pem: "no".into() })
            .chain()
            .unwrap_err();
        assert_eq!(
            garbage.message,
            parse_pem_chain("no").unwrap_err().to_string()
        );
    }

    #[test]
    fn a_generated_key_has_its_type() {
        let key = through_worker(Job::Generate {
            kind: KeyType::P256,
        })
        .key()
        .unwrap();
        assert_eq!(key.key_type(), Some(KeyType::P256));
    }

    #[test]
    fn a_pfx_failure_and_a_broken_job_come_back_as_words() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let empty = through_worker(Job::Pfx {
            key,
            chain: Vec::new(),
            password: Some("pw".into()),
            profile: PfxProfile::Compatible,
            friendly_name: String::new(),
        })
        .bytes()
        .unwrap_err();
        assert_eq!(
            empty.message,
            crate::pki::pfx::PfxError::EmptyChain.to_string()
        );
        let broken: Outcome = serde_json::from_str(&answer("{\"nothing\":{}}")).unwrap();
        assert!(broken
            .bytes()
            .unwrap_err()
            .message
            .starts_with("the worker could not read its job"));
    }
}
