//! How long key generation takes natively, per key type: median, min and max over N runs.
//!
//! Run optimized (RSA in a debug build is meaningless): `cargo run --release --example keygen_bench`.
//! An optional argument scales the run counts, e.g. `… --example keygen_bench -- 2` for twice as many.

use std::time::{Duration, Instant};

use certsmith::pki::key::{KeyType, PrivateKey};

/// Runs per key type: many for the fast kinds, fewer for the slow RSA sizes.
fn runs(kind: KeyType) -> usize {
    match kind {
        KeyType::P256 | KeyType::P384 => 50,
        KeyType::Rsa2048 => 10,
        KeyType::Rsa3072 => 6,
        KeyType::Rsa4096 => 4,
    }
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let scale: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1)
        .max(1);
    println!(
        "{:<12} {:>5} {:>12} {:>12} {:>12}",
        "key type", "runs", "median ms", "min ms", "max ms"
    );
    for kind in KeyType::ALL {
        let n = runs(kind) * scale;
        let mut times = Vec::with_capacity(n);
        for _ in 0..n {
            let start = Instant::now();
            let key = PrivateKey::generate(kind)?;
            times.push(start.elapsed());
            // Use the key so the work cannot be optimized away.
            std::hint::black_box(key.thumbprint());
        }
        times.sort();
        let (min, max) = (times[0], times[n - 1]);
        let median = if n % 2 == 1 {
            times[n / 2]
        } else {
            (times[n / 2 - 1] + times[n / 2]) / 2
        };
        println!(
            "{:<12} {:>5} {:>12.1} {:>12.1} {:>12.1}",
            kind.label(),
            n,
            millis(median),
            millis(min),
            millis(max)
        );
    }
    Ok(())
}
