// End-to-end: what makes the page trustworthy and pleasant, in headless
// Chromium on the release build: the privacy panel and the security policy
// the browser enforces, offline use after the first visit, remembering only
// on request and forgetting everything, the charts' drill-down by keyboard,
// an automated accessibility check (axe-core), screenshots at desktop and
// phone widths, and how fast a click is answered while a million-row file
// is being analysed (reported, not asserted: timings vary by machine).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import { analysed, guardOrigins, launch } from "./browser.mjs";
import { startServer } from "./static-server.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DIST = process.env.SEGMENTER_DIST ?? join(ROOT, "dist");
const ARTIFACTS = join(ROOT, "e2e/artifacts");
const SHOPIFY_FIXTURE = join(ROOT, "crates/engine/tests/data/shopify_orders_small.csv");
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");
const WAIT = { timeout: 60_000 };
const LONG = { timeout: 600_000 };

const int = (text) => Number(text.replace(/[^0-9-]/g, ""));

/** What the page's origin keeps in the browser. */
async function stored(page) {
  return page.evaluate(async () => ({
    databases: (await indexedDB.databases()).map((d) => d.name),
    local: localStorage.length,
    session: sessionStorage.length,
  }));
}

describe("a page merchants can trust", () => {
  let server;
  let browser;
  let page;
  let offsite;
  const pageErrors = [];
  const scratch = mkdtempSync(join(tmpdir(), "segmenter-e2e-trust-"));

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ root: DIST });
    browser = await launch();
    ({ offsite } = await guardOrigins(browser.context));
    page = await browser.context.newPage();
    page.on("pageerror", (error) => pageErrors.push(String(error)));
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(scratch, { recursive: true, force: true });
  });

  it("says how data stays private and shows the policy the browser enforces", async () => {
    await page.goto(server.url);
    await page.locator("#file-input:not([disabled])").waitFor({ state: "attached", ...WAIT });
    await page.click("#privacy summary");
    assert.match(await page.textContent("#privacy"), /never uploaded/);
    await page.click("#privacy .policy summary");
    const policy = await page.textContent("#csp-text");
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /connect-src 'self'/);
    // The browser itself refuses a connection elsewhere, before any request.
    const outcome = await page.evaluate(() =>
      fetch("https://example.com/collect", { method: "POST", body: "x" }).then(
        () => "sent",
        () => "refused",
      ),
    );
    assert.equal(outcome, "refused");
    assert.deepEqual(offsite, []);
    await page.locator("#privacy").screenshot({ path: join(ARTIFACTS, "privacy.png") });
  });

  it("works offline after the first visit, even with the server gone", async () => {
    const own = await startServer({ root: DIST });
    const offline = await browser.context.newPage();
    try {
      await offline.goto(`${own.url}?demo`);
      await analysed(offline, WAIT);
      await offline.locator("#kpi-customers").waitFor(WAIT);
      const customers = int(await offline.textContent("#kpi-customers"));
      await offline.waitForFunction(
        () => document.querySelector("#offline-status")?.textContent.includes("ready to work offline"),
        null,
        WAIT,
      );
      await own.close();
      await browser.context.setOffline(true);
      await offline.reload();
      await analysed(offline, WAIT);
      await offline.locator("#kpi-customers").waitFor(WAIT);
      assert.equal(int(await offline.textContent("#kpi-customers")), customers);
    } finally {
      await browser.context.setOffline(false);
      await offline.close();
      await own.close();
    }
  });

  it("stores nothing without asking, remembers on request and forgets everything", async () => {
    await page.goto(server.url);
    await page.locator("#file-input:not([disabled])").waitFor({ state: "attached", ...WAIT });
    await page.setInputFiles("#file-input", SHOPIFY_FIXTURE);
    await analysed(page, WAIT);
    await page.locator("#kpi-customers").waitFor(WAIT);
    const customers = int(await page.textContent("#kpi-customers"));
    assert.deepEqual(await stored(page), { databases: [], local: 0, session: 0 });

    await page.click("#privacy summary");
    await page.check("#remember");
    await page.waitForFunction(
      () => document.querySelector("#storage-note")?.textContent.includes("kept in this browser"),
      null,
      WAIT,
    );
    assert.deepEqual((await stored(page)).databases, ["segmenter"]);

    // Back on the page: the same analysis, read again from what was kept.
    await page.reload();
    await analysed(page, WAIT);
    await page.locator("#kpi-customers").waitFor(WAIT);
    assert.equal(int(await page.textContent("#kpi-customers")), customers);
    assert.match(await page.textContent(".overview"), /shopify_orders_small\.csv/);

    await page.click("#privacy summary");
    await page.click("#forget");
    await page.waitForFunction(
      () => document.querySelector("#storage-note")?.textContent.includes("Forgotten"),
      null,
      WAIT,
    );
    assert.deepEqual(await stored(page), { databases: [], local: 0, session: 0 });
    assert.equal(await page.isChecked("#remember"), false);
    await page.reload();
    await page.locator("#file-input:not([disabled])").waitFor({ state: "attached", ...WAIT });
    // The engine is ready and nothing was restored.
    assert.equal(await page.locator("#overview-title").count(), 0);
    assert.deepEqual(await stored(page), { databases: [], local: 0, session: 0 });
  });

  it("opens a chart's customers from the keyboard, and passes an accessibility check", async () => {
    await page.goto(`${server.url}?demo`);
    await analysed(page, WAIT);
    await page.locator("#rfm-grid").waitFor(WAIT);
    const cell = page.locator('#rfm-grid button[data-cell="55"]');
    const count = int((await cell.locator(".heat-main").textContent()) ?? "0");
    await cell.focus();
    await page.keyboard.press("Enter");
    await page.locator("#customer-filter").waitFor(WAIT);
    assert.match(await page.textContent("#customer-filter"), /R 5 · F 5/);
    await page.waitForFunction(
      (n) => document.querySelector("#customer-range")?.textContent.endsWith(`of ${n.toLocaleString("en-US")}`),
      count,
      WAIT,
    );
    // Focus follows to the list.
    assert.equal(await page.evaluate(() => document.activeElement?.id), "customers-title");

    await page.click("#privacy summary");
    await page.evaluate(readFileSync(AXE, "utf8"));
    const results = await page.evaluate(() =>
      window.axe.run(document, { resultTypes: ["violations"], runOnly: ["wcag2a", "wcag2aa", "wcag21aa", "best-practice"] }),
    );
    writeFileSync(join(ARTIFACTS, "accessibility.json"), JSON.stringify(results.violations, null, 2));
    const serious = results.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.length} × ${v.nodes[0]?.target.join(" ")}`);
    assert.deepEqual(serious, []);
  });

  it("lays out at 1280 px and on a 390 px phone", async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${server.url}?demo`);
    await analysed(page, WAIT);
    await page.locator("#cohort-grid").waitFor(WAIT);
    await page.screenshot({ path: join(ARTIFACTS, "desktop-1280.png"), fullPage: true });
    await page.locator("#rfm-charts").screenshot({ path: join(ARTIFACTS, "charts-rfm.png") });
    await page.locator("#value-spread").screenshot({ path: join(ARTIFACTS, "charts-value.png") });
    await page.locator("#cohorts").screenshot({ path: join(ARTIFACTS, "charts-cohorts.png") });
    await page.locator("#customers").screenshot({ path: join(ARTIFACTS, "customers.png") });

    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator("#rfm-charts").scrollIntoViewIfNeeded();
    // Nothing but the tables' own scroll areas may be wider than the screen.
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 390, `the page is ${wide} px wide at 390 px`);
    await page.screenshot({ path: join(ARTIFACTS, "phone-390.png"), fullPage: true });
    await page.locator("#rfm-charts").screenshot({ path: join(ARTIFACTS, "phone-charts.png") });
    await page.locator("#cohorts").screenshot({ path: join(ARTIFACTS, "phone-cohorts.png") });
    await page.locator("#customers").screenshot({ path: join(ARTIFACTS, "phone-customers.png") });
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("answers clicks while a million-row file is analysed, and scrolls a million customers (reported)", LONG, async () => {
    // A plain order table of a million customers: each orders once, and
    // 200,000 orders more go to customers at random (deterministic, so
    // every run measures the same work): 1.2 million rows over two years.
    const big = join(scratch, "million.csv");
    const CUSTOMERS = 1_000_000;
    const rows = CUSTOMERS + 200_000;
    const lines = ["customer_id,order_date,amount"];
    // mulberry32: 32-bit integer steps, exact in JavaScript numbers.
    let seed = 7;
    const next = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const start = Date.UTC(2024, 0, 1);
    for (let i = 0; i < rows; i++) {
      const day = new Date(start + Math.floor(next() * 730) * 86_400_000).toISOString().slice(0, 10);
      const customer = i < CUSTOMERS ? i : Math.floor(next() * CUSTOMERS);
      lines.push(`C${customer},${day},${(5 + next() * 195).toFixed(2)}`);
    }
    writeFileSync(big, lines.join("\n") + "\n");
    await page.goto(server.url);
    await page.locator("#file-input:not([disabled])").waitFor({ state: "attached", ...WAIT });
    // As a merchant who takes a few seconds to find the file: the engine has
    // warmed up and its helper workers for the next file are waiting.
    await page.locator("main[data-warmed-ms]").waitFor({ state: "attached", ...WAIT });
    const warmed_ms = Number(await page.getAttribute("main", "data-warmed-ms"));
    await page.waitForTimeout(3000);
    const started = Date.now();
    await page.setInputFiles("#file-input", big);
    await page.locator("#cancel-button").waitFor(WAIT);
    // Each probe clicks the privacy panel's summary and waits for the next
    // frame: the time from the click to a frame that shows its effect.
    const probes = [];
    while (probes.length < 1000) {
      const probe = await page.evaluate(async () => {
        const running = Boolean(document.querySelector("#cancel-button"));
        const panel = document.querySelector("#privacy");
        const was = panel.open;
        const start = performance.now();
        panel.querySelector("summary").click();
        await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        return { running, ms: performance.now() - start, toggled: panel.open !== was };
      });
      if (!probe.running) break;
      probes.push(probe);
      await page.waitForTimeout(100);
    }
    await analysed(page, LONG);
    await page.locator("#kpi-customers").waitFor(LONG);
    const analysed_ms = Date.now() - started;
    const customers = int(await page.textContent("#kpi-customers"));
    // The drill-down over every customer: scroll a screenful per frame for
    // 90 frames (the frame gaps say how smooth), then jump to the end.
    await page.locator("#customer-table .c-row[data-customer]").first().waitFor(WAIT);
    const scrolling = await page.evaluate(async () => {
      const viewport = document.querySelector("#customer-table .c-viewport");
      const gaps = [];
      let last = performance.now();
      for (let i = 0; i < 90; i++) {
        viewport.scrollTop += 480;
        await new Promise((resolve) => requestAnimationFrame(resolve));
        const now = performance.now();
        gaps.push(now - last);
        last = now;
      }
      gaps.sort((a, b) => a - b);
      return { median_frame_ms: gaps[45], max_frame_ms: gaps[gaps.length - 1] };
    });
    const jumped = Date.now();
    await page.locator("#customer-table .c-viewport").evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.waitForFunction(
      (n) => document.querySelector(`#customer-table .c-row[data-customer][aria-rowindex="${n + 1}"]`),
      customers,
      WAIT,
    );
    const last_row_ms = Date.now() - jumped;
    // Peers in the same browser for the guard below: reading the same File
    // bare (best of three), and the engine's own warm-up on small stores.
    const stages = JSON.parse(await page.getAttribute("#timings", "data-stages"));
    const stage = (name) => stages.find((s) => s.stage === name)?.ms ?? 0;
    const ingest_ms = ["reading", "parsing", "merging pieces", "orders and customers"]
      .map(stage)
      .reduce((a, b) => a + b, 0);
    await page.evaluate(() => {
      const input = Object.assign(document.createElement("input"), { type: "file", id: "bare-read" });
      input.hidden = true;
      document.body.append(input);
    });
    await page.setInputFiles("#bare-read", big);
    const bare_read_ms = await page.evaluate(async () => {
      const file = document.querySelector("#bare-read").files[0];
      let best = Infinity;
      for (let run = 0; run < 3; run++) {
        const start = performance.now();
        for (let at = 0; at < file.size; at += 8 << 20) await file.slice(at, at + (8 << 20)).arrayBuffer();
        best = Math.min(best, performance.now() - start);
      }
      return best;
    });
    // Sorting a million customers on another column, in the worker.
    const sorted = Date.now();
    await page.click('button.sort[data-column="last_order"]');
    await page.waitForFunction(
      () => document.querySelector('#customer-table .c-row[data-customer][aria-rowindex="2"]'),
      null,
      WAIT,
    );
    const sort_ms = Date.now() - sorted;
    const times = probes.map((p) => p.ms).sort((a, b) => a - b);
    const at = (q) => times[Math.min(times.length - 1, Math.floor(q * times.length))];
    const report = {
      rows,
      bytes: statSync(big).size,
      customers,
      analysed_ms,
      ingest_ms,
      bare_read_ms,
      warmed_ms,
      ingest_per_bare_read: ingest_ms / bare_read_ms,
      analysis_per_warm_up: analysed_ms / warmed_ms,
      probes: probes.length,
      median_ms: at(0.5),
      p95_ms: at(0.95),
      max_ms: times[times.length - 1],
      under_100ms: times.filter((t) => t < 100).length,
      drill_down: { customers, ...scrolling, last_row_ms, sort_ms },
    };
    writeFileSync(join(ARTIFACTS, "responsiveness.json"), JSON.stringify(report, null, 2));
    console.log(`responsiveness while analysing ${rows} rows: ${JSON.stringify(report)}`);
    assert.equal(customers, CUSTOMERS);
    // The page answered while the worker was busy, and every click did its job.
    assert.ok(probes.length >= 3, `only ${probes.length} clicks landed during the analysis`);
    assert.ok(probes.every((p) => p.toggled));
    // Not a speed target (those are benchmarks): a guard against slowdowns
    // by an order of magnitude, which the small fixtures of the other tests
    // never show. Each time is a ratio to a peer in the same browser, so the
    // machine's speed cancels; normal here is 19–33 and 8–11. Both guarded
    // regressions were real: a hash table that put every customer in one
    // bucket on wasm32 only (ingest about 80 times slower), and a model fit
    // crawling along a flat ridge (the analysis 30 times slower).
    assert.ok(report.ingest_per_bare_read < 200, `ingest ${ingest_ms} ms vs reading ${bare_read_ms} ms`);
    assert.ok(report.analysis_per_warm_up < 50, `analysis ${analysed_ms} ms vs warm-up ${warmed_ms} ms`);
  });

  it("sent nothing anywhere but the local server, and raised no errors", () => {
    assert.deepEqual(offsite, []);
    assert.deepEqual(pageErrors, []);
  });
});
