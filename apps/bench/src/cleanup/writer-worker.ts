import { setImmediate as yieldToEvents } from "node:timers/promises";
import { parentPort, workerData } from "node:worker_threads";
import { createDatabase, MetastoreBackend } from "@tidemark/core";
import { taskScope } from "@tidemark/state";
import type { WriterCommand, WriterMessage, WriterWorkerData } from "./writer-protocol.js";
import { wallClock, windowReport } from "./writer-waits.js";

// The concurrent writer of the cleanup benchmark, in its own thread with its own connection: it calls
// MetastoreBackend.set in a loop, one call at a time, and records how long each call took while the main
// thread sweeps. Started by cleanup-section.ts.

const data = workerData as WriterWorkerData;
const port = parentPort;
if (port === null) throw new Error("writer-worker.js runs as a worker thread");

const database = createDatabase(data.url);
const backend = new MetastoreBackend({ database });
const scope = taskScope({ dagId: data.dagId, runId: data.runId, taskId: data.taskId });
/** [start, end] of every call since the window opened (or since the last report). */
let calls: [number, number][] = [];
let windowFrom: number | undefined;
let reportTo: number | undefined;
let stopping = false;

const send = (message: WriterMessage) => port.postMessage(message);

function report(from: number, to: number): void {
  send({ type: "report", ...windowReport(calls, from, to) });
  calls = [];
}

port.on("message", (command: WriterCommand) => {
  if (command.type === "measure") {
    windowFrom = command.from;
    calls = calls.filter(([, end]) => end >= command.from);
  } else if (command.type === "report") reportTo = command.to;
  else stopping = true;
});

try {
  // A call's wait starts when the writer is ready to make it (right after the previous one).
  let ready = wallClock();
  for (let i = 0; !stopping; i++) {
    await backend.set(scope, `writer-${i % 100}`, data.value);
    const end = wallClock();
    calls.push([ready, end]);
    ready = end;
    if (i === 20) send({ type: "ready" });
    // Let the main thread's messages in between calls (the calls themselves may complete synchronously).
    await yieldToEvents();
    if (reportTo !== undefined) {
      report(windowFrom ?? reportTo, reportTo);
      windowFrom = undefined;
      reportTo = undefined;
    } else if (windowFrom === undefined && calls.length > 10_000) calls = calls.slice(-1000);
  }
} catch (error) {
  send({ type: "error", message: (error as Error).message ?? String(error) });
} finally {
  await backend.close();
  await database.close();
  // The message listener keeps the thread alive; closing the port lets it exit.
  port.close();
}
