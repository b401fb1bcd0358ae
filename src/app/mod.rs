//! The placeholder app: names Certsmith, says which CA it talks to and shows that CA's directory
//! (RFC 8555 §7.1.1). The certificate wizard replaces it.

use gloo_net::http::Request;
use serde_json::{Map, Value};
use yew::prelude::*;

/// The CA the app uses unless told otherwise: set at compile time by `CERTSMITH_DEFAULT_DIRECTORY`
/// (the local build points it at Pebble), Let's Encrypt's production directory otherwise.
pub const DEFAULT_DIRECTORY: &str = match option_env!("CERTSMITH_DEFAULT_DIRECTORY") {
    Some(url) => url,
    None => "https://acme-v02.api.letsencrypt.org/directory",
};

/// True in the local build (`CERTSMITH_LOCAL_CA=1`), whose CA is a throwaway Pebble.
pub fn local_ca() -> bool {
    matches!(option_env!("CERTSMITH_LOCAL_CA"), Some(v) if !v.is_empty() && v != "0")
}

/// The directory's resources, in the order RFC 8555 §7.1.1 lists them (plus RFC 9773's renewalInfo).
const RESOURCES: [&str; 7] = [
    "newNonce",
    "newAccount",
    "newOrder",
    "newAuthz",
    "revokeCert",
    "keyChange",
    "renewalInfo",
];

#[derive(Clone, PartialEq)]
enum Load {
    Loading,
    Loaded(Map<String, Value>),
    Failed(String),
}

async fn fetch_directory(url: &str) -> Result<Map<String, Value>, String> {
    let response = Request::get(url).send().await.map_err(|_| {
        // A network failure, a CORS refusal and an untrusted certificate all reach page JS as the same
        // TypeError; say all three.
        "the CA could not be reached from this page: it is unreachable, it refuses requests from web pages \
         (CORS), or this browser does not trust its certificate"
            .to_string()
    })?;
    if !response.ok() {
        return Err(format!(
            "the CA answered HTTP {} {}",
            response.status(),
            response.status_text()
        ));
    }
    match response.json::<Value>().await {
        Ok(Value::Object(map)) if map.contains_key("newNonce") && map.contains_key("newOrder") => {
            Ok(map)
        }
        _ => Err("the CA's answer is not an ACME directory".to_string()),
    }
}

#[function_component(App)]
pub fn app() -> Html {
    let load = use_state(|| Load::Loading);
    let attempt = use_state(|| 0u32);
    {
        let load = load.clone();
        use_effect_with(*attempt, move |_| {
            load.set(Load::Loading);
            wasm_bindgen_futures::spawn_local(async move {
                load.set(match fetch_directory(DEFAULT_DIRECTORY).await {
                    Ok(map) => Load::Loaded(map),
                    Err(e) => Load::Failed(e),
                });
            });
        });
    }
    let retry = {
        let attempt = attempt.clone();
        Callback::from(move |_: MouseEvent| attempt.set(*attempt + 1))
    };

    html! {
        <main>
            <header>
                <h1>{ "Certsmith" }</h1>
                <p class="tagline">{ "Get a TLS certificate from an ACME CA, entirely in this page." }</p>
            </header>
            <section class="ca">
                <h2>{ "Certificate authority" }</h2>
                <p>{ "Directory: " }<a id="ca-directory" href={DEFAULT_DIRECTORY}>{ DEFAULT_DIRECTORY }</a></p>
                if local_ca() {
                    <p class="notice" id="local-ca">
                        { "This is a local test CA (Pebble): it validates every challenge automatically and its \
                           certificates are trusted by nothing. To let your own browser reach it, open " }
                        <a href={DEFAULT_DIRECTORY} target="_blank" rel="noopener">{ DEFAULT_DIRECTORY }</a>
                        { " once and accept the certificate warning." }
                    </p>
                }
            </section>
            <section class="directory">
                <h2>{ "What the CA offers" }</h2>
                { view_load(&load, retry) }
            </section>
        </main>
    }
}

fn view_load(load: &Load, retry: Callback<MouseEvent>) -> Html {
    match load {
        Load::Loading => {
            html! { <p class="status" id="status">{ "Reading the CA's directory…" }</p> }
        }
        Load::Failed(reason) => html! {
            <div class="error" id="status" role="alert">
                <p>{ format!("Could not read the directory: {reason}.") }</p>
                if local_ca() {
                    <p>{ "Is the local CA running (make serve), and has this browser accepted its certificate?" }</p>
                }
                <button onclick={retry}>{ "Try again" }</button>
            </div>
        },
        Load::Loaded(map) => view_directory(map),
    }
}

fn view_directory(map: &Map<String, Value>) -> Html {
    let meta = map.get("meta").and_then(Value::as_object);
    let meta_rows = meta.into_iter().flatten().map(|(key, value)| {
        let shown = match value {
            Value::String(s) if s.starts_with("https://") => {
                html! { <a href={s.clone()}>{ s }</a> }
            }
            Value::String(s) => html! { { s } },
            other => html! { <code>{ other.to_string() }</code> },
        };
        html! { <><dt>{ format!("meta.{key}") }</dt><dd>{ shown }</dd></> }
    });
    html! {
        <dl id="directory" class="resources">
            { for RESOURCES.iter().filter_map(|name| {
                map.get(*name).and_then(Value::as_str).map(|url| html! {
                    <><dt>{ *name }</dt><dd><code data-resource={*name}>{ url }</code></dd></>
                })
            }) }
            { for meta_rows }
        </dl>
    }
}
