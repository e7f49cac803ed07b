// The flights demo's entry point: `pnpm demo [options]` from the repository root (see USAGE).
import { isStateStoreError } from "@tidemark/state";
import { parseDemoOptions, USAGE, UsageError } from "./cli-options.js";
import { runDemo } from "./demo.js";
import { loadDemoConfig } from "./demo-config.js";
import { calendarDays, loadFlights } from "./flights-data.js";
import { renderReport } from "./report.js";
import { writeReportJson } from "./report-json.js";
import { serveBanner, serveDemo } from "./serve-demo.js";

/** Set while `--serve` waits: the first SIGINT/SIGTERM stops the server instead of interrupting. */
let stopServing: ((signal: NodeJS.Signals) => void) | undefined;

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
  const io = { cwd: process.cwd(), env: process.env, stdout: process.stdout };
  const report = await runDemo(options, io, dataset);
  process.stdout.write(renderReport(report));
  if (options.reportJson !== undefined) writeReportJson(options.reportJson, report);
  const code = report.ok ? 0 : 1;
  if (!options.serve) {
    process.stdout.write("\nTo look at the result in the UI: pnpm demo --serve (from the repository root)\n");
    return code;
  }
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    stopServing = resolve;
  });
  const served = await serveDemo({
    cwd: io.cwd,
    env: io.env,
    config: loadDemoConfig(io),
    port: options.port,
  });
  process.stdout.write(serveBanner(served));
  const signal = await stopped;
  process.stdout.write(`\n${signal}: stopping the api-server\n`);
  await served.server.stop();
  process.stdout.write("stopped\n");
  return code;
}

// A closed pipe (`pnpm demo | head`) ends the demo quietly; the exit handler stops the api-server child.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// Interrupted (Ctrl-C, SIGTERM): exit now; the exit handler stops the api-server child, and the next run
// picks up where this one stopped (a try left running counts as failed and is retried). While --serve
// waits, the signal is the way to stop, so the server is stopped cleanly instead. A terminal's Ctrl-C
// reaches every process of the group, so repeats are expected and ignored.
let signalled = false;
for (const [signal, code] of [
  ["SIGINT", 130],
  ["SIGTERM", 143],
] as const) {
  process.on(signal, () => {
    if (signalled) return;
    signalled = true;
    if (stopServing !== undefined) {
      stopServing(signal);
      return;
    }
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
