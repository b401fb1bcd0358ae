//! The click handler of a download button: the file is saved, or the panel says why not.

use certsmith::web::download::download;
use yew::prelude::*;

/// Downloads `content` as `file` on click. `problem` gets the browser's refusal in words (the download's
/// own message names the file), or is cleared when the file was handed over.
pub fn download_on_click(
    problem: &UseStateHandle<Option<String>>,
    file: AttrValue,
    mime: &'static str,
    content: String,
) -> Callback<MouseEvent> {
    let problem = problem.clone();
    Callback::from(move |_: MouseEvent| {
        problem.set(download(&file, mime, content.as_bytes()).err())
    })
}
