import { join } from "node:path";
import { taskScope } from "@tidemark/state";
import { listFiles, makeTempDir, type TempDir } from "@tidemark/testkit/temp-dir";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { StateStoreObjectStorageBackend } from "../src/index.js";

// Fault injection: the process runs as root here, so permissions cannot make a write fail; a failing
// rename (the commit step of an atomic write, as on a full or read-only disk) stands in for it.
const failure = vi.hoisted(() => ({ code: undefined as string | undefined }));
vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    rename: async (from: string, to: string) => {
      if (failure.code !== undefined) {
        throw Object.assign(new Error(`${failure.code}: injected failure, rename`), { code: failure.code });
      }
      return actual.rename(from, to);
    },
  };
});

const scope = taskScope({ dagId: "d", runId: "r", taskId: "t" });
let dir: TempDir;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  failure.code = undefined;
  await dir.remove();
});

it.each([
  ["ENOSPC", "BACKEND_UNAVAILABLE"],
  ["EACCES", "FORBIDDEN"],
])(
  "leaves the previous value readable when a write fails with %s (%s), without temporary files",
  async (code, expected) => {
    const backend = new StateStoreObjectStorageBackend({ path: dir.url, compression: "gzip" });
    await backend.set(scope, "k", '"first"');
    const ref = await backend.serializeTaskStateStoreToRef({ value: "r1", text: '"r1"', key: "ref", scope });
    failure.code = code;
    const error = await backend.set(scope, "k", '"second"').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: expected });
    expect((error as Error).cause).toMatchObject({ code });
    expect((error as Error).message).toContain(dir.url);
    await expect(
      backend.serializeTaskStateStoreToRef({ value: "r2", text: '"r2"', key: "ref", scope }),
    ).rejects.toMatchObject({ code: expected });
    failure.code = undefined;
    expect(await backend.get(scope, "k")).toBe('"first"');
    expect(await backend.deserializeTaskStateStoreFromRef(ref as string)).toBe("r1");
    const files = (await listFiles(dir.path)).map((f) =>
      f.slice(join(dir.path, "tasks/d/r/t/-1").length + 1),
    );
    expect(files.sort()).toEqual(["k.gz", "ref.gz"]);
  },
);

it("keeps a value written under the other compression setting when a write that would replace it fails", async () => {
  const gzip = new StateStoreObjectStorageBackend({ path: dir.url, compression: "gzip" });
  const plain = new StateStoreObjectStorageBackend({ path: dir.url, compression: "" });
  await gzip.set(scope, "k", '"zipped"');
  failure.code = "ENOSPC";
  await expect(plain.set(scope, "k", '"plain"')).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
  failure.code = undefined;
  expect(await plain.get(scope, "k")).toBe('"zipped"');
  expect(await gzip.get(scope, "k")).toBe('"zipped"');
  const files = (await listFiles(dir.path)).map((f) => f.slice(join(dir.path, "tasks/d/r/t/-1").length + 1));
  expect(files).toEqual(["k.gz"]);
  // Once a write succeeds, the copy under the other setting goes.
  await plain.set(scope, "k", '"plain"');
  expect(await gzip.get(scope, "k")).toBe('"plain"');
  const after = (await listFiles(dir.path)).map((f) => f.slice(join(dir.path, "tasks/d/r/t/-1").length + 1));
  expect(after).toEqual(["k"]);
});
