//! Account files of the clients people move from, and Certsmith's own account bundle.
//!
//! An ACME account is its key plus the URL the CA gave it (RFC 8555 §7.3); every client keeps both, each its
//! own way:
//! - **certbot**: `accounts/<server>/directory/<id>/` holds `private_key.json` (the key as a JWK, RFC 7517)
//!   and `regr.json` (`{"body": …, "uri": "<account URL>"}`);
//! - **lego**: `accounts/<server>/<email>/` holds `account.json` (`{"email", "registration": {"body",
//!   "uri"}}`) and `keys/<email>.key` (PEM);
//! - **acme.sh**: `ca/<server>/directory/` holds `account.key` (PEM), `ca.conf` (`ACCOUNT_URL='…'`) and
//!   `account.json` (the account object, without its URL);
//! - **Certsmith**: one JSON bundle ([`AccountBundle`]) with the key, the URL and the CA's directory.
//!
//! [`read_account_files`] takes whatever the person picked or dropped (any of these, or a lone key file),
//! as bytes, and says what it found or precisely what is missing. The URL found is a cross-check: the CA
//! still confirms the account by its key (newAccount with onlyReturnExisting, §7.3.1).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::pki::key::{KeyError, PrivateKey};

/// A file as picked or dropped: its path (a folder's files carry their relative path) and its bytes.
#[derive(Clone, Copy, Debug)]
pub struct AccountFile<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

/// The client whose files these are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceClient {
    Certbot,
    Lego,
    AcmeSh,
    Certsmith,
    /// A key file alone: nothing says which client wrote it or which account it has.
    KeyOnly,
}

crate::json::wire_names!(SourceClient {
    Certbot = "Certbot",
    Lego = "Lego",
    AcmeSh = "AcmeSh",
    Certsmith = "Certsmith",
    KeyOnly = "KeyOnly",
});

impl SourceClient {
    pub fn label(self) -> &'static str {
        match self {
            SourceClient::Certbot => "certbot",
            SourceClient::Lego => "lego",
            SourceClient::AcmeSh => "acme.sh",
            SourceClient::Certsmith => "Certsmith",
            SourceClient::KeyOnly => crate::t!("a key file"),
        }
    }
}

/// What the files say about the account. Serialized as the answer of a
/// [`crate::pki::job::Job::ReadAccountFiles`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportedAccount {
    pub source: SourceClient,
    pub key: PrivateKey,
    /// The account URL the client recorded, when it did.
    pub url: Option<String>,
    /// The CA's directory URL, when the files name it (Certsmith's bundle does).
    pub directory: Option<String>,
    pub email: Option<String>,
}

/// Why the files do not make an account.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("{}", crate::t!("no files were given"))]
    Empty,
    #[error("{0}")]
    Missing(String),
    #[error("{}", crate::t!("{path} cannot be used: {reason}", path = .path, reason = .reason))]
    Unreadable { path: String, reason: String },
    #[error("{path}: {error}")]
    Key { path: String, error: KeyError },
    #[error("{}", crate::t!(
        "these files hold more than one key ({paths}); pick the files of one account",
        paths = .0
    ))]
    SeveralKeys(String),
}

/// Certsmith's account bundle: everything needed to use the account elsewhere, in one file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccountBundle {
    /// Always [`AccountBundle::FORMAT`].
    pub format: String,
    /// The CA's directory URL.
    pub directory: String,
    /// The account URL (RFC 8555 §7.3).
    pub url: String,
    /// The account key, PKCS#8 PEM.
    pub key: String,
}

impl AccountBundle {
    pub const FORMAT: &'static str = "certsmith-account-1";

