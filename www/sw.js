// The service worker: keeps the app's own files (page, code, styles) in the
// browser so the page opens and works offline. It never sees the merchant's
// data: files are read by the page and its Web Worker, not fetched.
//
// FILES and VERSION are written by scripts/post-build.mjs after each build:
// every file of dist/, and a hash of them all, so a new build brings a new
// cache and the old one is dropped.
const VERSION = "__VERSION__";
const FILES = __FILES__;
const CACHE = `segmenter-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(FILES.map((file) => new Request(file, { cache: "reload" }))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith("segmenter-") && key !== CACHE).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(respond(request));
});

// The network first, so a new build shows at once (the worker's files keep
// their names from build to build, so a kept copy could be an older engine
// than the page); the kept copy when the network is off or the server gone.
// `?demo` and other queries open the same page.
async function respond(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const cache = await caches.open(CACHE);
    const kept =
      (await cache.match(request, { ignoreSearch: true })) ??
      (request.mode === "navigate" ? await cache.match("./index.html") : undefined);
    if (kept) return kept;
    throw error;
  }
}
