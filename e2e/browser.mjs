// Debian's Chromium, driven by playwright-core (never a downloaded browser).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const EXECUTABLE = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Launches headless Chromium with a fresh profile and no background traffic;
 * `args` are added to the command line (the benchmarks ask for precise
 * memory figures).
 */
export async function launch({ args = [] } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "segmenter-e2e-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: EXECUTABLE,
    headless: true,
    acceptDownloads: true,
    viewport: { width: 1280, height: 900 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-default-apps",
      "--disable-extensions",
      ...args,
    ],
  });
  return {
    context,
    profile,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Routes every request of the context's pages and workers through a check:
 * requests for the local server (and blob:/data: URLs) go on, anything else
 * is recorded in the returned `offsite` list and refused. `seen` lists all.
 */
export async function guardOrigins(context) {
  const offsite = [];
  const seen = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    seen.push(url);
    if (url.startsWith("http://127.0.0.1:") || url.startsWith("blob:") || url.startsWith("data:")) {
      return route.continue();
    }
    offsite.push(url);
    return route.abort();
  });
  return { offsite, seen };
}

/**
 * Waits until the page shows a complete analysis: the segments come first
 * (`data-phase="provisional"`), the models, clusters and recommendations
 * after (`"done"`). Call it after whatever started the analysis.
 */
export async function analysed(page, options = { timeout: 120_000 }) {
  await page.locator('main[data-phase="done"]').waitFor({ state: "attached", ...options });
}
