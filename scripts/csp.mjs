// Trunk post-build hook: writes the page's Content-Security-Policy.
//
// The policy allows scripts, styles, workers and connections from the page's
// own origin only, so no byte of the merchant's data can be sent anywhere
// else. Trunk starts the app with an inline <script>; rather than allow all
// inline scripts, the policy names that exact script by its SHA-256 hash,
// which is why it is computed here, after the build, from the built page.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const staging = process.env.TRUNK_STAGING_DIR;
if (!staging) {
  console.error("csp.mjs: TRUNK_STAGING_DIR is not set (run by Trunk as a post_build hook)");
  process.exit(1);
}
const page = join(staging, basename(process.env.TRUNK_HTML_FILE ?? "index.html"));
let html = readFileSync(page, "utf8");

const inline = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)];
const hashes = inline.map(
  ([, body]) => `'sha256-${createHash("sha256").update(body, "utf8").digest("base64")}'`,
);

export const policy = [
  "default-src 'none'",
  `script-src 'self' 'wasm-unsafe-eval' ${hashes.join(" ")}`.trim(),
  "worker-src 'self'",
  "connect-src 'self'",
  "style-src 'self'",
  // Bar widths are set as style attributes.
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
  console.error(`csp.mjs: no <meta charset="utf-8"> in ${page} to place the policy after`);
  process.exit(1);
}
// The policy must come before any script or stylesheet it governs.
html = html.replace(/(<meta charset="utf-8"\s*\/?>)/i, `$1\n    ${meta}`);
writeFileSync(page, html);
console.log(`csp.mjs: policy written with ${hashes.length} inline script hash(es)`);
