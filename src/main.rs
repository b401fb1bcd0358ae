//! The Certsmith browser app (built for wasm32 by Trunk).

#[cfg(target_arch = "wasm32")]
mod app;

#[cfg(target_arch = "wasm32")]
fn main() {
    yew::set_custom_panic_hook(Box::new(certsmith::web::panic::hook));
    yew::Renderer::<app::App>::new().render();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("certsmith is a web app: build it with `make build` or run it with `make serve`.");
    std::process::exit(2);
}
