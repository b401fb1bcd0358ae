//! The stress driver of `make stress` (scripts/stress.sh): N native issuances, each for its own name,
//! through a fault-injecting proxy (scripts/fault-proxy.py) in front of Pebble.
//!
//! Each issuance is driven step by step as the page drives it: the `Issuance` is saved as JSON after every
//! step (as the page keeps it in localStorage) and read back from that JSON before the next one, so every
//! step resumes from saved state (through [`Driver::saved`] of the flow's own loop, `flow::run`). When the
//! flow gives up (more transient failures in a row than it waits out, or an error it hands to the person),
//! the driver does what "try again" does: it goes on from the saved state, up to `--max-resumes` times per
//! issuance.
//!
//! ```text
//! cargo run --example stress -- --directory URL --ca-file PEM --challtestsrv URL --out DIR \
//!     [--count N] [--jobs J] [--max-resumes R]
//! ```
//!
//! Writes DIR/NNN/{issuance.json,cert.pem,chain.pem,privkey.pem} and DIR/results.json (one entry per
//! issuance: name, ok, error, resumes, read-backs, order URL).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use certsmith::acme::account::{AccountCredentials, NewAccount};
use certsmith::acme::authorization::{ChallengeType, Placement};
use certsmith::acme::client::Client;
use certsmith::acme::flow::{self, Driver, Issuance, RunError, WaitReason};
use certsmith::acme::identifier::Identifier;
use certsmith::acme::order::NewOrder;
use certsmith::native::http::NativeHttp;
use certsmith::pki::cert::parse_pem_chain;
use certsmith::pki::csr::build_csr;
use certsmith::pki::key::{KeyType, PrivateKey};
use serde_json::json;

struct Args {
    directory: String,
    ca_file: PathBuf,
    challtestsrv: String,
    out: PathBuf,
    count: usize,
    jobs: usize,
    max_resumes: u32,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        directory: String::new(),
        ca_file: PathBuf::new(),
        challtestsrv: String::new(),
        out: PathBuf::from("target/stress"),
        count: 20,
        jobs: 2,
        max_resumes: 20,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--directory" => args.directory = value,
            "--ca-file" => args.ca_file = value.into(),
            "--challtestsrv" => args.challtestsrv = value,
            "--out" => args.out = value.into(),
            "--count" => args.count = number(&value)?,
            "--jobs" => args.jobs = number(&value)?.max(1),
            "--max-resumes" => args.max_resumes = number(&value)? as u32,
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    if args.directory.is_empty() || args.challtestsrv.is_empty() {
        return Err("--directory, --ca-file and --challtestsrv are required".into());
    }
    Ok(args)
}

/// What one issuance came to.
struct Outcome {
    name: String,
    ok: bool,
    error: Option<String>,
    resumes: u32,
    read_backs: u32,
    order_url: Option<String>,
    seconds: f64,
}

