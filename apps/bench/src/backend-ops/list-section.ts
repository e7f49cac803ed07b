import { join } from "node:path";
import {
  createDagRun,
  createDatabase,
  MetastoreBackend,
  migrate,
  type TidemarkDatabase,
  withDatabaseSchema,
} from "@tidemark/core";
import { taskScope } from "@tidemark/state";
import type { BenchPlan } from "../bench-plan.js";
import { compareFigures } from "../report/compare.js";
import type { Figure, MeasuredSection } from "../report/result-types.js";
import { toStat } from "../report/stat.js";
import { jsonObjectOfBytes } from "../support/json-values.js";
import { dropSchemas, throwawaySchemaName } from "../support/postgres-target.js";
import { withTempDir } from "../support/temp-dir.js";
import { BENCH_SCOPE } from "./kv-subject.js";
import { type ListPaging, walkListing } from "./list-walk.js";

/** The `limit` of every page, the default page of the listings. */
const PAGE_SIZE = 100;

/** Each run reads at least this many pages (whole walks), so a small listing still times more than noise. */
const MIN_PAGES_PER_RUN = 100;

const PAGINGS: readonly ListPaging[] = ["offset", "cursor"];

/** Postgres for the section: where it is, or why it is not measured. */
export type ListPostgres = { readonly url: string } | { readonly skipped: string };

async function measureDatabase(
  label: string,
  database: TidemarkDatabase,
  plan: BenchPlan,
  log: (line: string) => void,
): Promise<Figure[]> {
  const backend = new MetastoreBackend({ database });
  try {
    await migrate(database);
    await createDagRun(database, { dagId: BENCH_SCOPE.dagId, runId: BENCH_SCOPE.runId });
    const scope = taskScope(BENCH_SCOPE);
    const value = JSON.stringify(jsonObjectOfBytes(plan.valueBytes));
    for (let i = 0; i < plan.backendKeys; i++) {
      await backend.set(scope, `key-${i.toString().padStart(6, "0")}`, value);
    }
    const pagesPerWalk = Math.max(1, Math.ceil(plan.backendKeys / PAGE_SIZE));
    const walks = Math.ceil(MIN_PAGES_PER_RUN / pagesPerWalk);
    log(`  ${label}: ${plan.backendKeys} keys written; ${walks} walk(s) of ${pagesPerWalk} pages per run`);
    const samples = new Map(PAGINGS.map((p) => [p, { pages: [] as number[], keys: [] as number[] }]));
    for (let run = 0; run < plan.backendRuns; run++) {
      // Alternate which paging goes first, so a burst of load hits both alike.
      for (const paging of run % 2 === 0 ? PAGINGS : [...PAGINGS].reverse()) {
        let pages = 0;
        let keys = 0;
        const started = performance.now();
        for (let w = 0; w < walks; w++) {
          const walk = await walkListing(backend, scope, paging, PAGE_SIZE, plan.backendKeys);
          pages += walk.pages;
          keys += walk.keys;
        }
        const seconds = (performance.now() - started) / 1000;
        samples.get(paging)!.pages.push(pages / seconds);
        samples.get(paging)!.keys.push(keys / seconds);
      }
    }
    return compareFigures(
      PAGINGS.map((paging) => ({
        operation: `${label}: walk ${plan.backendKeys.toLocaleString("en-US")} keys`,
        subject: `MetastoreBackend.list by ${paging}`,
        // The offset walk is what the cursor is judged against: × peer is cursor ÷ offset.
        role: paging === "cursor" ? "subject" : "peer",
        primary: "keys",
        metrics: {
          pages: toStat(samples.get(paging)!.pages, "pages/s"),
          keys: toStat(samples.get(paging)!.keys, "keys/s"),
        },
      })),
    );
  } finally {
    await backend.close().catch(() => {});
    await database.close().catch(() => {});
  }
}

/**
 * Listing one task scope's keys in pages of 100, by offset and by cursor, with MetastoreBackend on a
 * SQLite file (WAL) and, when it answers, on Postgres (in a throwaway schema, dropped at the end). The
 * offset walk is the peer, so each cursor figure's × peer is cursor ÷ offset.
 *
 * @param plan - sizes: `backendKeys` keys, `backendRuns` runs, `valueBytes` per value.
 * @param postgres - the server (reachable: probed before), or why Postgres is not measured.
 * @param log - progress lines.
 * @returns the section.
 */
export async function backendListSection(
  plan: BenchPlan,
  postgres: ListPostgres,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  const started = performance.now();
  const figures = await withTempDir("list", (dir) =>
    measureDatabase("SQLite", createDatabase(`sqlite://${join(dir, "tidemark.db")}`), plan, log),
  );
  const notes = [
    `${plan.backendKeys} keys of ${plan.valueBytes}-byte JSON values in one task scope; each walk reads the whole listing with \`list(scope, { limit: ${PAGE_SIZE} })\`, the next page by \`offset\` or by \`cursor\` (the previous page's \`nextCursor\`), and checks it saw every key once in order.`,
    `Each run repeats the walk until it has read at least ${MIN_PAGES_PER_RUN} pages; median of ${plan.backendRuns} runs, offset and cursor alternating which goes first. × peer is cursor ÷ offset (above 1: the cursor is faster).`,
  ];
  if ("skipped" in postgres) {
    log(`  Postgres skipped: ${postgres.skipped}`);
    notes.push(`Postgres not measured: ${postgres.skipped}.`);
  } else {
    const schema = throwawaySchemaName("list");
    try {
      figures.push(
        ...(await measureDatabase(
          "Postgres",
          createDatabase(withDatabaseSchema(postgres.url, schema)),
          plan,
          log,
        )),
      );
    } finally {
      await dropSchemas(postgres.url, [schema]);
    }
  }
  return {
    id: "backend_list",
    title: "Listing a task scope by offset and by cursor (SQLite file, WAL; Postgres)",
    status: "ok",
    notes,
    columns: [
      { metric: "pages", heading: "pages/s" },
      { metric: "keys", heading: "keys/s" },
    ],
    figures,
    durationMs: performance.now() - started,
  };
}
