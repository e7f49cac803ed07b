import { type ApiServer, createTaskInstance, issueTaskToken } from "@tidemark/core";
import type { EndToEndWorker } from "./server-protocol.js";

/**
 * Creates `count` running task instances of one dag run (`bench_dag` / `bench_run`, task `worker_<i>`)
 * on the server's metastore, each with a task token valid for a day: one per benchmark writer.
 *
 * @param server - the API server (its database and signing key).
 * @param count - how many writers.
 * @returns the writers' task instance ids, tokens and scopes.
 */
export async function createBenchWorkers(server: ApiServer, count: number): Promise<EndToEndWorker[]> {
  const workers: EndToEndWorker[] = [];
  for (let i = 0; i < count; i++) {
    const scope = { dagId: "bench_dag", runId: "bench_run", taskId: `worker_${i}`, mapIndex: -1 };
    const ti = await createTaskInstance(server.database, { ...scope, state: "running" });
    const token = await issueTaskToken({
      key: server.secretKey.key,
      taskInstanceId: ti.id,
      ttlSeconds: 86_400,
    });
    workers.push({ taskInstanceId: ti.id, token, scope });
  }
  return workers;
}
