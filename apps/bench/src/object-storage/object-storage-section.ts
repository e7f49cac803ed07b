import { startAzurite } from "@tidemark/testkit/azurite";
import { startS3rver } from "@tidemark/testkit/s3rver";
import type { BenchPlan } from "../bench-plan.js";
import { compareFigures, type FigureDraft } from "../report/compare.js";
import type { Figure, MeasuredSection, Role } from "../report/result-types.js";
import { toStat } from "../report/stat.js";
import { objectStorageTarget } from "../report/targets.js";
import { runChildJson } from "../support/run-child.js";
import { withTempDir } from "../support/temp-dir.js";
import type { ObjectStorageCase, ObjectStorageCaseResult } from "./object-storage-case.js";

const MB = 1024 * 1024;
const CHILD = new URL("./object-storage-child.js", import.meta.url);

function sizeLabel(bytes: number): string {
  return bytes >= MB ? `${Math.round(bytes / MB)} MB` : `${Math.round(bytes / 1024)} KB`;
}

type Store = ObjectStorageCase["store"];
type Variant = { readonly subject: ObjectStorageCase["subject"]; readonly compression: "" | "gzip" };

/** How the tables name each store. */
const SCHEMES: Readonly<Record<Store, string>> = { file: "file://", s3: "s3rver", azure: "Azurite" };

function variantsFor(store: Store): Variant[] {
  return [
    { subject: "raw", compression: "" },
    ...(store === "file" ? [{ subject: "raw-durable", compression: "" } as const] : []),
    { subject: "backend", compression: "" },
    { subject: "backend", compression: "gzip" },
  ];
}

const RAW_NAMES: Readonly<Record<Store, string>> = {
  file: "fs.writeFile / readFile (raw)",
  s3: "S3 PutObject / GetObject (raw)",
  azure: "Azure uploadData / download (raw)",
};

function subjectName(store: Store, variant: Variant): string {
  if (variant.subject === "raw") return RAW_NAMES[store];
  if (variant.subject === "raw-durable") return "fs write + fsync + rename (raw, durable)";
  return `StateStoreObjectStorageBackend, gzip ${variant.compression === "gzip" ? "on" : "off"}`;
}

function roleOf(variant: Variant): Role {
  if (variant.subject === "raw") return "ceiling";
  return variant.subject === "raw-durable" ? "peer" : "subject";
}

function drafts(
  operation: string,
  subject: string,
  role: Role,
  result: ObjectStorageCaseResult,
  samples: number[],
): FigureDraft {
  const mb = result.bytes / MB;
  return {
    operation,
    subject,
    role,
    primary: "throughput",
    metrics: {
      throughput: toStat(
        samples.map((ms) => (mb * 1000) / ms),
        "MB/s",
      ),
      latency: toStat(samples, "ms"),
      peakRss: toStat([result.maxRssBytes / MB], "MB"),
    },
  };
}

/**
 * Object storage: writes and reads of 1 MB and 10 MB JSON values through StateStoreObjectStorageBackend
 * (gzip off and on) beside the raw calls on the same store (fs on file://, the S3 SDK on s3rver, the
 * Azure Blob SDK on Azurite). Each case runs in its own child process, which reports its timings and its
 * peak RSS.
 *
 * @param plan - sizes and runs.
 * @param log - progress lines.
 * @returns the section.
 */
export async function objectStorageSection(
  plan: BenchPlan,
  log: (line: string) => void,
): Promise<MeasuredSection> {
  const started = performance.now();
  const s3rver = await startS3rver({ bucket: "tidemark-bench" });
  const azurite = await startAzurite({ container: "tidemark-bench" }).catch(async (error: unknown) => {
    await s3rver.stop();
    throw error;
  });
  try {
    return await withTempDir("objects", async (directory) => {
      const figures: Figure[] = [];
      for (const store of ["file", "s3", "azure"] as const) {
        for (const bytes of plan.objectSizes) {
          const results: { variant: Variant; result: ObjectStorageCaseResult }[] = [];
          for (const variant of variantsFor(store)) {
            const input: ObjectStorageCase = {
              store,
              ...variant,
              bytes,
              runs: plan.objectRuns,
              directory,
              ...(store === "s3" ? { s3: { endpoint: s3rver.endpoint, bucket: s3rver.bucket } } : {}),
              ...(store === "azure"
                ? { azure: { connectionString: azurite.connectionString, container: azurite.container } }
                : {}),
            };
            const result = await runChildJson<ObjectStorageCaseResult>(CHILD, input);
            log(
              `  ${store} ${sizeLabel(bytes)} ${subjectName(store, variant)}: peak RSS ${Math.round(result.maxRssBytes / MB)} MB`,
            );
            results.push({ variant, result });
          }
          const scheme = SCHEMES[store];
          for (const op of ["write", "read"] as const) {
            const operation = `${scheme} ${op} ${sizeLabel(bytes)}`;
            figures.push(
              ...compareFigures(
                results
                  // The durable variant reads with fs.readFile, as the plain one: only its write is shown.
                  .filter(({ variant }) => op === "write" || variant.subject !== "raw-durable")
                  .map(({ variant, result }) =>
                    drafts(
                      operation,
                      subjectName(store, variant),
                      roleOf(variant),
                      result,
                      op === "write" ? result.writeMs : result.readMs,
                    ),
                  ),
                objectStorageTarget,
              ),
            );
          }
        }
      }
      return {
        id: "object_storage",
        title: "Object storage (StateStoreObjectStorageBackend) on file://, s3rver and Azurite",
        status: "ok",
        notes: [
          `JSON values (arrays of records) of ${plan.objectSizes.map(sizeLabel).join(" and ")}; each case runs in its own child process: one unmeasured write and read, then ${plan.objectRuns} measured writes and reads; median of the runs.`,
          "The backend's set writes atomically on file:// (temporary file, fsync, rename) and removes the copy stored under the other compression setting (one more unlink or S3 DeleteObjects request). The raw fs ceiling is a plain fs.writeFile without fsync; the peer row on file:// writes is a raw write made durable the same way as the backend's (temporary file, fsync, rename), so × peer shows the backend's cost beyond durability.",
          "Azurite's blob service runs in its own process with objects in memory. The backend's set on Azurite is one Put Blob request (uploadData) with, in parallel, a Get Blob Properties request for a copy under the other compression setting (deleted only when found); its get is one download. The raw ceiling is uploadData and download of a blob.",
          "s3rver runs in the benchmark's main process; peak RSS is the child's maximum resident set size over its whole case (writes and reads), so the write and read rows show the same figure.",
        ],
        columns: [
          { metric: "throughput", heading: "MB/s" },
          { metric: "latency", heading: "ms per op" },
          { metric: "peakRss", heading: "peak RSS MB" },
        ],
        figures,
        durationMs: performance.now() - started,
      };
    });
  } finally {
    await azurite.stop();
    await s3rver.stop();
  }
}
