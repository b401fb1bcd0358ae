//! Time for the core, which takes it as a value: the wall clock (`Date.now()`; `SystemTime::now()` does
//! not work on wasm32-unknown-unknown) and a sleep on top of `setTimeout`.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use wasm_bindgen_futures::JsFuture;

use super::js;

/// The wall-clock time, from `Date.now()` (milliseconds).
pub fn now() -> SystemTime {
    let millis = js_sys::Date::now();
    if millis.is_finite() && millis >= 0.0 {
        UNIX_EPOCH + Duration::from_millis(millis as u64)
    } else {
        UNIX_EPOCH
    }
}

/// Monotonic milliseconds (`performance.now()`), for measuring how long something took.
pub fn monotonic_ms() -> f64 {
    js::performance_now()
}

/// Waits at least `duration` without blocking the page. Timers may fire a little early on coarse
/// clocks, so it checks the monotonic clock and waits again for any rest.
pub async fn sleep(duration: Duration) {
    let deadline = monotonic_ms() + duration.as_secs_f64() * 1000.0;
    let mut wait = duration;
    loop {
        let millis = js::timer_millis(wait);
        let promise = js_sys::Promise::new(&mut |resolve, _reject| {
            js::set_timeout(&resolve, millis);
        });
        // setTimeout never rejects.
        let _ = JsFuture::from(promise).await;
        let left = deadline - monotonic_ms();
        if left <= 0.0 {
            return;
        }
        wait = Duration::from_secs_f64(left / 1000.0);
    }
}
