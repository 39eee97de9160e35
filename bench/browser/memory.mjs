// The memory a page uses while it works, as the operating system sees it:
// the resident set of Chromium's renderer processes (the page, its Web
// Workers, their wasm memories and JS heaps all live there), sampled every
// few milliseconds. Linux only (/proc).
import { readdirSync, readFileSync } from "node:fs";

/** Renderer processes of the browser started with `profile`. */
function renderers(profile) {
  const pids = [];
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    let command;
    try {
      command = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue; // gone meanwhile
    }
    if (command.includes("--type=renderer") && command.includes(profile)) pids.push(pid);
  }
  return pids;
}

function residentBytes(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Number(line[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Starts sampling; `stop()` returns { before, peak } in bytes: the renderers'
 * total when sampling began and the most they held together since.
 */
export function sampleRenderers(profile, everyMs = 20) {
  const total = () => renderers(profile).reduce((sum, pid) => sum + residentBytes(pid), 0);
  const before = total();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, total());
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      peak = Math.max(peak, total());
      return { before, peak };
    },
  };
}
