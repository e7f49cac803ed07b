import type { TaskScopeInit } from "@tidemark/state";

/** What the end-to-end server child is asked to set up. */
export interface EndToEndServerInput {
  /** Working directory: the SQLite metastore and `.tidemark/` live here. */
  readonly directory: string;
  /** Task instances to create, one per concurrent worker. */
  readonly workers: number;
  /** The JSON value the no-op endpoint answers GETs with. */
  readonly value: unknown;
}

/** One task instance a worker acts as. */
export interface EndToEndWorker {
  readonly taskInstanceId: string;
  readonly token: string;
  readonly scope: Required<Omit<TaskScopeInit, "regionId">>;
}

/** What the server child prints (one JSON line) once both servers listen. */
export interface EndToEndServerReady {
  /** The Execution API's base URL, with `/execution`. */
  readonly apiUrl: string;
  /** The no-op Fastify server's base URL, with `/execution` (same routes, no work). */
  readonly noopUrl: string;
  readonly workers: readonly EndToEndWorker[];
}
