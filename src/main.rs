//! The Certsmith browser app (built for wasm32 by Trunk). Its slow jobs are in a wasm of their own
//! (src/jobs.rs), loaded after the page.

#[cfg(target_arch = "wasm32")]
mod app;

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::set_custom_panic_hook(Box::new(certsmith::web::panic::hook));
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
