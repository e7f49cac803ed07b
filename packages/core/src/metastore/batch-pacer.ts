import { setTimeout as sleep, setImmediate as yieldToEvents } from "node:timers/promises";
import type { SqlDialectAdapter } from "../database/dialect-adapter.js";

/** SQLite: a batch that takes longer than this (milliseconds) makes the next batches smaller. */
export const SQLITE_BATCH_TARGET_MS = 50;
/** SQLite: the shortest pause between two batches, in milliseconds. */
export const SQLITE_MIN_PAUSE_MS = 2;
/** SQLite: the longest pause between two batches, in milliseconds. */
export const SQLITE_MAX_PAUSE_MS = 100;
/** SQLite: the smallest batch the pacer shrinks to, in rows. */
const SQLITE_MIN_BATCH = 100;
/** SQLite: the first batch, in rows (smaller when so configured), grown while batches are fast. */
const SQLITE_FIRST_BATCH = 1000;

/**
 * Paces a batched sweep so that writers get their turn between batches:
 *
 * - On every dialect, {@link pause} yields to the event loop, so that requests of the same process (the
 *   API server running its scheduled cleanup) are served between two batches. better-sqlite3 runs every
 *   statement synchronously, so without this a sweep holds the whole process for its full duration.
 * - On SQLite it then sleeps about as long as the batch took (at least {@link SQLITE_MIN_PAUSE_MS}, at
 *   most {@link SQLITE_MAX_PAUSE_MS}): a writer on another connection waits for the write lock in
 *   SQLite's busy handler, which polls with growing sleeps (up to 100 ms), and would otherwise find the
 *   lock retaken microseconds after each commit. The sweep takes about twice as long; a writer waits
 *   about one batch.
 * - On SQLite the first batch is at most 1000 rows (a cold cache can make the first batch of a large
 *   configured size slow); a batch faster than half of {@link SQLITE_BATCH_TARGET_MS} doubles the next
 *   one, never past the configured size, and a batch slower than {@link SQLITE_BATCH_TARGET_MS} makes
 *   the next one proportionally smaller (not below 100 rows).
 */
export class BatchPacer {
  readonly #sqlite: boolean;
  readonly #maxSize: number;
  #size: number;
  #started = 0;

  /**
   * @param adapter - the database's dialect adapter (`pacesSweeps` turns on the pauses and sizing).
   * @param batchSize - the configured batch size (rows, > 0): the most a batch ever deletes.
   */
  constructor(adapter: Pick<SqlDialectAdapter, "pacesSweeps">, batchSize: number) {
    this.#sqlite = adapter.pacesSweeps;
    this.#maxSize = batchSize;
    this.#size = this.#sqlite ? Math.min(batchSize, SQLITE_FIRST_BATCH) : batchSize;
  }

  /** The size of the next batch, in rows; marks the batch's start. */
  next(): number {
    this.#started = performance.now();
    return this.#size;
  }

  /** Marks the batch's start again (before another try after waiting for a lock): only the last try counts. */
  readonly markStart = (): void => {
    this.#started = performance.now();
  };

  /** Call after a batch that was not the last: adapts the size and waits as described above. */
  async pause(): Promise<void> {
    const took = performance.now() - this.#started;
    await yieldToEvents();
    if (!this.#sqlite) return;
    if (took > SQLITE_BATCH_TARGET_MS) {
      this.#size = Math.max(
        Math.min(SQLITE_MIN_BATCH, this.#maxSize),
        Math.floor((this.#size * SQLITE_BATCH_TARGET_MS) / took),
      );
    } else if (took < SQLITE_BATCH_TARGET_MS / 2 && this.#size < this.#maxSize) {
      this.#size = Math.min(this.#maxSize, this.#size * 2);
    }
    await sleep(Math.min(SQLITE_MAX_PAUSE_MS, Math.max(SQLITE_MIN_PAUSE_MS, took)));
  }
}
