// Trunk post-build hook, run on the staged dist/ before it replaces the old:
//
// 1. The page's Content-Security-Policy. It allows scripts, styles, workers
//    and connections from the page's own origin only, so no byte of the
//    merchant's data can be sent anywhere else. Trunk starts the app with an
//    inline <script>; rather than allow all inline scripts, the policy names
//    that exact script by its SHA-256 hash, computed here from the built page.
// 2. The service worker's list of files to keep for offline use (every file
//    of the build) and a version hash over their contents, written into
//    sw.js so that each build brings its own cache.
import { createHash } from "node:crypto";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { basename, join, relative, sep } from "node:path";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("post-build.mjs: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)");
  process.exit(1);
}

writePolicy(join(staging, basename(process.env.TRUNK_HTML_FILE ?? "index.html")));
writeServiceWorker(staging);

function writePolicy(page) {
  let html = readFileSync(page, "utf8");
  const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)];
  const hashes = inline.map(
    ([, body]) => `'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`,
  );
  const policy = [
    "default-src 'none'",
    `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`.trim(),
    "worker-src 'self'",
    "connect-src 'self'",
    "style-src 'self'",
    // Bar widths and chart shades are set as style attributes.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join("; ");

  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
  html = html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>\s*/g, "");
  if (!/<meta charset="utf-8"\s*\/?>/i.test(html)) {
    console.error(`post-build.mjs: no <meta charset="utf-8"> in ${page} to place the policy after`);
    process.exit(1);
  }
  // The policy must come before any script or stylesheet it governs.
  html = html.replace(/(<meta charset="utf-8"\s*\/?>)/i, `$1\n    ${meta}`);
  writeFileSync(page, html);
  console.log(`post-build.mjs: policy written with ${hashes.length} inline script hash(es)`);
}

function writeServiceWorker(root) {
  const worker = join(root, "sw.js");
  const files = listFiles(root).filter((file) => file !== "sw.js").sort();
  const version = createHash("sha256");
  for (const file of files) {
    version.update(file).update(readFileSync(join(root, file)));
  }
  // "./" is the page as a directory URL (https://host/segmenter/).
  const urls = ["./", ...files.map((file) => `./${file}`)];
  const source = readFileSync(worker, "utf8")
    .replace("__VERSION__", version.digest("hex").slice(0, 16))
    .replace("__FILES__", JSON.stringify(urls));
  if (source.includes("__FILES__") || source.includes("__VERSION__")) {
    console.error(`post-build.mjs: ${worker} still has a placeholder`);
    process.exit(1);
  }
  writeFileSync(worker, source);
  console.log(`post-build.mjs: service worker keeps ${urls.length} files for offline use`);
}

function listFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory()
      ? listFiles(path)
      : [relative(staging, path).split(sep).join("/")];
  });
}
