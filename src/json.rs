//! Reading JSON text, for everything the page and its jobs module read: answers of the CA and of the
//! jobs worker, the jobs themselves, what localStorage keeps, the language catalogues, a JWK.
//!
//! serde_json compiles its parser and every type's `Deserialize` once per kind of input (`&str`, `&[u8]`,
//! a parsed `Value`). The page read a `&str` in some places, bytes in others and a `Value` for its saved
//! state, so its wasm held up to three copies of the parser and of the code that reads an Order, an
//! Authorization or a Problem. Reading every text as bytes leaves one copy.

use serde::de::DeserializeOwned;

/// Parses `text` as JSON into `T`, through the byte reader the ACME client uses for response bodies.
pub fn from_text<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_slice(text.as_bytes())
}
