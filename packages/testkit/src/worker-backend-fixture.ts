import type { WorkerStoreBackend } from "@tidemark/state";

/**
 * One worker backend under test, made fresh for every test by the worker suite's `create`. What the
 * harness made (directories, buckets) lives in the closure that built it.
 */
export interface WorkerBackendFixture<W extends WorkerStoreBackend = WorkerStoreBackend> {
  /** The worker backend, fresh and empty. */
  readonly backend: W;
  /** Releases the backend and whatever the fixture made. Default: `backend.close?.()`. */
  dispose?(): void | Promise<void>;
  /**
   * Tells whether the object a reference points to exists; without it the cases checking that delete
   * and clear remove objects are skipped, saying so.
   */
  objectExists?(ref: string): boolean | Promise<boolean>;
  /**
   * The backend's inline threshold in UTF-8 bytes of JSON text (values smaller stay inline), when it has
   * one. Without it the below-threshold case is skipped, saying so; offloaded test values are made at
   * least this large.
   */
  readonly threshold?: number;
  /**
   * A reference this backend does not own (another base, another scheme). Default: a `tidemark-foreign:`
   * URL no backend writes.
   */
  readonly foreignRef?: string;
}
