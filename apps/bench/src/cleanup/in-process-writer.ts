import { setImmediate as yieldToEvents } from "node:timers/promises";
import type { MetastoreBackend } from "@tidemark/core";
import type { TaskScope } from "@tidemark/state";
import type { ConcurrentWriter } from "./concurrent-writer.js";
import { wallClock, windowReport } from "./writer-waits.js";

/**
 * Starts a writer on the sweep's own backend (and so its connection or pool), in this thread, as the API
 * server writing while its scheduled cleanup sweeps: an async loop of `backend.set`, one call at a time,
 * yielding to the event loop between calls (a macrotask, as a new HTTP request would be). A call's wait is
 * measured from the moment the writer was ready to make it, so a sweep that holds the event loop counts.
 *
 * @param backend - the backend that also runs the sweep.
 * @param scope - where it writes (a dag run that exists).
 * @param value - JSON text.
 * @returns the writer; it is writing when this returns.
 */
export function startInProcessWriter(
  backend: MetastoreBackend,
  scope: TaskScope,
  value: string,
): ConcurrentWriter {
  let calls: [number, number][] = [];
  let from: number | undefined;
  let stopping = false;
  /** Reports waiting for the first call that completes at or after their window's end. */
  let waiting: { to: number; resolve: () => void }[] = [];
  const wake = (end: number) => {
    const due = waiting.filter((w) => end >= w.to);
    waiting = waiting.filter((w) => end < w.to);
    for (const w of due) w.resolve();
  };
  const loop = (async () => {
    // A call's wait starts when the writer is ready to make it (right after the previous one), so time spent
    // waiting for the event loop (blocked by the sweep in this thread) counts too.
    let ready = wallClock();
    try {
      for (let i = 0; !stopping; i++) {
        await backend.set(scope, `writer-${i % 100}`, value);
        const end = wallClock();
        calls.push([ready, end]);
        ready = end;
        wake(end);
        await yieldToEvents();
        if (from === undefined && calls.length > 10_000) calls = calls.slice(-1000);
      }
    } finally {
      wake(Number.POSITIVE_INFINITY);
    }
  })();
  let stopped: Promise<void> | undefined;
  return {
    measure() {
      from = wallClock();
      const open = from;
      calls = calls.filter(([, end]) => end >= open);
    },
    async report() {
      const to = wallClock();
      // The call the writer was making (or waiting to make) when the window closed counts until it completes.
      await new Promise<void>((resolve) => waiting.push({ to, resolve }));
      const report = windowReport(calls, from ?? to, to);
      calls = [];
      from = undefined;
      return report;
    },
    stop() {
      stopping = true;
      stopped ??= loop;
      return stopped;
    },
  };
}
