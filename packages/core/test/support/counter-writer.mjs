// A writer on its own SQLite connection, in a worker thread, for the test of writes interleaving with a
// cleanup sweep: bumps the version of one task_state_store row (key "counter") in a loop, one write about
// every millisecond, until the parent posts "stop".
// workerData: { file } (the database file; the row must exist).
import { setTimeout as sleep } from "node:timers/promises";
import { parentPort, workerData } from "node:worker_threads";
import BetterSqlite3 from "better-sqlite3";

const db = new BetterSqlite3(workerData.file);
db.pragma("busy_timeout = 10000");
const bump = db.prepare("update task_state_store set version = version + 1 where key = 'counter'");
let stopping = false;
parentPort.on("message", (message) => {
  if (message === "stop") stopping = true;
});
let writes = 0;
while (!stopping) {
  bump.run();
  writes++;
  // About one write per millisecond, like a busy worker fleet; writing back to back without a pause
  // would shut the sweep out instead (SQLite has no fair lock queue).
  await sleep(1);
}
db.close();
parentPort.postMessage({ writes });
