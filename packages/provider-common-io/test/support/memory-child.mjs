// Child process of the memory test (run with --expose-gc): round-trips one 10 MB value through the
// built package and prints the peak memory above the baseline as JSON.
//   node --expose-gc memory-child.mjs <base path> <compression>   (TIDEMARK_CONN_* in the env for s3:// and az://)
import { randomBytes } from "node:crypto";
import { StateStoreObjectStorageBackend } from "@tidemark/provider-common-io";

const [path, compression] = process.argv.slice(2);
const SIZE = 10 * 1024 * 1024;
// Half random base64, half repeated text: realistic JSON that gzip compresses partly.
const blob = randomBytes((SIZE / 2) * 0.75).toString("base64") + "row,".repeat(SIZE / 8);
const text = JSON.stringify({ blob });
const bytes = Buffer.byteLength(text);
const scope = { kind: "task", dagId: "d", runId: "r", taskId: "t", mapIndex: -1 };
const backend = new StateStoreObjectStorageBackend({ path, compression });
// Warm up (loads the SDK for s3:// and az://, opens connections) with a small value, then measure.
await backend.set(scope, "warm", '"x"');
await backend.get(scope, "warm");

/** Runs `fn` after a full GC and returns the peak growth above that baseline while it runs. */
async function peakDuring(fn) {
  globalThis.gc();
  const base = process.memoryUsage();
  const peak = { rss: base.rss, arrayBuffers: base.arrayBuffers, heapUsed: base.heapUsed };
  const sample = () => {
    const m = process.memoryUsage();
    peak.rss = Math.max(peak.rss, m.rss);
    peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
    peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  };
  const timer = setInterval(sample, 1);
  const started = Date.now();
  await fn(sample);
  sample();
  clearInterval(timer);
  return {
    rss: peak.rss - base.rss,
    arrayBuffers: peak.arrayBuffers - base.arrayBuffers,
    heapUsed: peak.heapUsed - base.heapUsed,
    durationMs: Date.now() - started,
  };
}

// Worker role: offload, then read back and decode (the decoded value holds the 10 MB string).
const worker = await peakDuring(async (sample) => {
  const ref = await backend.serializeTaskStateStoreToRef({ value: null, text, key: "big-ref", scope });
  sample();
  const value = await backend.deserializeTaskStateStoreFromRef(ref);
  if (value.blob !== blob) throw new Error("worker round trip changed the value");
});
// Server role: set, then get the text back.
const server = await peakDuring(async (sample) => {
  await backend.set(scope, "big", text);
  sample();
  const back = await backend.get(scope, "big");
  if (back !== text) throw new Error("server round trip changed the value");
});
await backend.clear(scope);
await backend.close();

const mb = (n) => Math.round((n / 1024 / 1024) * 10) / 10;
const describe = (p) => ({
  rssMB: mb(p.rss),
  arrayBuffersMB: mb(p.arrayBuffers),
  heapUsedMB: mb(p.heapUsed),
  rssTimesValue: Math.round((p.rss / bytes) * 10) / 10,
  durationMs: p.durationMs,
});
process.stdout.write(
  JSON.stringify({
    valueBytes: bytes,
    worker: describe(worker),
    server: describe(server),
    peakRssDelta: Math.max(worker.rss, server.rss),
  }),
);
