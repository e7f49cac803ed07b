// The flights demo's entry point: `pnpm demo [-- --days N --fail-once]` (see USAGE).
import { isStateStoreError } from "@tidemark/state";
import { parseDemoOptions, USAGE, UsageError } from "./cli-options.js";
import { runDemo } from "./demo.js";
import { calendarDays, loadFlights } from "./flights-data.js";
import { renderReport } from "./report.js";
import { writeReportJson } from "./report-json.js";

async function main(): Promise<number> {
  const dataset = loadFlights();
  let options: ReturnType<typeof parseDemoOptions>;
  try {
    options = parseDemoOptions(process.argv.slice(2), calendarDays(dataset.flights).length);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const report = await runDemo(
    options,
    { cwd: process.cwd(), env: process.env, stdout: process.stdout },
    dataset,
  );
  process.stdout.write(renderReport(report));
  if (options.reportJson !== undefined) writeReportJson(options.reportJson, report);
  return report.ok ? 0 : 1;
}

// A closed pipe (`pnpm demo | head`) ends the demo quietly; the exit handler stops the api-server child.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// Interrupted (Ctrl-C, SIGTERM): exit now; the exit handler stops the api-server child, and the next run
// picks up where this one stopped (a try left running counts as failed and is retried).
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nflights demo interrupted (${signal}); run it again to continue\n`);
    process.exit(code);
  });
}

try {
  process.exitCode = await main();
} catch (error) {
  const code = isStateStoreError(error) ? ` [${error.code}]` : "";
  process.stderr.write(`\nflights demo failed${code}: ${(error as Error)?.message ?? String(error)}\n`);
  process.exitCode = 1;
}
