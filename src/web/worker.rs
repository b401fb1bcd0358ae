//! The page's worker: a dedicated module worker that runs the jobs module (src/jobs.rs, a wasm of its own),
//! for the jobs of [`crate::pki::job`] that would hold the page's main thread for a second or more (PBKDF2,
//! RSA). The page's own wasm has none of that code: it is loaded only when a job comes.
//!
//! The build writes the worker's script (`www/worker.js`, by `scripts/externalize-loader.py`) with the
//! names of the jobs module's JS glue and wasm, and names the script in index.html's
//! `<meta name="certsmith-worker">`, the glue and the wasm in `<meta name="certsmith-jobs">`. The script
//! loads the module and answers each `[id, job]` message (JSON) with `[id, outcome, null]`, or
//! `[id, null, why]` when it could not run the job at all. The first message of a German page is
//! `[id, job, "de", catalogue]`: the worker installs the catalogue first.
//!
//! It starts with the first job (or [`warm_up`]) and serves the rest of the visit. Whenever it cannot
//! serve (no such script in this build, a browser without module workers, a script that fails to load, a
//! crash), the page drops it and loads the jobs module itself, as it did its work before it had a worker.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Array, Function, Promise};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::{clock, js, lang};
use crate::pki::job::{Job, JobError, Outcome};

/// The `<meta name=…>` of index.html whose `content` is the worker script's URL.
const META_NAME: &str = "certsmith-worker";
/// The `<meta name=…>` of index.html whose `content` is the jobs module's JS glue and wasm (two URLs).
const JOBS_META_NAME: &str = "certsmith-jobs";
/// The longest a job may take in the worker: the slowest, an RSA-4096 key made by the wasm where the
/// browser has no WebCrypto, took up to 18 s here.
const JOB_LIMIT: Duration = Duration::from_secs(120);

/// The running worker and the jobs it has not answered yet (each a promise's `resolve`).
struct Running {
    worker: Worker,
    pending: RefCell<Vec<(u32, Function)>>,
    next_id: Cell<u32>,
    told_language: Cell<bool>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

enum State {
    NotStarted,
    Running(Rc<Running>),
    /// Could not start or stopped serving: every job runs in the page (the jobs module loaded there) for
    /// the rest of the visit.
    Unavailable,
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State::NotStarted) };
}

/// Runs `job` in the page's worker, or here (after letting the page paint) when there is none.
pub async fn run(job: Job) -> Outcome {
    match in_worker(&job).await {
        Ok(outcome) => outcome,
        Err(why) => {
            stop(&why);
            // The work below holds the page: let it paint its busy state first.
            clock::sleep(Duration::from_millis(40)).await;
            in_page(&job).await.unwrap_or_else(|why| {
                Outcome::Failed(JobError {
                    message: crate::t!(
                        "This page could not load its jobs module ({why}). Reload the page and try again.",
                        why = why
                    ),
                })
            })
        }
    }
}

#[wasm_bindgen(
    inline_js = "export function runJobHere(glue, wasm, job, lang, catalogue) {
  return import(glue).then(async (m) => {
    await m.default({ module_or_path: wasm });
    return m.certsmithJob(job, lang, catalogue);
  });
}"
)]
extern "C" {
    /// Loads the jobs module into the page (once: a module is imported and started once) and runs `job`.
    #[wasm_bindgen(js_name = runJobHere)]
    fn run_job_here(
        glue: &str,
        wasm: &str,
        job: &str,
        lang: Option<String>,
        catalogue: Option<String>,
    ) -> Promise;
}

/// Runs `job` in a copy of the jobs module loaded into the page (on the main thread: it may freeze it).
async fn in_page(job: &Job) -> Result<Outcome, String> {
    let urls = meta(JOBS_META_NAME)?;
    let (glue, wasm) = urls
        .split_once(' ')
        .ok_or_else(|| format!("<meta name=\"{JOBS_META_NAME}\"> names no glue and wasm"))?;
    let request = serde_json::to_string(job).map_err(|e| format!("cannot write the job: {e}"))?;
    let (lang, catalogue) = lang::installed_source()
        .map(|(lang, text)| (lang.code().to_string(), text.to_string()))
        .unzip();
    let answer = JsFuture::from(run_job_here(glue, wasm, &request, lang, catalogue))
        .await
        .map_err(|e| js::message(&e))?;
    let answer = answer.as_string().ok_or("no answer")?;
    crate::json::from_text(&answer).map_err(|e| format!("cannot read the job's answer: {e}"))
}

/// Starts the worker now, when a job is likely soon, so that its wasm loads meanwhile.
pub fn warm_up() {
    let _ = running();
}

