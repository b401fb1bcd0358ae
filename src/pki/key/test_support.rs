//! Scratch directories and an OpenSSL runner for the cross-checks in this crate's tests, and sample keys
//! for the key module's own tests. OpenSSL is the reference the PEM, DER and JWS code is checked against.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{KeyType, PrivateKey};

/// A fresh directory under the system temp dir, removed when dropped.
pub(crate) struct Scratch(PathBuf);

impl Scratch {
    pub(crate) fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("certsmith-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch directory");
        Scratch(dir)
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub(crate) fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.path(name), bytes).expect("write scratch file");
    }

    pub(crate) fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).expect("read scratch file")
    }

    pub(crate) fn read_text(&self, name: &str) -> String {
        String::from_utf8(self.read(name)).expect("scratch file is UTF-8")
    }

    /// Runs `openssl args…` in this directory.
    pub(crate) fn run_openssl(&self, args: &[&str]) -> Output {
        Command::new("openssl")
            .args(args)
            .current_dir(&self.0)
            .output()
            .expect("run openssl")
    }

    /// Runs `openssl args…` in this directory, insists it succeeds, returns its stdout.
    pub(crate) fn openssl(&self, args: &[&str]) -> String {
        let out = self.run_openssl(args);
        assert!(
            out.status.success(),
            "openssl {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// `openssl genpkey` of a new P-256 key, to `name` (PKCS#8 PEM).
    pub(crate) fn genpkey_p256(&self, name: &str) {
        self.openssl(&[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            name,
        ]);
    }

    /// `openssl req -x509` with a new P-256 key: the key to `key`, the self-signed certificate (PEM, valid
    /// `days`) to `cert`, for `subject`, with any `extra` arguments (`-addext …`).
    pub(crate) fn self_signed_p256(
        &self,
        key: &str,
        cert: &str,
        subject: &str,
        days: u32,
        extra: &[&str],
    ) {
        let days = days.to_string();
        let mut args = vec![
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-subj",
            subject,
            "-days",
            &days,
        ];
        args.extend_from_slice(extra);
        self.openssl(&args);
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One key of every kind. RSA 3072/4096 come from OpenSSL because generating them in an unoptimized
/// test build takes long; `generate` itself is exercised for P-256, P-384 and RSA 2048 here and for
/// every type in examples/keygen_bench.rs.
pub(super) fn sample_keys(scratch: &Scratch) -> Vec<PrivateKey> {
    let mut keys: Vec<PrivateKey> = [KeyType::P256, KeyType::P384, KeyType::Rsa2048]
        .map(|kind| PrivateKey::generate(kind).unwrap())
        .into();
    for bits in ["3072", "4096"] {
        let name = format!("rsa{bits}.pem");
        let bits_opt = format!("rsa_keygen_bits:{bits}");
        scratch.openssl(&[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            &bits_opt,
            "-out",
            &name,
        ]);
        keys.push(PrivateKey::from_pem(&scratch.read_text(&name)).unwrap());
    }
    keys
}

pub(super) fn openssl_key(scratch: &Scratch, name: &str, args: &[&str]) -> (PrivateKey, Vec<u8>) {
    // "-out" right after the subcommand: genrsa wants the key size as its last argument.
    let mut full = args.to_vec();
    full.splice(1..1, ["-out", name]);
    scratch.openssl(&full);
    let bytes = scratch.read(name);
    (
        PrivateKey::parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}")),
        bytes,
    )
}

pub(super) fn openssl_spki(scratch: &Scratch, pem_file: &str) -> Vec<u8> {
    let out = format!("{pem_file}.spki.der");
    scratch.openssl(&[
        "pkey", "-in", pem_file, "-pubout", "-outform", "DER", "-out", &out,
    ]);
    scratch.read(&out)
}
