// The tab's JavaScript heap while a page works: the page's own and that of
// every worker it starts, helpers started by workers included, sampled over
// the DevTools protocol (`Runtime.getHeapUsage` on each). Two figures per
// sample, summed over those threads: the JS objects (`usedSize`) and the
// ArrayBuffers' bytes held outside wasm memory (`backingStorageSize`: file
// slices in flight, frames passed between workers). Wasm memory is not in
// either; the worker reports its own.
//
// Workers are reached by auto-attaching (not flattened) from the page's
// session, and from each worker's session for the workers it starts; every
// message to a nested worker travels wrapped in its parents'.

/** How long a worker has to answer before its sample is left out. */
const ANSWER_MS = 1000;

/**
 * Starts sampling the heaps of `page` (a Playwright page of `context`) and
 * its workers every `everyMs`. `stop()` returns the peaks in bytes:
 * { js_heap_bytes, array_buffers_bytes, threads } (the most threads seen
 * at once).
 */
export async function sampleHeaps(context, page, everyMs = 50) {
  const cdp = await context.newCDPSession(page);
  // Attached worker sessions: id → the chain of session ids to reach it.
  const chains = new Map();
  const pending = new Map();
  let nextId = 1;

  const wrap = (chain, message) =>
    chain.reduceRight((inner, sessionId) => ({
      id: nextId++,
      method: "Target.sendMessageToTarget",
      params: { sessionId, message: JSON.stringify(inner) },
    }), message);

  /**
   * Sends `method` to the worker at the end of `chain`; null if it cannot
   * answer. A worker may end between question and answer (a helper does,
   * once it has posted its piece), and then no answer ever comes.
   */
  const ask = (chain, method, params = {}) =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      setTimeout(() => {
        if (pending.delete(id)) resolve(null);
      }, ANSWER_MS);
      const outer = wrap(chain.slice(1), { id, method, params });
      cdp
        .send("Target.sendMessageToTarget", { sessionId: chain[0], message: JSON.stringify(outer) })
        .catch(() => {
          pending.delete(id);
          resolve(null);
        });
    });

  /** Routes a message that came up through `chain`. */
  const route = (chain, message) => {
    if (message.method === "Target.receivedMessageFromTarget") {
      const { sessionId, message: inner } = message.params;
      return route([...chain, sessionId], JSON.parse(inner));
    }
    if (message.method === "Target.attachedToTarget") return attached([...chain, message.params.sessionId]);
    if (message.method === "Target.detachedFromTarget") return chains.delete(message.params.sessionId);
    const resolve = pending.get(message.id);
    if (resolve) {
      pending.delete(message.id);
      resolve(message.result ?? null);
    }
  };

  const attached = (chain) => {
    chains.set(chain.at(-1), chain);
    // Workers this worker starts (the engine's helpers).
    ask(chain, "Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  };

  cdp.on("Target.attachedToTarget", (e) => attached([e.sessionId]));
  cdp.on("Target.detachedFromTarget", (e) => chains.delete(e.sessionId));
  cdp.on("Target.receivedMessageFromTarget", (e) => route([e.sessionId], JSON.parse(e.message)));
  await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });

  const peak = { js_heap_bytes: 0, array_buffers_bytes: 0, threads: 0 };
  let sampling = null;
  const sample = async () => {
    const usages = [await cdp.send("Runtime.getHeapUsage").catch(() => null)];
    for (const chain of chains.values()) usages.push(await ask(chain, "Runtime.getHeapUsage"));
    const seen = usages.filter(Boolean);
    const sum = (key) => seen.reduce((total, u) => total + (u[key] ?? 0), 0);
    peak.js_heap_bytes = Math.max(peak.js_heap_bytes, sum("usedSize"));
    peak.array_buffers_bytes = Math.max(peak.array_buffers_bytes, sum("backingStorageSize"));
    peak.threads = Math.max(peak.threads, seen.length);
  };
  const timer = setInterval(() => {
    sampling ??= sample().finally(() => (sampling = null));
  }, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await sampling;
      await sample();
      await cdp.detach().catch(() => {});
      return peak;
    },
  };
}
