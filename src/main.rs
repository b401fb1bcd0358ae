//! The Certsmith browser app (built for wasm32 by Trunk).
//!
//! The same wasm also runs in the page's worker (www/worker.js), where there is no window: there it mounts
//! nothing and only answers [`certsmith_job`].

#[cfg(target_arch = "wasm32")]
mod app;

#[cfg(target_arch = "wasm32")]
fn main() {
    if web_sys::window().is_none() {
        // In the worker: a panic ends the job (the page then does the work itself); say why in the console.
        std::panic::set_hook(Box::new(|info| {
            web_sys::console::error_1(&format!("Certsmith's worker panicked: {info}").into())
        }));
        return;
    }
    yew::set_custom_panic_hook(Box::new(certsmith::web::panic::hook));
    // The texts first: a German page reads its catalogue (precached, so offline too) before it mounts.
    wasm_bindgen_futures::spawn_local(async {
        certsmith::web::lang::install_chosen().await;
        yew::Renderer::<app::App>::new().render();
    });
}

/// The worker's one entry (www/worker.js calls it): a job of [`certsmith::pki::job`] as JSON, its outcome
/// as JSON. The page's first job also brings its language and catalogue (none for English), installed
/// before the job runs, so the job's errors are in the page's language.
#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen(js_name = certsmithJob)]
pub fn certsmith_job(job: &str, lang: Option<String>, catalogue: Option<String>) -> String {
    if let (Some(lang), Some(catalogue)) = (lang, catalogue) {
        certsmith::web::lang::install_in_worker(&lang, &catalogue);
    }
    certsmith::pki::job::answer(job)
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("certsmith is a web app: build it with `make build` or run it with `make serve`.");
    std::process::exit(2);
}
