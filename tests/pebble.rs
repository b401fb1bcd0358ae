//! Integration tests of the core against a real Pebble and pebble-challtestsrv, started by
//! `scripts/with-pebble.sh` (as `make test` does) with a high nonce-rejection rate. Every chain is verified
//! with openssl against Pebble's root, and every key is matched against its certificate.
//!
//! One file over 600 lines: every test shares one Pebble harness and OpenSSL verification.

#![cfg(not(target_arch = "wasm32"))]

use std::path::PathBuf;
use std::process::Command;

use certsmith::acme::account::{AccountCredentials, AccountStatus, NewAccount};
use certsmith::acme::authorization::{ChallengeType, Placement};
use certsmith::acme::client::{CertificateChain, Client, RevocationReason, Revoker};
use certsmith::acme::flow::Issuance;
use certsmith::acme::identifier::Identifier;
use certsmith::acme::jws::ExternalAccountKey;
use certsmith::acme::order::NewOrder;
use certsmith::acme::problem::ProblemKind;
use certsmith::pki::cert::{parse_pem_chain, CertificateInfo};
use certsmith::pki::key::{KeyType, PrivateKey};

use certsmith::native::http::NativeHttp;
use certsmith::native::issue::issue;
use certsmith::pki::csr::build_csr;

/// Where a test's certificate key comes from.
enum CertificateKey {
    Generate(KeyType),
    /// A CSR the user brings (DER); its key stays with the user.
    Csr(Vec<u8>),
}

/// A finished issuance, with the key generated for it (`None` for a brought CSR).
struct Issued {
    issuance: Issuance,
    chain: CertificateChain,
    key: Option<PrivateKey>,
}

struct Pebble {
    directory: String,
    ca_file: PathBuf,
    management: String,
    challtestsrv: String,
}

fn env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: these tests need the local Pebble; run them with `make test` or scripts/with-pebble.sh")
    })
}

fn pebble() -> Pebble {
    Pebble {
        directory: env("CERTSMITH_TEST_DIRECTORY"),
        ca_file: env("CERTSMITH_TEST_CA_FILE").into(),
        management: env("CERTSMITH_TEST_MGMT"),
        challtestsrv: env("CERTSMITH_TEST_CHALLTESTSRV"),
    }
}

impl Pebble {
    fn http(&self) -> NativeHttp {
        NativeHttp::new(Some(&std::fs::read(&self.ca_file).expect("test CA file")))
            .expect("native client")
    }

    fn client(&self) -> Client<NativeHttp> {
        pollster::block_on(Client::new(self.http(), &self.directory)).expect("directory")
    }