/// Retries `f` (directory, account: outside the issuance flow) with a 1 s pause, up to 30 times.
fn retrying<T>(what: &str, mut f: impl FnMut() -> Result<T, String>) -> Result<T, String> {
    let mut last = String::new();
    for _ in 0..30 {
        match f() {
            Ok(value) => return Ok(value),
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    Err(format!("{what}: {last}"))
}

fn save(path: &Path, issuance: &Issuance) -> Result<(), String> {
    let json = serde_json::to_string(issuance).map_err(|e| e.to_string())?;
    let tmp = path.with_extension("json.tmp");
    fs::write(&tmp, json).map_err(|e| e.to_string())?;
    fs::rename(&tmp, path).map_err(|e| e.to_string())
}

fn load(path: &Path) -> Result<Issuance, String> {
    let json = fs::read_to_string(path).map_err(|e| e.to_string())?;
    serde_json::from_str(&json).map_err(|e| format!("saved state unreadable: {e}"))
}

fn place(challtestsrv: &str, placement: &Placement) -> Result<(), String> {
    let Placement::Dns01 { record_name, value } = placement else {
        return Err("only dns-01 is placed here".into());
    };
    let body = json!({"host": format!("{record_name}."), "value": value}).to_string();
    retrying("challtestsrv", || {
        ureq::post(&format!("{challtestsrv}/set-txt"))
            .send(&body)
            .map(|_| ())
            .map_err(|e| e.to_string())
    })
}

/// An issuance's resumes, read-backs and order URL.
type Done = (u32, u32, Option<String>);
/// Why an issuance was lost, with its resumes and read-backs.
type Lost = (String, u32, u32);

/// Runs one issuance for `name` to its end, from saved state at every step.
fn issue_one(
    args: &Args,
    client: &Client<NativeHttp>,
    account: &AccountCredentials,
    index: usize,
    name: &str,
) -> Result<Done, Lost> {
    let dir = args.out.join(format!("{index:03}"));
    fs::create_dir_all(&dir).map_err(|e| (e.to_string(), 0, 0))?;
    let state = dir.join("issuance.json");
    let key = PrivateKey::generate(KeyType::P256).map_err(|e| (e.to_string(), 0, 0))?;
    let identifiers = vec![Identifier::parse(name).map_err(|e| (e.to_string(), 0, 0))?];
    let csr = build_csr(&key, &identifiers).map_err(|e| (e.to_string(), 0, 0))?;
    let request = NewOrder {
        identifiers,
        ..NewOrder::default()
    };
    let fresh = Issuance::new(
        index as u64 + 1,
        request,
        csr,
        vec![ChallengeType::from("dns-01")],
    );
    save(&state, &fresh).map_err(|e| (e, 0, 0))?;
    let mut driver = Stress {
        challtestsrv: &args.challtestsrv,
        state: &state,
        read_backs: 0,
        unsure: false,
    };
    let mut resumes = 0u32;
    let issuance = loop {
        // Every attempt starts from what was saved, as after a reload.
        let mut issuance = load(&state).map_err(|e| (e, resumes, driver.read_backs))?;
        match pollster::block_on(flow::run(client, account, &mut issuance, &mut driver)) {
            Ok(()) => break issuance,
            // What "try again" does: go on from the saved state.
            Err(RunError::Acme(error)) => {
                resumes += 1;
                eprintln!("stress: {name}: {error}; resuming from saved state ({resumes})");
                if resumes > args.max_resumes {
                    let why = format!("gave up after {resumes} resumes: {error}");
                    return Err((why, resumes, driver.read_backs));
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            Err(other) => return Err((other.to_string(), resumes, driver.read_backs)),
        }
    };
    let read_backs = driver.read_backs;
    let fail = |e: String| (e, resumes, read_backs);
    let pem = issuance
        .chain
        .as_ref()
        .map(|c| c.pem.as_str())
        .unwrap_or_default();
    let chain = parse_pem_chain(pem).map_err(|e| fail(e.to_string()))?;
    let pems: Vec<String> = chain.iter().map(|c| c.to_pem()).collect();
    let write =
        |file: &str, text: &str| fs::write(dir.join(file), text).map_err(|e| fail(e.to_string()));
    write("cert.pem", &pems[0])?;
    write("chain.pem", &pems[1..].concat())?;
    write("privkey.pem", &key.to_pkcs8_pem())?;
    Ok((resumes, read_backs, issuance.order_url.clone()))
}

/// The stress run's side of [`flow::run`]: the wall clock, records through challtestsrv, and the state
/// saved as JSON after every step and read back from that JSON, as the page does across a reload.
struct Stress<'a> {
    challtestsrv: &'a str,
    state: &'a Path,
    /// Requests whose outcome was unknown, so the flow read the state back.
    read_backs: u32,
    unsure: bool,
}

impl Driver for Stress<'_> {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    async fn wait(&mut self, until: SystemTime, _why: WaitReason) {
        let wait = until.duration_since(SystemTime::now()).unwrap_or_default();
        std::thread::sleep(wait.min(Duration::from_secs(60)));
    }

    fn place(&mut self, _name: &str, placement: &Placement) -> Result<(), String> {
        place(self.challtestsrv, placement)
    }

    fn saved(&mut self, issuance: &mut Issuance) -> Result<(), String> {
        if !self.unsure && issuance.unsure.is_some() {
            self.read_backs += 1;
        }
        self.unsure = issuance.unsure.is_some();
        save(self.state, issuance)?;
        *issuance = load(self.state)?;
        Ok(())
    }
}

fn worker(
    args: &Args,
    next: &AtomicUsize,
    results: &Mutex<Vec<Option<Outcome>>>,
) -> Result<(), String> {
    let ca = fs::read(&args.ca_file).map_err(|e| format!("{}: {e}", args.ca_file.display()))?;
    let client = retrying("directory", || {
        let http = NativeHttp::new(Some(&ca))?;
        pollster::block_on(Client::new(http, &args.directory)).map_err(|e| e.to_string())
    })?;
    let account_key = PrivateKey::generate(KeyType::P256).map_err(|e| e.to_string())?;
    let terms = NewAccount {
        terms_of_service_agreed: true,
        ..NewAccount::default()
    };
    // newAccount with the same key returns the same account: sending it again is harmless.
    let (account, _) = retrying("newAccount", || {
        pollster::block_on(client.new_account(&account_key, &terms, None))
            .map_err(|e| e.to_string())
    })?;
    loop {
        let index = next.fetch_add(1, Ordering::SeqCst);
        if index >= args.count {
            return Ok(());
        }
        let name = format!("i{index:03}.stress.test");
        let started = Instant::now();
        let outcome = match issue_one(args, &client, &account, index, &name) {
            Ok((resumes, read_backs, order_url)) => Outcome {
                name,
                ok: true,
                error: None,
                resumes,
                read_backs,
                order_url,
                seconds: started.elapsed().as_secs_f64(),
            },
            Err((error, resumes, read_backs)) => {
                eprintln!("stress: {name}: LOST: {error}");
                Outcome {
                    name,
                    ok: false,
                    error: Some(error),
                    resumes,
                    read_backs,
                    order_url: None,
                    seconds: started.elapsed().as_secs_f64(),
                }
            }
        };
        eprintln!(
            "stress: {} {} in {:.1} s ({} resumes, {} read-backs)",
            outcome.name,
            if outcome.ok { "issued" } else { "FAILED" },
            outcome.seconds,
            outcome.resumes,
            outcome.read_backs
        );
        results.lock().unwrap()[index] = Some(outcome);
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    if let Err(e) = fs::create_dir_all(&args.out) {
        eprintln!("{}: {e}", args.out.display());
        return ExitCode::FAILURE;
    }
    let next = AtomicUsize::new(0);
    let results = Mutex::new(
        (0..args.count)
            .map(|_| None)
            .collect::<Vec<Option<Outcome>>>(),
    );
    let worker_errors: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..args.jobs)
            .map(|_| s.spawn(|| worker(&args, &next, &results)))
            .collect();
        handles
            .into_iter()
            .filter_map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("worker panicked".into()))
                    .err()
            })
            .collect()
    });
    for e in &worker_errors {
        eprintln!("stress: worker failed: {e}");
    }
    let results = results.into_inner().unwrap();
    let entries: Vec<_> = results
        .iter()
        .enumerate()
        .map(|(i, r)| match r {
            Some(o) => json!({
                "index": i, "name": o.name, "ok": o.ok, "error": o.error, "resumes": o.resumes,
                "readBacks": o.read_backs, "orderUrl": o.order_url, "seconds": o.seconds,
            }),
            None => json!({"index": i, "name": format!("i{i:03}.stress.test"), "ok": false,
                           "error": "never run", "resumes": 0, "readBacks": 0}),
        })
        .collect();
    let report = json!({"issuances": entries, "seconds": started.elapsed().as_secs_f64()});
    let path = args.out.join("results.json");
    if let Err(e) = fs::write(&path, serde_json::to_string_pretty(&report).unwrap()) {
        eprintln!("{}: {e}", path.display());
        return ExitCode::FAILURE;
    }
    let ok = results.iter().flatten().filter(|o| o.ok).count();
    println!(
        "stress driver: {ok}/{} issued in {:.1} s",
        args.count,
        started.elapsed().as_secs_f64()
    );
    if ok == args.count {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
