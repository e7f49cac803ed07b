import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { WriterCommand, WriterMessage, WriterWorkerData } from "./writer-protocol.js";

/** What a measurement window of the writer recorded. */
export interface WriterReport {
  /** Calls completed in the window. */
  readonly count: number;
  /** The slowest, in milliseconds (0 when none completed). */
  readonly maxMs: number;
  /** The 99th percentile, in milliseconds. */
  readonly p99Ms: number;
}

/** A running concurrent writer (see writer-worker.ts). */
export interface ConcurrentWriter {
  /** Opens a measurement window now. */
  measure(): void;
  /**
   * Closes the window now and returns the waits of the calls that overlapped it (reported once the call in
   * flight completes, so a call blocked by the sweep counts in full); the writer goes on writing.
   */
  report(): Promise<WriterReport>;
  /** Stops the writer thread. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the concurrent writer thread and waits until it has written a few keys.
 *
 * @param data - the database URL, the scope and the value it writes.
 * @returns the writer.
 * @throws Error when the writer fails to start or write.
 */
export async function startConcurrentWriter(data: WriterWorkerData): Promise<ConcurrentWriter> {
  const worker = new Worker(new URL("./writer-worker.js", import.meta.url), { workerData: data });
  const messages: WriterMessage[] = [];
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  worker.on("message", (message: WriterMessage) => {
    messages.push(message);
    wake?.();
  });
  worker.on("error", (error) => {
    failure = error;
    wake?.();
  });
  const next = async (type: WriterMessage["type"]): Promise<WriterMessage> => {
    for (;;) {
      const index = messages.findIndex((m) => m.type === type || m.type === "error");
      if (index >= 0) {
        const [message] = messages.splice(index, 1) as [WriterMessage];
        if (message.type === "error") throw new Error(`the concurrent writer failed: ${message.message}`);
        return message;
      }
      if (failure !== undefined) throw failure;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };
  const send = (command: WriterCommand) => worker.postMessage(command);
  try {
    await next("ready");
  } catch (error) {
    await worker.terminate();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    measure: () => send({ type: "measure", from: performance.timeOrigin + performance.now() }),
    async report() {
      send({ type: "report", to: performance.timeOrigin + performance.now() });
      const report = await next("report");
      if (report.type !== "report") throw new Error("unexpected message");
      return { count: report.count, maxMs: report.maxMs, p99Ms: report.p99Ms };
    },
    stop() {
      stopped ??= (async () => {
        send({ type: "stop" });
        await Promise.race([once(worker, "exit"), new Promise((r) => setTimeout(r, 5000))]);
        await worker.terminate();
      })();
      return stopped;
    },
  };
}
