// Certsmith's service worker: after the first visit the page opens and works with its host unreachable.
//
// The build writes this file as /sw.js (scripts/service-worker.py, a Trunk post_build hook) with BUILD filled
// in: the build's own files (content-hashed names, each with its Subresource Integrity hash) and a version
// derived from their contents. A new build is a new version, hence a new cache; the worker of a new build
// deletes the caches of older ones when it takes over. www/sw-register.js registers it and shows the notice.
//
// What it touches: GET requests of this origin for the build's own files, and navigations to the app's page
// (answered from the cache, so a later visit needs no network). Everything else, above all every request to
// another origin (the CA, the DNS-over-HTTPS resolvers) and every non-GET, goes to the network untouched:
// static routes keep such requests from ever reaching the worker where the browser has them, and the fetch
// handler leaves them alone where it has not. The app's keys and orders (localStorage) are out of its reach.
'use strict';

const BUILD = { version: 'dev', index: './', assets: [], catalogues: {} }; // BUILD: written by scripts/service-worker.py

const CACHE = 'certsmith-' + BUILD.version;
const here = (path) => new URL(path, self.location).href;
const INDEX = here(BUILD.index);
const ASSETS = new Set(BUILD.assets.map(([path]) => here(path)));
// The texts of each language but English (src/i18n.rs), by URL: [language, integrity].
const CATALOGUES = new Map(Object.entries(BUILD.catalogues).map(([lang, [path, integrity]]) => [here(path), [lang, integrity]]));
const APP_PATHS = new Set([new URL(INDEX).pathname, new URL('index.html', INDEX).pathname]);

self.addEventListener('install', (event) => {
  // Other origins and non-GET requests never start the worker (Chromium 123+; elsewhere the fetch handler
  // below lets them pass). A browser that refuses the rules still gets a working worker.
  try {
    const { protocol, hostname, port } = self.location;
    const origin = { protocol: protocol.slice(0, -1), hostname, port };
    const routed = event.addRoutes?.([
      { condition: { not: { urlPattern: origin } }, source: 'network' },
      { condition: { not: { requestMethod: 'GET' } }, source: 'network' },
    ]);
    routed?.catch(() => {});
  } catch {
    // no static routing: the fetch handler's checks are enough
  }
  event.waitUntil(precache());
});

// Every file of the build, revalidated with the server (the page's own load usually left them in the HTTP
// cache, so this costs a few 304s, not a second download); the hashed files must match the build's SRI
// hashes, so a damaged copy is never kept for offline use. One failure and this version is not installed
// (the previous one, if any, stays). Of the catalogues only the browser's language's: a visitor who reads
// English never downloads German.
async function precache() {
  const cache = await caches.open(CACHE);
  const catalogue = [...CATALOGUES].find(([, [lang]]) => lang === preferredLanguage());
  await cache.addAll([
    new Request(INDEX, { cache: 'no-cache' }),
    ...BUILD.assets.map(([path, integrity]) => new Request(here(path), { cache: 'no-cache', integrity })),
    ...(catalogue ? [new Request(catalogue[0], { cache: 'no-cache', integrity: catalogue[1][1] })] : []),
  ]);
}

// As the page chooses when nothing is saved (src/i18n.rs Lang::preferred): the first of the browser's
// languages that the page speaks, English included.
function preferredLanguage() {
  const spoken = new Set(['en', ...Object.keys(BUILD.catalogues)]);
  const tags = self.navigator.languages ?? [];
  return tags.map((tag) => tag.split(/[-_]/)[0].toLowerCase()).find((lang) => spoken.has(lang)) ?? 'en';
}

// A catalogue the install left out (the person chose a language other than the browser's): kept when the
// page first asks for it, so that it too opens offline afterwards.
async function catalogue(href, integrity) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(href);
  if (cached) return cached;
  const response = await fetch(new Request(href, { integrity }));
  if (response.ok) await cache.put(href, response.clone());
  return response;
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('certsmith-') && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// A new version waits until a page it would take over has started its own copy of the app (sw-register.js
// asks then), so that no page still loading files of the old version loses them.
self.addEventListener('message', (event) => {
  if (event.data === 'certsmith:activate') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  let key;
  if (request.mode === 'navigate') {
    if (!APP_PATHS.has(url.pathname)) return;
    key = INDEX;
  } else {
    url.hash = '';
    const texts = CATALOGUES.get(url.href);
    if (texts) return event.respondWith(catalogue(url.href, texts[1]));
    if (!ASSETS.has(url.href)) return;
    key = url.href;
  }
  event.respondWith(
    caches.match(key, { cacheName: CACHE }).then((cached) => cached ?? fetch(request)),
  );
});
