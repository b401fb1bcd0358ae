//! Issues a certificate from the command line through the same protocol core the browser app uses, with
//! the contract of certbot's `--manual-auth-hook`: before each challenge is answered, CMD runs with the
//! record or file to place in its environment and must exit 0.
//!
//! ```text
//! cargo run --release --example issue -- --directory URL [--ca-file PEM] --domain NAME... [--ip ADDR...]
//!     --challenge dns-01|http-01 --hook CMD [--key-type p256|p384|rsa2048|rsa3072|rsa4096] [--csr FILE]
//!     [--eab-kid KID --eab-hmac-key B64URL] [--out DIR]
//! ```

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use certsmith::acme::account::NewAccount;
use certsmith::acme::authorization::{ChallengeType, Placement};
use certsmith::acme::client::Client;
use certsmith::acme::flow::Issuance;
use certsmith::acme::identifier::Identifier;
use certsmith::acme::jws::ExternalAccountKey;
use certsmith::acme::order::NewOrder;
use certsmith::native::http::NativeHttp;
use certsmith::native::issue::issue;
use certsmith::pki::cert::parse_pem_chain;
use certsmith::pki::csr::{build_csr, parse_csr};
use certsmith::pki::key::{KeyType, PrivateKey};
use certsmith::Error;

const USAGE: &str = "usage: issue --directory URL [--ca-file PEM] --domain NAME... [--ip ADDR...] \
    --challenge dns-01|http-01 --hook CMD [--key-type p256|p384|rsa2048|rsa3072|rsa4096] [--csr FILE] \
    [--eab-kid KID --eab-hmac-key B64URL] [--out DIR]";

#[derive(Default)]
struct Args {
    directory: String,
    ca_file: Option<PathBuf>,
    names: Vec<String>,
    challenge: String,
    hook: String,
    key_type: Option<KeyType>,
    csr: Option<PathBuf>,
    eab_kid: Option<String>,
    eab_hmac_key: Option<String>,
    out: PathBuf,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        out: PathBuf::from("."),
        ..Args::default()
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--directory" => args.directory = value()?,
            "--ca-file" => args.ca_file = Some(value()?.into()),
            "--domain" | "--ip" => args.names.push(value()?),
            "--challenge" => args.challenge = value()?,
            "--hook" => args.hook = value()?,
            "--key-type" => {
                args.key_type = Some(value()?.parse().map_err(|e| format!("--key-type: {e}"))?)
            }
            "--csr" => args.csr = Some(value()?.into()),
            "--eab-kid" => args.eab_kid = Some(value()?),
            "--eab-hmac-key" => args.eab_hmac_key = Some(value()?),
            "--out" => args.out = value()?.into(),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    if args.directory.is_empty() || args.names.is_empty() || args.hook.is_empty() {
        return Err(format!(
            "--directory, at least one --domain or --ip, and --hook are required\n{USAGE}"
        ));
    }
    if args.challenge != "dns-01" && args.challenge != "http-01" {
        return Err(format!("--challenge must be dns-01 or http-01\n{USAGE}"));
    }
    if args.csr.is_some() && args.key_type.is_some() {
        return Err("--csr and --key-type exclude each other: a CSR brings its own key".into());
    }
    Ok(args)
}

/// Runs the hook for one challenge and waits for it to exit 0.
fn run_hook(hook: &str, name: &str, placement: &Placement) -> Result<(), String> {
    let mut command = Command::new("sh");
    command.arg("-c").arg(hook).env("CERTSMITH_DOMAIN", name);
    match placement {
        Placement::Dns01 { record_name, value } => command
            .env("CERTSMITH_CHALLENGE", "dns-01")
            .env("CERTSMITH_TXT_NAME", record_name)
            .env("CERTSMITH_TXT_VALUE", value),
        Placement::Http01 {
            path,
            token,
            content,
            ..
        } => command
            .env("CERTSMITH_CHALLENGE", "http-01")
            .env("CERTSMITH_HTTP_PATH", path)
            .env("CERTSMITH_HTTP_TOKEN", token)
            .env("CERTSMITH_HTTP_CONTENT", content),
        Placement::DnsPersist01 {
            record_name,
            record,
            ..
        } => command
            .env("CERTSMITH_CHALLENGE", "dns-persist-01")
            .env("CERTSMITH_TXT_NAME", record_name)
            .env("CERTSMITH_TXT_VALUE", record.value()),
    };
    let status = command
        .status()
        .map_err(|e| format!("could not run the hook: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the hook failed for {name} ({status})"))
    }
}

