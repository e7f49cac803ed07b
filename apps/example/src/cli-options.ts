import { parseArgs } from "node:util";

/** The demo's command-line options. */
export interface DemoOptions {
  /** Run the first N daily dag runs; undefined = all of them (90). */
  readonly days?: number;
  /** Make one delay report crash mid-way on its first try, so its retry resumes from the checkpoint. */
  readonly failOnce: boolean;
  /** Also write the report as JSON to this file. */
  readonly reportJson?: string;
  /** The warehouse SQLite file. Default `.tidemark/warehouse-<hash of database.url>.db`. */
  readonly warehouse?: string;
  /** After the run and its checks, keep an api-server with the UI up on the demo's state until Ctrl-C. */
  readonly serve: boolean;
  /** The port `--serve` listens on; 0 picks a free one. */
  readonly port: number;
  /** Print the usage and exit. */
  readonly help: boolean;
}

/** The usage text. */
export const USAGE = `Usage: pnpm demo [options]       from the repository root (pnpm demo -- [options] works too)
       node dist/main.js [options] in apps/example, once built

Runs the dag "flights_daily" over vega-datasets' flights-20k.json: one dag run per day (90), each with
ingest_flights (asset state watermark + airport_stats) and delay_report (task state checkpoints),
through a real tidemark api-server, then verifies the result against the file.

Options:
  --days N            run the first N days only (1-90; default 90)
  --fail-once         crash one delay report mid-way on its first try; its retry resumes from the checkpoint
  --report-json FILE  also write the report as JSON
  --warehouse FILE    the warehouse SQLite file (default .tidemark/warehouse-<hash of database.url>.db)
  --serve             then keep an api-server with the UI up on the demo's state, until Ctrl-C
  --port N            the port of --serve (default 0: a free one)
  -h, --help          show this help

Examples:
  pnpm demo --days 10 --fail-once
  pnpm demo --serve
  TIDEMARK__DATABASE__URL=postgres://postgres@127.0.0.1:5432/tidemark pnpm demo --days 10

Configuration (tidemark.toml or TIDEMARK__SECTION__KEY variables):
  database.url                             default sqlite:.tidemark/tidemark.db
  common_io.state_store_objectstorage_path default file://<cwd>/.tidemark/objects-<hash of database.url>/
                                           (s3://conn@bucket/prefix/ for S3)
  state_store.clear_on_success             default false (delay_report keeps its job_id)
  TIDEMARK_API_URL                         use a running api-server instead of starting one
`;

/** A command-line mistake: print it with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * Parses the demo's arguments (a leading `--`, as `pnpm demo -- …` may pass it, is ignored).
 *
 * @param argv - the arguments after the script.
 * @param maxDays - the largest accepted `--days`.
 * @returns the options.
 * @throws UsageError for an unknown option, a missing value or a `--days` out of range.
 */
export function parseDemoOptions(argv: readonly string[], maxDays: number): DemoOptions {
  const args = argv[0] === "--" ? argv.slice(1) : [...argv];
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        days: { type: "string" },
        "fail-once": { type: "boolean", default: false },
        "report-json": { type: "string" },
        warehouse: { type: "string" },
        serve: { type: "boolean", default: false },
        port: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  let days: number | undefined;
  if (values.days !== undefined) {
    const text = String(values.days).trim();
    days = Number(text);
    if (!/^\d+$/.test(text) || days < 1 || days > maxDays) {
      throw new UsageError(
        `--days must be an integer from 1 to ${maxDays}, got ${JSON.stringify(values.days)}`,
      );
    }
  }
  let port = 0;
  if (values.port !== undefined) {
    const text = String(values.port).trim();
    port = Number(text);
    if (!/^\d+$/.test(text) || port > 65_535) {
      throw new UsageError(
        `--port must be an integer from 0 to 65535 (0 picks a free one), got ${JSON.stringify(values.port)}`,
      );
    }
  }
  return {
    ...(days === undefined ? {} : { days }),
    failOnce: values["fail-once"] === true,
    ...(typeof values["report-json"] === "string" ? { reportJson: values["report-json"] } : {}),
    ...(typeof values.warehouse === "string" ? { warehouse: values.warehouse } : {}),
    serve: values.serve === true,
    port,
    help: values.help === true,
  };
}
