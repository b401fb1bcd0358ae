//! The Certsmith browser app (built for wasm32 by Trunk). Its slow jobs are in a wasm of their own
//! (src/jobs.rs), loaded after the page.

#[cfg(target_arch = "wasm32")]
mod app;

#[cfg(target_arch = "wasm32")]
fn main() {
    // The release builds run no panic code (-Cpanic=immediate-abort, Makefile): their message comes from the
    // trap. A build with the panic machinery says the panic's own message and place first.
    #[cfg(not(panic = "immediate-abort"))]
    yew::set_custom_panic_hook(Box::new(certsmith::web::panic::hook));
    if let Err(error) = certsmith::web::panic::watch_for_traps() {
        web_sys::console::error_1(&error);
    }
    // The texts first: a German page reads its catalogue (precached, so offline too) before it mounts.
    wasm_bindgen_futures::spawn_local(async {
        certsmith::web::lang::install_chosen().await;
        yew::Renderer::<app::App>::new().render();
    });
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("certsmith is a web app: build it with `make build` or run it with `make serve`.");
    std::process::exit(2);
}
