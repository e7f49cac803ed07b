import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { makeTempDir, type TempDir } from "@tidemark/testkit/temp-dir";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiServerProcess, startApiServer } from "./support/api-server-process.js";
import { consumerEnv } from "./support/consumer-env.js";
import { type InstallResult, installTarballs } from "./support/install-tarballs.js";
import { tidemark, tidemarkJson } from "./support/installed-tidemark.js";
import { type PackResult, packPublishedPackages } from "./support/pack-packages.js";
import { PUBLISHED_PACKAGES, publicWorkspacePackages, WORKSPACE_ROOT } from "./support/published-packages.js";
import { describeFailure, runCommand } from "./support/run-command.js";
import { inspectTarball } from "./support/tarball-contents.js";

const FIXTURE_TASK = fileURLToPath(new URL("./fixtures/consumer-task.mjs", import.meta.url));
const ENVELOPE_KEY = "__airflow_state_ref__";
const DAG = { dagId: "consumer_dag", runId: "run_1", taskId: "load_orders" };

/** What `tidemark state-store get -o json` prints. */
interface StateEntryJson {
  readonly key: string;
  readonly value: unknown;
  readonly version: number;
  readonly is_reference?: boolean;
  readonly ref?: string | null;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

describe("Tidemark as a consumer installs it: npm tarballs in a project outside the workspace", () => {
  let work: TempDir;
  let project: string;
  let objects: string;
  let pack: PackResult;
  let install: InstallResult;
  const timings: Record<string, string> = {};

  beforeAll(async () => {
    work = await makeTempDir("tidemark-consumer-");
    const tarballs = join(work.path, "tarballs");
    project = join(work.path, "project");
    objects = join(project, "objects");
    mkdirSync(tarballs);
    mkdirSync(objects, { recursive: true });
    pack = await packPublishedPackages(tarballs);
    timings.pack = seconds(pack.durationMs);
    install = await installTarballs(
      project,
      pack.packages.map((p) => p.tarball),
    );
    timings.install = seconds(install.durationMs);
  });

  afterAll(async () => {
    // One line for the CI log.
    console.log(
      `consumer test timings: ${Object.entries(timings)
        .map(([step, time]) => `${step} ${time}`)
        .join(", ")}`,
    );
    await work?.remove();
  });

  it("packs every package the workspace publishes, each at its workspace version", () => {
    expect(PUBLISHED_PACKAGES.map((p) => p.name).sort()).toEqual(publicWorkspacePackages());
    for (const pkg of PUBLISHED_PACKAGES) {
      const manifest = JSON.parse(readFileSync(join(WORKSPACE_ROOT, pkg.dir, "package.json"), "utf8"));
      const packed = pack.packages.find((p) => p.name === pkg.name);
      expect(packed?.version, pkg.name).toBe(manifest.version);
      expect(packed !== undefined && !relative(work.path, packed.tarball).startsWith(".."), pkg.name).toBe(
        true,
      );
    }
  });

  it("ships tarballs with a README.md, no *.tsbuildinfo, whole source maps and real dependency versions", async () => {
    const problems: Record<string, unknown> = {};
    for (const packed of pack.packages) {
      const report = await inspectTarball(packed.tarball, join(work.path, "unpacked", packed.name));
      const wrong = {
        ...(report.hasReadme ? {} : { readme: "no README.md at the package root" }),
        ...(report.buildInfoFiles.length > 0 ? { buildInfoFiles: report.buildInfoFiles } : {}),
        ...(report.brokenSourceMaps.length > 0
          ? { brokenSourceMaps: report.brokenSourceMaps.slice(0, 5) }
          : {}),
        ...(report.danglingMapReferences.length > 0
          ? { danglingMapReferences: report.danglingMapReferences.slice(0, 5) }
          : {}),
        ...(report.unresolvedSpecifiers.length > 0
          ? { unresolvedSpecifiers: report.unresolvedSpecifiers }
          : {}),
      };
      if (Object.keys(wrong).length > 0) problems[packed.name] = wrong;
      expect(report.files, packed.name).toContain("package.json");
    }
    expect(problems).toEqual({});
  });

  it("installs with plain npm, printing no EBADENGINE warning on this Node", () => {
    expect(install.engineWarnings, `npm install on Node ${process.version}`).toEqual([]);
    for (const pkg of PUBLISHED_PACKAGES) {
      expect(
        existsSync(join(project, "node_modules", ...pkg.name.split("/"), "package.json")),
        pkg.name,
      ).toBe(true);
    }
  });

  describe("the installed tidemark CLI, api-server and a task written against @tidemark/task-sdk", () => {
    let server: ApiServerProcess | undefined;
    let taskInstanceId: string;
    const env = consumerEnv();

    beforeAll(async () => {
      writeFileSync(
        join(project, "tidemark.toml"),
        [
          "[database]",
          'url = "sqlite:tidemark.db"',
          "",
          "[workers]",
          'state_store_backend = "@tidemark/provider-common-io#StateStoreObjectStorageBackend"',
          "",
          "[common_io]",
          `state_store_objectstorage_path = ${JSON.stringify(pathToFileURL(`${objects}/`).href)}`,
          'state_store_objectstorage_compression = "gzip"',
          "state_store_objectstorage_threshold = 1024",
          "",
          "[logging]",
          'level = "warn"',
          "",
        ].join("\n"),
      );
      copyFileSync(FIXTURE_TASK, join(project, "consumer-task.mjs"));

      // What an operator does before the first run: schema, asset, task instance.
      await tidemark(project, ["db", "migrate"], env);
      await tidemark(
        project,
        ["assets", "register", "--name", "orders", "--uri", "file:///data/orders/"],
        env,
      );
      const ti = await tidemarkJson<{ id: string }>(
        project,
        [
          "task-instances",
          "create",
          ...["--dag-id", DAG.dagId, "--run-id", DAG.runId, "--task-id", DAG.taskId],
          ...["--inlet", "orders", "--outlet", "orders"],
        ],
        env,
      );
      taskInstanceId = ti.id;
      server = await startApiServer(project, env);
    });

    afterAll(async () => {
      await server?.stop();
    });

    it("serves the UI at /ui/ from the @tidemark/ui that @tidemark/core depends on", async () => {
      const core = JSON.parse(
        readFileSync(join(project, "node_modules", "@tidemark", "core", "package.json"), "utf8"),
      ) as { dependencies?: Record<string, string> };
      const ui = JSON.parse(
        readFileSync(join(project, "node_modules", "@tidemark", "ui", "package.json"), "utf8"),
      ) as { version: string };
      expect(core.dependencies?.["@tidemark/ui"], "@tidemark/core's dependency on @tidemark/ui").toBe(
        ui.version,
      );

      const page = await fetch(`${server?.url}/ui/`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await page.text();
      expect(html).toBe(
        readFileSync(join(project, "node_modules", "@tidemark", "ui", "dist", "index.html"), "utf8"),
      );
      const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
      expect(script, "index.html loads a script").toBeDefined();
      const asset = await fetch(new URL(script as string, `${server?.url}/ui/`));
      expect(asset.status).toBe(200);
      expect(asset.headers.get("content-type")).toMatch(/javascript/);
      await asset.body?.cancel();
    });

    it("runs the task: task state and asset state round-trip, the large value through file:// objects", async () => {
      const token = (
        await tidemark(project, ["task-instances", "token", taskInstanceId, "--ttl", "15m"], env)
      ).stdout.trim();
      const run = await runCommand(process.execPath, ["consumer-task.mjs"], {
        cwd: project,
        env: consumerEnv({
          EXECUTION_API_URL: `${server?.url}/execution`,
          TASK_INSTANCE_ID: taskInstanceId,
          TASK_TOKEN: token,
        }),
      });
      timings.task = seconds(run.durationMs);
      expect(
        run.code,
        `${describeFailure("node consumer-task.mjs", run)}\n--- api-server (end)\n${server?.output().slice(-3000)}`,
      ).toBe(0);
      const outcome = JSON.parse(run.stdout.trim().split("\n").pop() as string);
      expect(outcome).toMatchObject({
        state: "success",
        returnValue: { checkpoint: { page: 3 }, watermark: "2026-01-01T00:00:00Z", summaryRoundTrips: true },
      });
      expect(outcome.returnValue.summaryBytes).toBeGreaterThan(1024);

      // The operator's view of the metastore: small values inline, the large one only as the envelope.
      const scope = ["--dag-id", DAG.dagId, "--run-id", DAG.runId, "--task-id", DAG.taskId];
      const checkpoint = await tidemarkJson<StateEntryJson>(
        project,
        ["state-store", "get", ...scope, "checkpoint", "-o", "json"],
        env,
      );
      expect(checkpoint).toMatchObject({ key: "checkpoint", value: { page: 3 } });
      const watermark = await tidemarkJson<StateEntryJson>(
        project,
        ["state-store", "get", "--asset-name", "orders", "watermark", "-o", "json"],
        env,
      );
      expect(watermark).toMatchObject({ value: "2026-01-01T00:00:00Z" });
      const summary = await tidemarkJson<StateEntryJson>(
        project,
        ["state-store", "get", "--asset-name", "orders", "summary", "-o", "json"],
        env,
      );
      const ref = (summary.value as Record<string, unknown>)[ENVELOPE_KEY];
      expect(summary.value).toEqual({ [ENVELOPE_KEY]: ref });
      expect(typeof ref === "string" && ref.startsWith(pathToFileURL(`${objects}/`).href), String(ref)).toBe(
        true,
      );
      const object = fileURLToPath(ref as string);
      expect(relative(objects, object).split(sep)[0]).not.toBe("..");
      expect(existsSync(object), object).toBe(true);
      // gzip: the object is smaller than the JSON it holds.
      expect(statSync(object).size).toBeLessThan(outcome.returnValue.summaryBytes);
    });
  });
});