/// Identifiers from names and addresses as typed on the command line.
fn identifiers(names: &[String]) -> Result<Vec<Identifier>, String> {
    names
        .iter()
        .map(|n| Identifier::parse(n).map_err(|e| e.to_string()))
        .collect()
}

fn write(dir: &Path, name: &str, contents: &str) -> Result<(), String> {
    let path = dir.join(name);
    fs::write(&path, contents).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

async fn run(args: Args) -> Result<String, String> {
    let started = Instant::now();
    let ca_pem = match &args.ca_file {
        Some(path) => {
            Some(fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?)
        }
        None => None,
    };
    let http = NativeHttp::new(ca_pem.as_deref())?;
    let client = Client::new(http, &args.directory).await.map_err(explain)?;
    let identifiers = identifiers(&args.names)?;
    // The certificate key and CSR come first, so nothing is ordered that could not be finalized.
    let (csr, certificate_key) = match &args.csr {
        Some(path) => {
            let bytes =
                fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            let csr = parse_csr(&bytes).map_err(|e| e.to_string())?;
            csr.check_matches(&identifiers).map_err(|e| e.to_string())?;
            (csr.der, None)
        }
        None => {
            let kind = args.key_type.unwrap_or(KeyType::P256);
            let key = PrivateKey::generate(kind).map_err(|e| e.to_string())?;
            let csr = build_csr(&key, &identifiers).map_err(|e| e.to_string())?;
            (csr, Some(key))
        }
    };
    let eab = match (&args.eab_kid, &args.eab_hmac_key) {
        (Some(kid), Some(key)) => {
            Some(ExternalAccountKey::new(kid, key).map_err(|e| e.to_string())?)
        }
        (None, None) => None,
        _ => return Err("--eab-kid and --eab-hmac-key go together".into()),
    };
    fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let account_key = PrivateKey::generate(KeyType::P256).map_err(|e| e.to_string())?;
    write(&args.out, "account.key", &account_key.to_pkcs8_pem())?;
    let terms = NewAccount {
        terms_of_service_agreed: true,
        ..NewAccount::default()
    };
    let (account, _) = client
        .new_account(&account_key, &terms, eab.as_ref())
        .await
        .map_err(explain)?;
    let request = NewOrder {
        identifiers,
        ..NewOrder::default()
    };
    let preference = vec![ChallengeType::from(args.challenge.as_str())];
    let issuance = Issuance::new(1, request, csr, preference);
    let hook = |name: &str, placement: &Placement| run_hook(&args.hook, name, placement);
    let issued = issue(&client, &account, issuance, hook)
        .await
        .map_err(|e| e.to_string())?;
    let pem = issued
        .chain
        .as_ref()
        .map(|c| c.pem.as_str())
        .unwrap_or_default();
    let chain = parse_pem_chain(pem).map_err(|e| e.to_string())?;
    let pems: Vec<String> = chain.iter().map(|c| c.to_pem()).collect();
    write(&args.out, "cert.pem", &pems[0])?;
    write(&args.out, "chain.pem", &pems[1..].concat())?;
    write(&args.out, "fullchain.pem", &pems.concat())?;
    if let Some(key) = &certificate_key {
        write(&args.out, "privkey.pem", &key.to_pkcs8_pem())?;
    }
    let stats = client.stats();
    let by_kind: Vec<String> = stats
        .requests
        .iter()
        .map(|(kind, n)| format!("{kind}={n}"))
        .collect();
    Ok(format!(
        "issued {} for {} (order {}): {} requests ({}), {} badNonce retries, {:.2} s",
        args.out.join("fullchain.pem").display(),
        args.names.join(", "),
        issued.order_url.as_deref().unwrap_or_default(),
        stats.total(),
        by_kind.join(" "),
        stats.bad_nonce_retries,
        started.elapsed().as_secs_f64()
    ))
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    match pollster::block_on(run(args)) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

fn explain(error: Error) -> String {
    format!("{error} (hint: {})", error.hint())
}