    pub fn new(directory: &str, url: &str, key: &PrivateKey) -> Self {
        AccountBundle {
            format: Self::FORMAT.into(),
            directory: directory.into(),
            url: url.into(),
            key: key.to_pkcs8_pem(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Reads the account in `files` (see the module documentation for the layouts recognized).
pub fn read_account_files(files: &[AccountFile<'_>]) -> Result<ImportedAccount, ImportError> {
    if files.is_empty() {
        return Err(ImportError::Empty);
    }
    if let Some(found) = bundle(files)? {
        return Ok(found);
    }
    let (source, url, email) = account_record(files)?;
    let key = account_key(files, source)?;
    Ok(ImportedAccount {
        source,
        key,
        url,
        directory: None,
        email,
    })
}

/// The file name, without the folders of a dropped folder.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn json(file: &AccountFile<'_>) -> Result<Value, ImportError> {
    serde_json::from_slice(file.bytes).map_err(|e| ImportError::Unreadable {
        path: file.path.into(),
        reason: crate::t!("it is not valid JSON ({error})", error = e),
    })
}

fn text(file: &AccountFile<'_>) -> Result<String, ImportError> {
    String::from_utf8(file.bytes.to_vec()).map_err(|_| ImportError::Unreadable {
        path: file.path.into(),
        reason: crate::t!("it is not text").into(),
    })
}

/// A Certsmith bundle among the files, read in full.
fn bundle(files: &[AccountFile<'_>]) -> Result<Option<ImportedAccount>, ImportError> {
    for file in files {
        let Ok(value) = serde_json::from_slice::<Value>(file.bytes) else {
            continue;
        };
        if value.get("format").and_then(Value::as_str) != Some(AccountBundle::FORMAT) {
            continue;
        }
        let bundle: AccountBundle =
            serde_json::from_value(value).map_err(|e| ImportError::Unreadable {
                path: file.path.into(),
                reason: crate::t!(
                    "it is a damaged Certsmith account bundle ({error})",
                    error = e
                ),
            })?;
        let key = PrivateKey::parse(bundle.key.as_bytes()).map_err(|error| ImportError::Key {
            path: file.path.into(),
            error,
        })?;
        return Ok(Some(ImportedAccount {
            source: SourceClient::Certsmith,
            key,
            url: Some(bundle.url),
            directory: Some(bundle.directory),
            email: None,
        }));
    }
    Ok(None)
}

/// Which client's account record is among the files, with the account URL and email it holds.
fn account_record(
    files: &[AccountFile<'_>],
) -> Result<(SourceClient, Option<String>, Option<String>), ImportError> {
    let named = |name: &str| files.iter().find(|f| file_name(f.path) == name);
    if let Some(regr) = named("regr.json") {
        let uri = json(regr)?
            .get("uri")
            .and_then(Value::as_str)
            .map(String::from);
        return Ok((SourceClient::Certbot, uri, None));
    }
    if let Some(conf) = named("ca.conf") {
        return Ok((
            SourceClient::AcmeSh,
            shell_value(&text(conf)?, "ACCOUNT_URL"),
            None,
        ));
    }
    if let Some(account) = named("account.json") {
        let value = json(account)?;
        if let Some(registration) = value.get("registration") {
            let uri = registration
                .get("uri")
                .and_then(Value::as_str)
                .map(String::from);
            let email = value.get("email").and_then(Value::as_str).map(String::from);
            return Ok((SourceClient::Lego, uri, email.filter(|e| !e.is_empty())));
        }
        // acme.sh's account.json is the CA's account object: no URL; its key is account.key.
        if named("account.key").is_some() {
            return Ok((SourceClient::AcmeSh, None, None));
        }
    }
    if named("private_key.json").is_some() {
        return Ok((SourceClient::Certbot, None, None));
    }
    if named("account.key").is_some() {
        return Ok((SourceClient::AcmeSh, None, None));
    }
    Ok((SourceClient::KeyOnly, None, None))
}

/// `NAME='value'` (or `"value"`, or bare) in a shell-style file such as acme.sh's `ca.conf`.
fn shell_value(conf: &str, name: &str) -> Option<String> {
    conf.lines().find_map(|line| {
        let value = line.trim().strip_prefix(name)?.strip_prefix('=')?.trim();
        let unquoted = value
            .strip_prefix('\'')
            .and_then(|v| v.strip_suffix('\''))
            .or_else(|| value.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
            .unwrap_or(value);
        Some(unquoted.to_string()).filter(|v| !v.is_empty())
    })
}

/// The one account key among the files: where `source` keeps it, else any file that reads as a key.
fn account_key(files: &[AccountFile<'_>], source: SourceClient) -> Result<PrivateKey, ImportError> {
    let expected = match source {
        SourceClient::Certbot => Some("private_key.json"),
        SourceClient::AcmeSh => Some("account.key"),
        _ => None,
    };
    if let Some(name) = expected {
        if let Some(file) = files.iter().find(|f| file_name(f.path) == name) {
            return PrivateKey::parse(file.bytes).map_err(|error| ImportError::Key {
                path: file.path.into(),
                error,
            });
        }
    }
    // Records and notes are never keys; every other file is tried.
    let records = ["regr.json", "meta.json", "account.json", "ca.conf"];
    let candidates: Vec<_> = files
        .iter()
        .filter(|f| !records.contains(&file_name(f.path)))
        .collect();
    let keys: Vec<_> = candidates
        .iter()
        .filter_map(|f| PrivateKey::parse(f.bytes).ok().map(|key| (f.path, key)))
        .collect();
    match keys.as_slice() {
        [(_, key)] => Ok(key.clone()),
        [] => Err(missing_key(source, &candidates)),
        several => Err(ImportError::SeveralKeys(
            several
                .iter()
                .map(|(path, _)| *path)
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

/// Says where the key should have been, or why the one file offered is not a key.
fn missing_key(source: SourceClient, candidates: &[&AccountFile<'_>]) -> ImportError {
    if let [only] = candidates {
        if let Err(error) = PrivateKey::parse(only.bytes) {
            return ImportError::Key {
                path: only.path.into(),
                error,
            };
        }
    }
    ImportError::Missing(match source {
        SourceClient::Certbot => crate::t!(
            "certbot keeps the account key in private_key.json, next to regr.json: \
                 pick both files (or the whole account folder)"
        )
        .into(),
        SourceClient::Lego => crate::t!(
            "lego keeps the account key in keys/<email>.key, beside account.json: pick \
                 both files (or the whole account folder)"
        )
        .into(),
        SourceClient::AcmeSh => crate::t!(
            "acme.sh keeps the account key in account.key, next to ca.conf: pick both \
                 files (or the whole folder)"
        )
        .into(),
        SourceClient::Certsmith | SourceClient::KeyOnly => {
            crate::t!("none of these files is a private key (PEM, DER or JWK)").into()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pki::key::KeyType;

    fn file<'a>(path: &'a str, bytes: &'a [u8]) -> AccountFile<'a> {
        AccountFile { path, bytes }
    }

    const URL: &str = "https://ca.test/acme/acct/42";

    #[test]
    fn certbot_account_folder() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let jwk = key.to_private_jwk().unwrap();
        let regr = format!(r#"{{"body": {{"status": "valid"}}, "uri": "{URL}"}}"#);
        let meta = r#"{"creation_dt": "2026-01-01T00:00:00Z", "creation_host": "h"}"#;
        let found = read_account_files(&[
            file("accounts/ca.test/directory/abc/meta.json", meta.as_bytes()),
            file(
                "accounts/ca.test/directory/abc/private_key.json",
                jwk.as_bytes(),
            ),
            file("accounts/ca.test/directory/abc/regr.json", regr.as_bytes()),
        ])
        .unwrap();
        assert_eq!(found.source, SourceClient::Certbot);
        assert_eq!(found.key, key);
        assert_eq!(found.url.as_deref(), Some(URL));
        // regr.json alone says where the key is.
        let alone = read_account_files(&[file("regr.json", regr.as_bytes())]).unwrap_err();
        assert!(alone.to_string().contains("private_key.json"), "{alone}");
    }

    #[test]
    fn lego_account_folder() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let account = format!(
            r#"{{"email": "me@example.org", "registration": {{"body": {{"status": "valid"}}, "uri": "{URL}"}}}}"#
        );
        let pem = key.to_sec1_pem().unwrap().unwrap();
        let found = read_account_files(&[
            file("me@example.org/account.json", account.as_bytes()),
            file("me@example.org/keys/me@example.org.key", pem.as_bytes()),
        ])
        .unwrap();
        assert_eq!(found.source, SourceClient::Lego);
        assert_eq!(found.key, key);
        assert_eq!(found.url.as_deref(), Some(URL));
        assert_eq!(found.email.as_deref(), Some("me@example.org"));
    }

    #[test]
    fn acme_sh_folder_with_quoted_and_bare_values() {
        // acme.sh makes an ECDSA P-256 account key by default and writes it as SEC1 PEM.
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let pem = key.to_sec1_pem().unwrap().unwrap();
        for conf in [
            format!("CA_EMAIL=''\nACCOUNT_URL='{URL}'\nACCOUNT_THUMBPRINT='x'\n"),
            format!("ACCOUNT_URL=\"{URL}\"\n"),
            format!("  ACCOUNT_URL={URL}\n"),
        ] {
            let found = read_account_files(&[
                file("ca.conf", conf.as_bytes()),
                file("account.key", pem.as_bytes()),
                file("account.json", br#"{"status": "valid"}"#),
            ])
            .unwrap();
            assert_eq!(found.source, SourceClient::AcmeSh);
            assert_eq!(found.key, key);
            assert_eq!(found.url.as_deref(), Some(URL), "{conf}");
        }
        // Without ca.conf: the key, and no URL (the CA looks the account up by its key).
        let found = read_account_files(&[
            file("account.json", br#"{"status": "valid"}"#),
            file("account.key", pem.as_bytes()),
        ])
        .unwrap();
        assert_eq!((found.source, found.url), (SourceClient::AcmeSh, None));
    }

    #[test]
    fn certsmith_bundle_round_trips() {
        let key = PrivateKey::generate(KeyType::P384).unwrap();
        let bundle = AccountBundle::new("https://ca.test/dir", URL, &key);
        let json = bundle.to_json();
        let found = read_account_files(&[file("account.certsmith.json", json.as_bytes())]).unwrap();
        assert_eq!(found.source, SourceClient::Certsmith);
        assert_eq!(found.key, key);
        assert_eq!(found.url.as_deref(), Some(URL));
        assert_eq!(found.directory.as_deref(), Some("https://ca.test/dir"));
        let damaged = json.replace("BEGIN PRIVATE KEY", "BEGIN NOTHING");
        assert!(matches!(
            read_account_files(&[file("b.json", damaged.as_bytes())]),
            Err(ImportError::Key { .. })
        ));
    }

    #[test]
    fn a_lone_key_file_in_any_format_including_der_bytes() {
        let key = PrivateKey::generate(KeyType::P256).unwrap();
        let der = key.to_pkcs8_der();
        let found = read_account_files(&[file("account.der", &der)]).unwrap();
        assert_eq!((found.source, found.key), (SourceClient::KeyOnly, key));
    }

    #[test]
    fn what_is_wrong_is_said() {
        assert_eq!(read_account_files(&[]), Err(ImportError::Empty));
        let cert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        let err = read_account_files(&[file("cert.pem", cert.as_bytes())]).unwrap_err();
        assert!(matches!(err, ImportError::Key { .. }), "{err}");
        let a = PrivateKey::generate(KeyType::P256).unwrap().to_pkcs8_pem();
        let b = PrivateKey::generate(KeyType::P256).unwrap().to_pkcs8_pem();
        let err = read_account_files(&[file("a.pem", a.as_bytes()), file("b.pem", b.as_bytes())])
            .unwrap_err();
        assert_eq!(err, ImportError::SeveralKeys("a.pem, b.pem".into()));
        let err = read_account_files(&[file("regr.json", b"{not json")]).unwrap_err();
        assert!(err.to_string().contains("not valid JSON"), "{err}");
    }
}
