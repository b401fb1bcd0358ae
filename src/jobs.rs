//! Certsmith's jobs module: the slow and rarely needed work of [`certsmith::pki::job`] (RSA, the CSR, PBKDF2
//! for the account key's lock and the PFX) in a wasm of its own, built by Trunk beside the page's
//! (index.html, `data-type="worker"`).
//!
//! The page's wasm has none of this code, so the first load is lighter by it. The page's worker
//! (www/worker.js) loads this module and answers each job with it; where the page has no worker, the page
//! loads it itself (src/web/worker.rs). The service worker caches it after the first load, so it works
//! offline too.

/// The module's one entry: a job of [`certsmith::pki::job`] as JSON, its outcome as JSON. The page's first
/// job also brings its language and catalogue (none for English), installed before the job runs, so the
/// job's errors are in the page's language.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = certsmithJob)]
pub fn certsmith_job(job: &str, lang: Option<String>, catalogue: Option<String>) -> String {
    if let (Some(lang), Some(catalogue)) = (lang, catalogue) {
        certsmith::web::lang::install_in_worker(&lang, &catalogue);
    }
    certsmith::pki::job::answer(job)
}

/// Runs when the module loads: a panic ends the job (the page then says the job failed); say why in the
/// console, where the page's own panic overlay cannot reach. Only a build with the panic machinery has
/// the hook: the release builds stop at a panic without it (-Cpanic=immediate-abort, Makefile), and the
/// worker reports the trap (www/worker.js).
#[cfg(target_arch = "wasm32")]
fn main() {
    #[cfg(not(panic = "immediate-abort"))]
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&format!("Certsmith's jobs module panicked: {info}").into())
    }));
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("certsmith-jobs is the web app's jobs module: `make build` builds it with the page.");
    std::process::exit(2);
}
