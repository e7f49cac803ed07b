#!/usr/bin/env node
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError } from "commander";
import { FULL_PLAN, QUICK_PLAN } from "./bench-plan.js";
import { SECTION_IDS, type SectionId } from "./report/result-types.js";
import { runBenchmarks } from "./run-benchmarks.js";
import { benchMysqlUrl } from "./support/mysql-target.js";
import { benchPostgresUrl } from "./support/postgres-target.js";

// `pnpm bench` (full run) and `pnpm bench --quick` from the repository root: see README's Benchmarks section.

function sectionList(value: string): SectionId[] {
  const ids = value.split(",").map((s) => s.trim());
  for (const id of ids) {
    if (!(SECTION_IDS as readonly string[]).includes(id)) {
      throw new InvalidArgumentError(
        `unknown section ${JSON.stringify(id)}; sections: ${SECTION_IDS.join(", ")}`,
      );
    }
  }
  return ids as SectionId[];
}

const program = new Command("tidemark-bench")
  .description(
    "Tidemark benchmarks: backend ops/s, end-to-end latency, cleanup sweeps and object storage, beside the raw drivers and Keyv",
  )
  .option(
    "--quick",
    "a small version of every measurement (well under a minute); writes quick.json / quick.md",
  )
  .option(
    "--out <dir>",
    "directory for the results files",
    fileURLToPath(new URL("../bench-results/", import.meta.url)),
  )
  .option(
    "--only <sections>",
    `comma-separated sections (writes partial.*): ${SECTION_IDS.join(", ")}`,
    sectionList,
  )
  .option(
    "--postgres-url <url>",
    "Postgres server (default: TIDEMARK_BENCH_POSTGRES_URL, TIDEMARK_TEST_POSTGRES_URL, postgres://postgres@127.0.0.1:5432/test)",
  )
  .option(
    "--mysql-url <url>",
    "MySQL or MariaDB server (default: TIDEMARK_BENCH_MYSQL_URL, TIDEMARK_TEST_MYSQL_URL, mysql://root@127.0.0.1:3306/test)",
  )
  .allowExcessArguments(false);

program.parse(process.argv.filter((arg, i) => !(i === 2 && arg === "--")));
const options = program.opts<{
  quick?: boolean;
  out: string;
  only?: SectionId[];
  postgresUrl?: string;
  mysqlUrl?: string;
}>();

try {
  await runBenchmarks({
    plan: options.quick ? QUICK_PLAN : FULL_PLAN,
    outDir: options.out,
    postgresUrl: benchPostgresUrl(options.postgresUrl, process.env),
    mysqlUrl: benchMysqlUrl(options.mysqlUrl, process.env),
    ...(options.only === undefined ? {} : { only: options.only }),
    env: process.env,
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.exit(0);
} catch (error) {
  process.stderr.write(`tidemark bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