    fn agent(&self) -> ureq::Agent {
        let pem = std::fs::read(&self.ca_file).unwrap();
        let roots: Vec<_> = ureq::tls::parse_pem(&pem)
            .filter_map(|i| match i {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        let tls = ureq::tls::TlsConfig::builder()
            .root_certs(ureq::tls::RootCerts::Specific(roots.into()))
            .build();
        ureq::Agent::config_builder().tls_config(tls).build().into()
    }

    /// Places a record or file through challtestsrv's management API, as a person would in a DNS panel.
    fn place(&self, placement: &Placement) -> Result<(), String> {
        let (path, body) = match placement {
            Placement::Dns01 { record_name, value } => (
                "/set-txt",
                serde_json::json!({ "host": format!("{record_name}."), "value": value }),
            ),
            Placement::Http01 { token, content, .. } => (
                "/add-http01",
                serde_json::json!({ "token": token, "content": content }),
            ),
            // Pebble offers no dns-persist-01: tests/flow.rs covers it against a scripted CA.
            Placement::DnsPersist01 { .. } => return Err("Pebble offers no dns-persist-01".into()),
        };
        self.agent()
            .post(&format!("{}{path}", self.challtestsrv))
            .send(body.to_string())
            .map(|_| ())
            .map_err(|e| format!("challtestsrv {path}: {e}"))
    }

    /// Pebble's root certificate number `n` (alternate roots count up from 0).
    fn root(&self, n: usize) -> String {
        self.agent()
            .get(&format!("{}/roots/{n}", self.management))
            .call()
            .unwrap()
            .into_body()
            .read_to_string()
            .unwrap()
    }

    fn cert_status(&self, cert: &CertificateInfo) -> serde_json::Value {
        let url = format!(
            "{}/cert-status-by-serial/{}",
            self.management,
            cert.serial_hex.to_lowercase()
        );
        serde_json::from_str(
            &self
                .agent()
                .get(&url)
                .call()
                .unwrap()
                .into_body()
                .read_to_string()
                .unwrap(),
        )
        .unwrap()
    }

    fn new_account(&self, client: &Client<NativeHttp>, key_type: KeyType) -> AccountCredentials {
        let key = PrivateKey::generate(key_type).unwrap();
        let terms = NewAccount {
            terms_of_service_agreed: true,
            ..NewAccount::default()
        }
        .with_email("ops@example.test");
        pollster::block_on(client.new_account(&key, &terms, None))
            .expect("newAccount")
            .0
    }

    fn issue(
        &self,
        client: &Client<NativeHttp>,
        account: &AccountCredentials,
        names: &[&str],
        challenge: &str,
        key: CertificateKey,
    ) -> Issued {
        let ids = names
            .iter()
            .map(|n| Identifier::parse(n).unwrap())
            .collect();
        let request = NewOrder {
            identifiers: ids,
            ..NewOrder::default()
        };
        let (csr, key) = match key {
            CertificateKey::Generate(kind) => {
                let key = PrivateKey::generate(kind).unwrap();
                (build_csr(&key, &request.identifiers).unwrap(), Some(key))
            }
            CertificateKey::Csr(der) => (der, None),
        };
        let issuance = Issuance::new(1, request, csr, vec![ChallengeType::from(challenge)]);
        let place = |_: &str, p: &Placement| self.place(p);
        let issuance = pollster::block_on(issue(client, account, issuance, place))
            .unwrap_or_else(|e| panic!("{e}"));
        Issued {
            chain: issuance.chain.clone().expect("a chain"),
            issuance,
            key,
        }
    }
}

/// A scratch directory for openssl's inputs.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("pebble-tests")
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("openssl runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "openssl {args:?} failed: {text}");
    text
}

/// Verifies the downloaded chain against the root with openssl and returns the leaf.
fn verify_chain(name: &str, pem: &str, root_pem: &str) -> CertificateInfo {
    let chain = parse_pem_chain(pem).expect("a PEM chain");
    assert!(chain.len() >= 2, "leaf and at least one intermediate");
    let dir = scratch(name);
    let write = |file: &str, text: &str| {
        let path = dir.join(file);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let leaf = write("cert.pem", &chain[0].to_pem());
    let intermediates = write(
        "chain.pem",
        &chain[1..].iter().map(|c| c.to_pem()).collect::<String>(),
    );
    let root = write("root.pem", root_pem);
    let out = openssl(&[
        "verify",
        "-CAfile",
        &root,
        "-untrusted",
        &intermediates,
        &leaf,
    ]);
    assert!(out.contains(": OK"), "{out}");
    chain.into_iter().next().unwrap()
}

fn names_of(leaf: &CertificateInfo) -> Vec<String> {
    let mut names = leaf.names.clone();
    names.sort();
    names
}

/// A fresh account of `account_key` orders `names`, and the chain is verified against root 0.
fn issue_fresh(
    label: &str,
    names: &[&str],
    challenge: &str,
    account_key: KeyType,
) -> (Issued, CertificateInfo) {
    let (issued, leaf, _) = issue_fresh_counted(label, names, challenge, account_key);
    (issued, leaf)
}

/// [`issue_fresh`] with the requests a fresh client made for it, the directory fetch included.
fn issue_fresh_counted(
    label: &str,
    names: &[&str],
    challenge: &str,
    account_key: KeyType,
) -> (Issued, CertificateInfo, certsmith::acme::client::Stats) {
    let pebble = pebble();
    let client = pebble.client();
    let account = pebble.new_account(&client, account_key);
    let issued = pebble.issue(
        &client,
        &account,
        names,
        challenge,
        CertificateKey::Generate(KeyType::P256),
    );
    let leaf = verify_chain(label, &issued.chain.pem, &pebble.root(0));
    assert!(leaf.key_matches(issued.key.as_ref().unwrap()));
    (issued, leaf, client.stats())
}

#[test]
fn dns01_apex_and_wildcard_in_one_order() {
    let (issued, leaf, stats) = issue_fresh_counted(
        "dns01",
        &["example.test", "*.example.test"],
        "dns-01",
        KeyType::P256,
    );
    assert_eq!(names_of(&leaf), ["*.example.test", "example.test"]);
    assert_eq!(
        issued.issuance.order.as_ref().map(|o| o.status),
        Some(certsmith::acme::order::OrderStatus::Valid)
    );
    // The RFC's floor for a fresh N-name order: directory, newNonce, newAccount, newOrder, N
    // authorizations, N answers, one order poll, finalize, the certificate (7 + 2N), and one more order
    // poll when finalize answered "processing". badNonce retries (Pebble rejects 30% here) come on top
    // and are counted apart.
    let n = 2;
    let floor = 7 + 2 * n + u32::from(issued.issuance.finalize_processing);
    assert_eq!(
        stats.total() - stats.bad_nonce_retries,
        floor,
        "requests by kind: {:?}",
        stats.requests
    );
    assert_eq!(
        stats.requests.get("newNonce"),
        Some(&1),
        "{:?}",
        stats.requests
    );
    assert_eq!(stats.server_error_retries, 0);
}

#[test]
fn http01_for_a_name() {
    let (_, leaf) = issue_fresh(
        "http01-name",
        &["web.http01.test"],
        "http-01",
        KeyType::P256,
    );
    assert_eq!(leaf.names, ["web.http01.test"]);
}

#[test]
fn http01_for_an_ip_address() {
    let (_, leaf) = issue_fresh("http01-ip", &["127.0.0.1"], "http-01", KeyType::P384);
    assert_eq!(leaf.names, ["127.0.0.1"]);
}

#[test]
fn an_rsa_account_key_works() {
    issue_fresh(
        "rsa-account",
        &["rsa-account.test"],
        "dns-01",
        KeyType::Rsa2048,
    );
}

#[test]
fn every_certificate_key_type() {
    let pebble = pebble();
    let client = pebble.client();
    let account = pebble.new_account(&client, KeyType::P256);
    for kind in [
        KeyType::P256,
        KeyType::P384,
        KeyType::Rsa2048,
        KeyType::Rsa3072,
        KeyType::Rsa4096,
    ] {
        let name = format!("{}.keys.test", kind.as_str());
        let issued = pebble.issue(
            &client,
            &account,
            &[&name],
            "dns-01",
            CertificateKey::Generate(kind),
        );
        let leaf = verify_chain(
            &format!("key-{}", kind.as_str()),
            &issued.chain.pem,
            &pebble.root(0),
        );
        let key = issued.key.unwrap();
        assert!(leaf.key_matches(&key), "{kind:?}");
        // And openssl agrees the private key belongs to the certificate.
        let dir = scratch(&format!("key-{}", kind.as_str()));
        std::fs::write(dir.join("privkey.pem"), key.to_pkcs8_pem()).unwrap();
        let from_key = openssl(&[
            "pkey",
            "-in",
            dir.join("privkey.pem").to_str().unwrap(),
            "-pubout",
        ]);
        let from_cert = openssl(&[
            "x509",
            "-in",
            dir.join("cert.pem").to_str().unwrap(),
            "-noout",
            "-pubkey",
        ]);
        assert_eq!(from_key, from_cert, "{kind:?}");
    }
}

#[test]
fn a_csr_the_user_brings() {
    let pebble = pebble();
    let dir = scratch("user-csr");
    let key = dir.join("user.key");
    let csr = dir.join("user.csr");
    openssl(&[
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        key.to_str().unwrap(),
    ]);
    openssl(&[
        "req",
        "-new",
        "-key",
        key.to_str().unwrap(),
        "-subj",
        "/CN=byo.csr.test",
        "-addext",
        "subjectAltName=DNS:byo.csr.test,DNS:www.byo.csr.test",
        "-out",
        csr.to_str().unwrap(),
    ]);
    let parsed = certsmith::pki::csr::parse_csr(&std::fs::read(&csr).unwrap()).unwrap();
    let wanted = [
        Identifier::dns("byo.csr.test"),
        Identifier::dns("www.byo.csr.test"),
    ];
    parsed.check_matches(&wanted).unwrap();
    let client = pebble.client();
    let account = pebble.new_account(&client, KeyType::P256);
    let issued = pebble.issue(
        &client,
        &account,
        &["byo.csr.test", "www.byo.csr.test"],
        "http-01",
        CertificateKey::Csr(parsed.der.clone()),
    );
    assert!(issued.key.is_none());
    let leaf = verify_chain("user-csr", &issued.chain.pem, &pebble.root(0));
    assert_eq!(
        leaf.public_key_spki, parsed.public_key_spki,
        "the certificate carries the CSR's key"
    );
}

#[test]
fn alternate_chain_verifies_against_the_alternate_root() {
    let pebble = pebble();
    let client = pebble.client();
    let account = pebble.new_account(&client, KeyType::P256);
    let issued = pebble.issue(
        &client,
        &account,
        &["alt.chain.test"],
        "dns-01",
        CertificateKey::Generate(KeyType::P256),
    );
    assert_eq!(
        issued.chain.alternates.len(),
        1,
        "Pebble runs with PEBBLE_ALTERNATE_ROOTS=1"
    );
    let alternate =
        pollster::block_on(client.download_certificate(&account, &issued.chain.alternates[0]))
            .unwrap();
    let primary_leaf = verify_chain("alt-primary", &issued.chain.pem, &pebble.root(0));
    let alternate_leaf = verify_chain("alt-alternate", &alternate.pem, &pebble.root(1));
    assert_eq!(
        primary_leaf.der, alternate_leaf.der,
        "same leaf, other issuer chain"
    );
}

#[test]
fn key_rollover_then_order_with_the_new_key() {
    let pebble = pebble();
    let client = pebble.client();
    let old = pebble.new_account(&client, KeyType::P256);
    let new_key = PrivateKey::generate(KeyType::P384).unwrap();
    let rolled = pollster::block_on(client.key_change(&old, &new_key)).expect("keyChange");
    assert_eq!(rolled.url, old.url);
    let issued = pebble.issue(
        &client,
        &rolled,
        &["rollover.test"],
        "dns-01",
        CertificateKey::Generate(KeyType::P256),
    );
    verify_chain("rollover", &issued.chain.pem, &pebble.root(0));
    let found =
        pollster::block_on(client.find_account(&new_key)).expect("the new key finds the account");
    assert_eq!(found.0.url, old.url);
    let err = pollster::block_on(client.fetch_account(&old)).expect_err("the old key is retired");
    assert!(err.problem().is_some(), "{err}");
}

#[test]
fn revocation_by_account_key_and_by_certificate_key() {
    let pebble = pebble();
    let client = pebble.client();
    let account = pebble.new_account(&client, KeyType::P256);
    for (n, by_account) in [(1, true), (2, false)] {
        let name = format!("revoke{n}.test");
        let issued = pebble.issue(
            &client,
            &account,
            &[&name],
            "dns-01",
            CertificateKey::Generate(KeyType::P256),
        );
        let leaf = verify_chain(&format!("revoke{n}"), &issued.chain.pem, &pebble.root(0));
        assert_eq!(pebble.cert_status(&leaf)["Status"], "Valid");
        let key = issued.key.unwrap();
        let revoker = if by_account {
            Revoker::Account(&account)
        } else {
            Revoker::CertificateKey(&key)
        };
        pollster::block_on(client.revoke_certificate(
            revoker,
            &leaf.der,
            Some(RevocationReason::KeyCompromise),
        ))
        .unwrap_or_else(|e| {
            panic!(
                "revocation ({}): {e}",
                if by_account {
                    "account"
                } else {
                    "certificate key"
                }
            )
        });
        let status = pebble.cert_status(&leaf);
        assert_eq!(status["Status"], "Revoked", "{status}");
        assert_eq!(status["Reason"], 1, "{status}");
        let again = pollster::block_on(client.revoke_certificate(
            Revoker::Account(&account),
            &leaf.der,
            None,
        ))
        .unwrap_err();
        assert_eq!(
            again.problem().map(|p| p.kind()),
            Some(ProblemKind::AlreadyRevoked),
            "{again}"
        );
    }
}

#[test]
fn account_deactivation_and_lookup() {
    let pebble = pebble();
    let client = pebble.client();
    let account = pebble.new_account(&client, KeyType::P256);
    let fetched = pollster::block_on(client.fetch_account(&account)).unwrap();
    assert_eq!(fetched.contact, ["mailto:ops@example.test"]);
    let updated =
        pollster::block_on(client.update_contacts(&account, &["mailto:new@example.test".into()]))
            .unwrap();
    assert_eq!(updated.contact, ["mailto:new@example.test"]);
    let deactivated = pollster::block_on(client.deactivate_account(&account)).unwrap();
    assert_eq!(deactivated.status, AccountStatus::Deactivated);
    let err = pollster::block_on(client.new_order(
        &account,
        &NewOrder {
            identifiers: vec![Identifier::dns("gone.test")],
            ..NewOrder::default()
        },
    ))
    .expect_err("a deactivated account cannot order");
    assert_eq!(
        err.problem().map(|p| p.kind()),
        Some(ProblemKind::Unauthorized),
        "{err}"
    );
    let unknown = PrivateKey::generate(KeyType::P256).unwrap();
    let err =
        pollster::block_on(client.find_account(&unknown)).expect_err("no account for a fresh key");
    assert_eq!(
        err.problem().map(|p| p.kind()),
        Some(ProblemKind::AccountDoesNotExist),
        "{err}"
    );
}

#[test]
fn authorization_deactivation() {
    let pebble = pebble();
    let client = pebble.client();
    let account = pebble.new_account(&client, KeyType::P256);
    let order = pollster::block_on(client.new_order(
        &account,
        &NewOrder {
            identifiers: vec![Identifier::dns("deact.authz.test")],
            ..NewOrder::default()
        },
    ))
    .unwrap();
    let authz = pollster::block_on(
        client.deactivate_authorization(&account, &order.order.authorizations[0]),
    )
    .unwrap();
    assert_eq!(
        authz.status,
        certsmith::acme::authorization::AuthorizationStatus::Deactivated
    );
}

#[test]
fn external_account_binding() {
    let directory = env("CERTSMITH_TEST_EAB_DIRECTORY");
    let pebble = pebble();
    let client = pollster::block_on(Client::new(pebble.http(), &directory)).expect("EAB directory");
    assert!(client.directory().meta.external_account_required);
    let key = PrivateKey::generate(KeyType::P256).unwrap();
    let terms = NewAccount {
        terms_of_service_agreed: true,
        ..NewAccount::default()
    };
    let err =
        pollster::block_on(client.new_account(&key, &terms, None)).expect_err("EAB is required");
    assert_eq!(
        err.problem().map(|p| p.kind()),
        Some(ProblemKind::ExternalAccountRequired),
        "{err}"
    );
    let eab = ExternalAccountKey::new(
        &env("CERTSMITH_TEST_EAB_KID"),
        &env("CERTSMITH_TEST_EAB_HMAC_KEY"),
    )
    .unwrap();
    let (account, _) = pollster::block_on(client.new_account(&key, &terms, Some(&eab)))
        .expect("newAccount with EAB");
    let issued = pebble.issue(
        &client,
        &account,
        &["eab.test"],
        "dns-01",
        CertificateKey::Generate(KeyType::P256),
    );
    let eab_pebble = Pebble {
        management: env("CERTSMITH_TEST_EAB_MGMT"),
        ..pebble
    };
    verify_chain("eab", &issued.chain.pem, &eab_pebble.root(0));
}