async fn in_worker(job: &Job) -> Result<Outcome, String> {
    let running = running()?;
    let request = serde_json::to_string(job).map_err(|e| format!("cannot write the job: {e}"))?;
    let id = running.next_id.get();
    running.next_id.set(id.wrapping_add(1));
    let answer = Promise::new(&mut |resolve, _reject| {
        running.pending.borrow_mut().push((id, resolve));
    });
    // The first job also carries the page's language, so that the worker's errors read like the page's.
    let message = Array::of2(&id.into(), &request.into());
    if !running.told_language.get() {
        if let Some((lang, text)) = lang::installed_source() {
            message.push(&lang.code().into());
            message.push(&JsValue::from_str(&text));
        }
    }
    if let Err(e) = running.worker.post_message(&message) {
        running.take(id);
        return Err(format!("cannot post the job: {}", js::message(&e)));
    }
    running.told_language.set(true);
    // A worker the browser ends without an error event (out of memory, say) would leave the job waiting
    // for ever: past the limit the worker is dropped and the job runs in the page.
    wasm_bindgen_futures::spawn_local(async move {
        clock::sleep(JOB_LIMIT).await;
        if with_running(|r| r.is_pending(id)).unwrap_or(false) {
            stop(&format!("no answer within {} s", JOB_LIMIT.as_secs()));
        }
    });
    // Settled by `on_message` with the worker's reply, or by `stop` with `[id, null, why]`.
    let reply = JsFuture::from(answer).await.map_err(|e| js::message(&e))?;
    let reply: Array = reply.unchecked_into();
    match reply.get(1).as_string() {
        Some(outcome) => crate::json::from_text(&outcome)
            .map_err(|e| format!("cannot read the worker's answer: {e}")),
        None => Err(reply
            .get(2)
            .as_string()
            .unwrap_or_else(|| "no answer".into())),
    }
}

/// The worker, started on first use.
fn running() -> Result<Rc<Running>, String> {
    STATE.with(|state| {
        let mut state = state.borrow_mut();
        match &*state {
            State::Running(running) => Ok(running.clone()),
            State::Unavailable => Err("unavailable".into()),
            State::NotStarted => match start() {
                Ok(running) => {
                    *state = State::Running(running.clone());
                    Ok(running)
                }
                Err(why) => {
                    *state = State::Unavailable;
                    warn(&why);
                    Err(why)
                }
            },
        }
    })
}

fn start() -> Result<Rc<Running>, String> {
    let url = script_url()?;
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    let worker = Worker::new_with_options(&url, &options)
        .map_err(|e| format!("cannot start {url}: {}", js::message(&e)))?;
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        let reply = event.data();
        let Some(id) = reply_id(&reply) else { return };
        let resolve = with_running(|r| r.take(id)).flatten();
        if let Some(resolve) = resolve {
            let _ = resolve.call1(&JsValue::NULL, &reply);
        }
    });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(|event: web_sys::Event| {
        event.prevent_default();
        let detail = event
            .dyn_ref::<web_sys::ErrorEvent>()
            .map(|e| e.message())
            .filter(|m| !m.is_empty())
            .unwrap_or_else(|| "it failed to load or crashed".into());
        stop(&detail);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    worker.set_onmessageerror(Some(on_error.as_ref().unchecked_ref()));
    Ok(Rc::new(Running {
        worker,
        pending: RefCell::new(Vec::new()),
        next_id: Cell::new(1),
        told_language: Cell::new(false),
        _on_message: on_message,
        _on_error: on_error,
    }))
}

impl Running {
    fn is_pending(&self, id: u32) -> bool {
        self.pending.borrow().iter().any(|(job, _)| *job == id)
    }

    /// The `resolve` of the unanswered job `id`, which is then answered.
    fn take(&self, id: u32) -> Option<Function> {
        let mut pending = self.pending.borrow_mut();
        let at = pending.iter().position(|(job, _)| *job == id)?;
        Some(pending.swap_remove(at).1)
    }
}

/// The id of a reply `[id, outcome, why]`.
fn reply_id(reply: &JsValue) -> Option<u32> {
    let id = reply.dyn_ref::<Array>()?.get(0).as_f64()?;
    Some(id as u32)
}

fn with_running<T>(f: impl FnOnce(&Running) -> T) -> Option<T> {
    let running = STATE.with(|state| match &*state.borrow() {
        State::Running(running) => Some(running.clone()),
        _ => None,
    })?;
    Some(f(&running))
}

/// Drops the worker for the rest of the visit: its unanswered jobs fail with `why` (and run in the page).
fn stop(why: &str) {
    let old = STATE.with(|state| std::mem::replace(&mut *state.borrow_mut(), State::Unavailable));
    let State::Running(running) = old else {
        return;
    };
    warn(why);
    running.worker.terminate();
    let pending = std::mem::take(&mut *running.pending.borrow_mut());
    for (id, resolve) in pending {
        let reply = Array::of3(&id.into(), &JsValue::NULL, &why.into());
        let _ = resolve.call1(&JsValue::NULL, &reply);
    }
}

fn warn(why: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!(
        "Certsmith's worker is not available ({why}): the page does its slow work itself and may freeze for moments"
    )));
}

/// The worker script of this build, from index.html.
fn script_url() -> Result<String, String> {
    meta(META_NAME)
}

/// The `content` of index.html's `<meta name="{name}">`.
fn meta(name: &str) -> Result<String, String> {
    let document = js::window()?.document().ok_or("the page has no document")?;
    document
        .query_selector(&format!("meta[name=\"{name}\"]"))
        .ok()
        .flatten()
        .and_then(|meta| meta.get_attribute("content"))
        .filter(|content| !content.is_empty())
        .ok_or_else(|| format!("this build has no <meta name=\"{name}\">"))
}
