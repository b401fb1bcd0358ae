// Certsmith's worker: runs the page's slow jobs (src/pki/job.rs: PBKDF2 for the account key's lock and the
// PFX, RSA, the CSR) in the jobs module (src/jobs.rs, a wasm of its own), so that the page's main thread
// stays free (src/web/worker.rs is the page's side).
//
// The build writes this file as worker-<hash>.js (scripts/externalize-loader.py, a Trunk post_build hook)
// with BUILD filled in: the jobs module's JS glue and wasm, relative to this file. index.html names it in
// <meta name="certsmith-worker">. A module worker of the page's own origin: the page's CSP allows it
// (script-src 'self'), and the service worker caches it with the rest of the build.
//
// Messages: [id, job] (JSON) in, the first one of a page not in English [id, job, lang, catalogue (JSON)];
// [id, outcome (JSON), null] out, or [id, null, why] when the job could not run at all (the wasm did not
// load, or crashed: the page then does its work itself).
'use strict';

const BUILD = { glue: './certsmith-jobs.js', wasm: './certsmith-jobs_bg.wasm' }; // BUILD: written by scripts/externalize-loader.py

const here = (path) => new URL(path, self.location).href;
const ready = import(here(BUILD.glue)).then(async (glue) => {
  await glue.default({ module_or_path: here(BUILD.wasm) });
  return glue;
});

self.onmessage = async (event) => {
  const [id, job, lang, catalogue] = event.data;
  try {
    const glue = await ready;
    self.postMessage([id, glue.certsmithJob(job, lang, catalogue), null]);
  } catch (error) {
    self.postMessage([id, null, String(error)]);
  }
};
