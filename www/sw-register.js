// Offline after the first visit: registers the service worker (sw.js beside this file, written by
// scripts/service-worker.py) once the page has loaded, and when a later visit has installed a new version,
// lets it take over and says so in a small notice. Plain DOM beside the app; a file, since the page's CSP
// allows no inline script. Without service workers (an http page other than localhost, a private window of
// some browsers) the page simply works online only.
const container = navigator.serviceWorker;

if (container) {
  let controlled = container.controller !== null;

  // Runs `then` once the app has started (Trunk's loader fires this event after the wasm started).
  const started = (then) => {
    if (window.wasmBindings) then();
    else addEventListener('TrunkApplicationStarted', () => then(), { once: true });
  };

  // The first worker takes control silently; a later one replaces a version this page was loaded with.
  container.addEventListener('controllerchange', () => {
    if (controlled) started(showNotice);
    controlled = true;
  });

  const register = async () => {
    let registration;
    try {
      registration = await container.register(new URL('sw.js', import.meta.url));
    } catch {
      return; // no offline copy this time; the page works as before
    }
    const activate = (worker) => started(() => worker.postMessage('certsmith:activate'));
    const watch = (worker) =>
      worker?.addEventListener('statechange', () => {
        if (worker.state === 'installed' && container.controller) activate(worker);
      });
    if (registration.waiting && container.controller) activate(registration.waiting);
    watch(registration.installing);
    registration.addEventListener('updatefound', () => watch(registration.installing));
    // A later visit asks for a new version at once (the browser's own check after a navigation comes later).
    if (container.controller) registration.update().catch(() => {});
  };
  if (document.readyState === 'complete') register();
  else addEventListener('load', register, { once: true });
}

function showNotice() {
  if (document.getElementById('certsmith-update')) return;
  const notice = document.createElement('div');
  notice.id = 'certsmith-update';
  notice.className = 'update-notice';
  notice.setAttribute('role', 'status');
  document.body.append(notice);
  // Filled in a moment after the live region exists, so that screen readers announce it.
  setTimeout(() => {
    const text = document.createElement('p');
    text.textContent = 'A new version of Certsmith was installed; reload to use it.';
    const button = (label, action) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'small';
      b.textContent = label;
      b.addEventListener('click', action);
      return b;
    };
    const buttons = document.createElement('div');
    buttons.append(button('Reload', () => location.reload()), button('Dismiss', () => notice.remove()));
    notice.append(text, buttons);
  }, 100);
}
