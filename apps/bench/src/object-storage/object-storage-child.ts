import { mkdir, open, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { BlobServiceClient } from "@azure/storage-blob";
import { StateStoreObjectStorageBackend } from "@tidemark/provider-common-io";
import { taskScope } from "@tidemark/state";
import { recordsJsonOfBytes } from "../support/json-values.js";
import {
  type ObjectStorageCase,
  type ObjectStorageCaseResult,
  S3RVER_CREDENTIALS,
  s3rverConnectionUri,
} from "./object-storage-case.js";

// One object-storage case in its own process, so its peak RSS is its own: writes and reads one JSON value
// `runs` times through StateStoreObjectStorageBackend or the raw calls, and prints the timings as JSON.

interface Store {
  write(text: string): Promise<void>;
  read(): Promise<string>;
  close(): Promise<void>;
}

function rawFileStore(c: ObjectStorageCase): Store {
  const file = join(c.directory, "raw", `value-${c.bytes}.json`);
  return {
    write: async (text) => {
      await mkdir(join(c.directory, "raw"), { recursive: true });
      await writeFile(file, text);
    },
    read: () => readFile(file, "utf8"),
    close: async () => {},
  };
}

function durableFileStore(c: ObjectStorageCase): Store {
  const dir = join(c.directory, "raw-durable");
  const file = join(dir, `value-${c.bytes}.json`);
  return {
    write: async (text) => {
      await mkdir(dir, { recursive: true });
      const temporary = `${file}.tmp`;
      const handle = await open(temporary, "w");
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, file);
    },
    read: () => readFile(file, "utf8"),
    close: async () => {},
  };
}

function rawS3Store(c: ObjectStorageCase): Store {
  const s3 = c.s3!;
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    credentials: { ...S3RVER_CREDENTIALS },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const key = `raw/value-${c.bytes}.json`;
  return {
    write: async (text) => {
      await client.send(
        new PutObjectCommand({ Bucket: s3.bucket, Key: key, Body: text, ContentType: "application/json" }),
      );
    },
    read: async () => {
      const object = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
      return (await object.Body?.transformToString("utf8")) ?? "";
    },
    close: async () => client.destroy(),
  };
}

function rawAzureStore(c: ObjectStorageCase): Store {
  const azure = c.azure!;
  const blob = BlobServiceClient.fromConnectionString(azure.connectionString)
    .getContainerClient(azure.container)
    .getBlockBlobClient(`raw/value-${c.bytes}.json`);
  return {
    write: async (text) => {
      // One Put Blob request, as the backend's store makes it.
      await blob.uploadData(Buffer.from(text, "utf8"), {
        blobHTTPHeaders: { blobContentType: "application/json" },
      });
    },
    read: async () => {
      const response = await blob.download();
      const chunks: Buffer[] = [];
      for await (const chunk of response.readableStreamBody!) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString("utf8");
    },
    close: async () => {},
  };
}

function backendPath(c: ObjectStorageCase): { path: string; env?: Record<string, string> } {
  if (c.store === "file") return { path: pathToFileURL(`${join(c.directory, "backend")}/`).href };
  if (c.store === "s3") {
    return {
      path: `s3://bench@${c.s3!.bucket}/backend/`,
      env: { TIDEMARK_CONN_BENCH: s3rverConnectionUri(c.s3!.endpoint) },
    };
  }
  return {
    path: `az://bench@${c.azure!.container}/backend/`,
    env: { TIDEMARK_CONN_BENCH: c.azure!.connectionString },
  };
}

function backendStore(c: ObjectStorageCase): Store {
  const backend = new StateStoreObjectStorageBackend({ ...backendPath(c), compression: c.compression });
  const scope = taskScope({ dagId: "bench_dag", runId: "bench_run", taskId: "bench_task" });
  const key = `value-${c.bytes}`;
  return {
    write: (text) => backend.set(scope, key, text),
    read: async () => (await backend.get(scope, key)) ?? "",
    close: () => backend.close(),
  };
}

const input = JSON.parse(process.argv[2] ?? "{}") as ObjectStorageCase;
const text = recordsJsonOfBytes(input.bytes);
function storeFor(c: ObjectStorageCase): Store {
  if (c.subject === "backend") return backendStore(c);
  if (c.store === "s3") return rawS3Store(c);
  if (c.store === "azure") return rawAzureStore(c);
  return c.subject === "raw-durable" ? durableFileStore(c) : rawFileStore(c);
}

const store = storeFor(input);
const writeMs: number[] = [];
const readMs: number[] = [];
try {
  for (let run = -1; run < input.runs; run++) {
    let started = performance.now();
    await store.write(text);
    const wrote = performance.now() - started;
    started = performance.now();
    const back = await store.read();
    const read = performance.now() - started;
    if (back.length !== text.length)
      throw new Error(`read ${back.length} characters back, wrote ${text.length}`);
    if (run >= 0) {
      writeMs.push(wrote);
      readMs.push(read);
    }
  }
} finally {
  await store.close();
}
const result: ObjectStorageCaseResult = {
  writeMs,
  readMs,
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
  bytes: Buffer.byteLength(text),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
