// A static file server for the built page (dist/), for the end-to-end tests.
// It sends the page's own Content-Security-Policy as a header as well, so
// that the policy also binds the Web Worker (a <meta> policy binds only the
// page), and it records every request it answers.
import { createServer } from "node:http";
import { readFile, stat } from "node:fs/promises";
import { extname, join, normalize } from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".png": "image/png",
};

/** The policy written into dist/index.html by scripts/post-build.mjs. */
export async function pagePolicy(root) {
  const html = await readFile(join(root, "index.html"), "utf8");
  const match = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)"/);
  if (!match) throw new Error(`no Content-Security-Policy meta in ${root}/index.html`);
  return match[1];
}

/** Serves `root` under `basePath` on 127.0.0.1 and an ephemeral port. */
export async function startServer({ root, basePath = "/" }) {
  const policy = await pagePolicy(root);
  const requests = [];
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    requests.push(url.pathname);
    if (!url.pathname.startsWith(basePath)) {
      res.writeHead(404).end();
      return;
    }
    let path = url.pathname.slice(basePath.length) || "index.html";
    path = normalize(path).replace(/^(\.\.[/\\])+/, "");
    const file = join(root, path);
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error("not a file");
      const body = await readFile(file);
      res.writeHead(200, {
        "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
        "Content-Security-Policy": policy,
        "Cache-Control": "no-store",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}${basePath}`,
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(resolve);
        // Keep-alive sockets would hold the server open.
        server.closeAllConnections();
      }),
  };
}
