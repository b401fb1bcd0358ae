//! [`HttpClient`] over the browser's `fetch`: CORS mode, no cookies (`credentials: omit`), no HTTP cache
//! (every nonce and order state must be fresh), and a timeout through an `AbortController`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Headers, RequestCache, RequestCredentials, RequestInit, RequestMode,
};

use super::js;
use crate::acme::transport::{
    HttpClient, HttpRequest, HttpResponse, Method, TransportError, TransportErrorKind, JOSE_JSON,
    MAX_BODY,
};

/// How long one request may take, headers and body together, before it is aborted.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

/// The app's HTTP client. Cheap to clone; holds no connection state (the browser pools connections).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchHttp {
    timeout: Duration,
}

impl Default for FetchHttp {
    fn default() -> Self {
        FetchHttp {
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl FetchHttp {
    /// A client whose requests are aborted after `timeout` instead of [`DEFAULT_TIMEOUT`].
    pub fn with_timeout(timeout: Duration) -> Self {
        FetchHttp { timeout }
    }

    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

impl HttpClient for FetchHttp {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        fetch(&request, RequestMode::Cors, self.timeout).await
    }
}

/// Clears the timer when the fetch ends, and aborts the request when it fails or its future is dropped (a
/// page that moves on does not leave requests running). A request whose answer was read in full is not
/// aborted: Chromium may not have closed it yet, and an abort then shows as a failed request (in the
/// network panel and to the e2e suite's guard) although the page has its answer.
struct Deadline {
    controller: AbortController,
    timer: JsValue,
    timed_out: Rc<Cell<bool>>,
    complete: Cell<bool>,
    _on_timeout: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(timeout: Duration) -> Result<Self, JsValue> {
        let controller = AbortController::new()?;
        let timed_out = Rc::new(Cell::new(false));
        let on_timeout = {
            let controller = controller.clone();
            let timed_out = timed_out.clone();
            Closure::<dyn FnMut()>::new(move || {
                timed_out.set(true);
                controller.abort();
            })
        };
        let timer = js::set_timeout(
            on_timeout.as_ref().unchecked_ref(),
            js::timer_millis(timeout),
        );
        Ok(Deadline {
            controller,
            timer,
            timed_out,
            complete: Cell::new(false),
            _on_timeout: on_timeout,
        })
    }

    fn timed_out(&self) -> bool {
        self.timed_out.get()
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        js::clear_timeout(&self.timer);
        if !self.complete.get() {
            self.controller.abort();
        }
    }
}

/// One request with the given mode. In `no-cors` mode the answer is opaque: status 0, no headers, no
/// body; the probe uses that to learn that a server answered at all.
pub(crate) async fn fetch(
    request: &HttpRequest,
    mode: RequestMode,
    timeout: Duration,
) -> Result<HttpResponse, TransportError> {
    let url = request.url.as_str();
    let other = |e: JsValue| TransportError::new(TransportErrorKind::Other, url, js::message(&e));

    let deadline = Deadline::start(timeout).map_err(other)?;
    let init = RequestInit::new();
    init.set_method(request.method.as_str());
    init.set_mode(mode);
    init.set_credentials(RequestCredentials::Omit);
    // GET and HEAD (the directory, newNonce) must never come from the HTTP cache. A POST never does
    // anyway, and "no-store" on it would also bypass Chromium's CORS preflight cache: one preflight per
    // POST instead of one per URL.
    if request.method != Method::Post {
        init.set_cache(RequestCache::NoStore);
    }
    init.set_signal(Some(&deadline.controller.signal()));
    let headers = Headers::new().map_err(other)?;
    if let Some(body) = &request.body {
        if request.method == Method::Post {
            headers.set("Content-Type", JOSE_JSON).map_err(other)?;
        }
        init.set_body(&JsValue::from_str(body));
    }
    if let Some(accept) = request.accept {
        headers.set("Accept", accept).map_err(other)?;
    }
    init.set_headers(&headers);
    // Throws for a URL fetch refuses outright (malformed, or with user:password@).
    let js_request = web_sys::Request::new_with_str_and_init(url, &init).map_err(other)?;

    let failed = |e: JsValue, reading_body: bool| {
        if deadline.timed_out() {
            TransportError::new(
                TransportErrorKind::Timeout,
                url,
                crate::t!(
                    "no complete answer within {seconds} s",
                    seconds = whole_seconds(timeout)
                ),
            )
        } else {
            let message = js::message(&e);
            TransportError::new(
                TransportErrorKind::Unreachable,
                url,
                if reading_body {
                    crate::t!("{message} (reading the body)", message = message)
                } else {
                    message
                },
            )
        }
    };

    let response: web_sys::Response = JsFuture::from(js::global_fetch(&js_request))
        .await
        .map_err(|e| failed(e, false))?
        .unchecked_into();

    let mut headers = Vec::new();
    if let Ok(Some(entries)) = js_sys::try_iter(&response.headers()) {
        for entry in entries.flatten() {
            let pair: js_sys::Array = entry.unchecked_into();
            if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
                headers.push((name.to_ascii_lowercase(), value));
            }
        }
    }

    // A declared length over the limit is not read at all; an undeclared one is read and measured by the
    // client. A HEAD reply's length is the GET's, and its body empty: it is read too (the request then
    // ends; a body left unread is cancelled later and the request shows as aborted).
    let declared = headers
        .iter()
        .find(|(name, _)| name == "content-length")
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .filter(|_| request.method != Method::Head);
    let body = if let Some(n) = declared.filter(|n| *n > MAX_BODY) {
        deadline.controller.abort();
        return Err(TransportError::new(
            TransportErrorKind::TooLarge,
            url,
            crate::t!(
                "the reply is {size} bytes, more than the {max} this client reads",
                size = crate::i18n::number(n as u64),
                max = crate::i18n::number(MAX_BODY as u64)
            ),
        ));
    } else {
        let promise = response.array_buffer().map_err(|e| failed(e, true))?;
        let buffer = JsFuture::from(promise).await.map_err(|e| failed(e, true))?;
        js_sys::Uint8Array::new(&buffer).to_vec()
    };
    deadline.complete.set(true);

    Ok(HttpResponse {
        status: response.status(),
        headers,
        body,
    })
}

/// `duration` in whole seconds, rounded up: printing a float would bring the float printer into the page.
fn whole_seconds(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}
