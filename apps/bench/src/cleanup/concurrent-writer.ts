import { once } from "node:events";
import { Worker } from "node:worker_threads";
import type { WriterCommand, WriterMessage, WriterWorkerData } from "./writer-protocol.js";
import { type WriterReport, wallClock } from "./writer-waits.js";

/** A running concurrent writer: calls MetastoreBackend.set in a loop, one call at a time. */
export interface ConcurrentWriter {
  /** Opens a measurement window now. */
  measure(): void;
  /**
   * Closes the window now and returns the waits of the calls that overlapped it (reported once the call in
   * flight completes, so a call blocked by the sweep counts in full); the writer goes on writing.
   */
  report(): Promise<WriterReport>;
  /** Stops the writer. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts the writer in its own thread with its own connection (writer-worker.ts), as another process
 * writing while `tidemark state-store clean` sweeps; waits until it has written a few keys.
 *
 * @param data - the database URL, the scope and the value it writes.
 * @returns the writer.
 * @throws Error when the writer fails to start or write.
 */
export async function startThreadWriter(data: WriterWorkerData): Promise<ConcurrentWriter> {
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
    measure: () => send({ type: "measure", from: wallClock() }),
    async report() {
      send({ type: "report", to: wallClock() });
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
