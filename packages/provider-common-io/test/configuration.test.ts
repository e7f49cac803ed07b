import {
  isStateStoreError,
  loadStoreBackend,
  loadWorkerBackend,
  type StateStoreError,
} from "@tidemark/state";
import { describe, expect, it } from "vitest";
import {
  createStateStoreObjectStorageBackend,
  OBJECT_STORAGE_COMPRESSIONS,
  parseObjectStorageConfig,
  StateStoreObjectStorageBackend,
} from "../src/index.js";
import { resolveS3Connection } from "../src/s3-connection.js";
import { s3ClientConfigOf } from "../src/s3-object-store.js";

const SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYSECRET";

function errorOf(fn: () => unknown): StateStoreError {
  try {
    fn();
  } catch (error) {
    if (isStateStoreError(error)) return error;
    throw error;
  }
  throw new Error("expected a StateStoreError");
}

function config(section: Record<string, unknown>) {
  return { config: { common_io: section } };
}

describe("configuration", () => {
  it("reads the common_io section from the loader's context", () => {
    const backend = new StateStoreObjectStorageBackend(
      config({
        state_store_objectstorage_path: "file:///srv/tidemark-state",
        state_store_objectstorage_compression: "gzip",
        state_store_objectstorage_threshold: 1024,
      }),
    );
    expect(backend.base).toBe("file:///srv/tidemark-state/");
    expect(backend.compression).toBe("gzip");
    expect(backend.threshold).toBe(1024);
    expect(backend.capabilities).toEqual({
      expiry: true,
      compareAndSet: false,
      listKeys: true,
      writerTracking: false,
    });
  });

  it("is loaded by loadStoreBackend from module#Export, as a class and as a factory", async () => {
    const context = config({ state_store_objectstorage_path: "s3://bucket-name/state/" });
    for (const spec of [
      "@tidemark/provider-common-io#StateStoreObjectStorageBackend",
      "@tidemark/provider-common-io#createStateStoreObjectStorageBackend",
    ]) {
      const backend = await loadStoreBackend(spec, {
        option: "workers.state_store_backend",
        config: context.config,
        importModule: async () => import("../src/index.js"),
      });
      expect(backend).toBeInstanceOf(StateStoreObjectStorageBackend);
      expect((backend as StateStoreObjectStorageBackend).base).toBe("s3://bucket-name/state/");
    }
  });

  it("owns the common_io section: the worker definition parses it, as environment strings too", async () => {
    const backend = (await loadWorkerBackend("@tidemark/provider-common-io#StateStoreObjectStorageBackend", {
      config: {
        common_io: {
          state_store_objectstorage_path: "file:///srv/tidemark-state",
          state_store_objectstorage_compression: "gzip",
          state_store_objectstorage_threshold: "512",
        },
      },
      importModule: async () => import("../src/index.js"),
    })) as StateStoreObjectStorageBackend;
    expect(backend).toBeInstanceOf(StateStoreObjectStorageBackend);
    expect([backend.base, backend.compression, backend.threshold]).toEqual([
      "file:///srv/tidemark-state/",
      "gzip",
      512,
    ]);
    expect(parseObjectStorageConfig({ state_store_objectstorage_path: "s3://bucket-name/p" })).toEqual({
      path: "s3://bucket-name/p/",
      compression: "",
      threshold: 0,
    });
  });

  it("refuses an option the common_io section does not have, listing its options", () => {
    const error = errorOf(() =>
      parseObjectStorageConfig({
        state_store_objectstorage_path: "file:///srv/state/",
        state_store_threshold: 1,
      }),
    );
    expect(error.code).toBe("CONFIG_ERROR");
    expect(error.message).toContain("common_io.state_store_threshold");
    expect(error.message).toContain("state_store_objectstorage_threshold");
  });

  it("names common_io.state_store_objectstorage_path when the path is missing", () => {
    for (const input of [config({}), config({ state_store_objectstorage_path: "" }), { config: {} }]) {
      const error = errorOf(() => new StateStoreObjectStorageBackend(input));
      expect(error.code).toBe("CONFIG_ERROR");
      expect(error.message).toContain("common_io.state_store_objectstorage_path");
    }
    const explicit = errorOf(() => createStateStoreObjectStorageBackend({ path: "" }));
    expect(explicit.code).toBe("CONFIG_ERROR");
    expect(explicit.message).toContain("common_io.state_store_objectstorage_path");
  });

  it("rejects a compression other than '' and 'gzip', listing the supported codecs", () => {
    expect(OBJECT_STORAGE_COMPRESSIONS).toEqual(["", "gzip"]);
    for (const compression of ["zstd", "GZIP", "bz2"]) {
      const error = errorOf(
        () => new StateStoreObjectStorageBackend({ path: "file:///srv/state/", compression }),
      );
      expect(error.code).toBe("CONFIG_ERROR");
      expect(error.message).toContain("common_io.state_store_objectstorage_compression");
      expect(error.message).toContain('supported codecs: "" (none), "gzip"');
    }
  });

  it("rejects a negative or non-integer threshold, and accepts 0", () => {
    for (const threshold of [-1, 1.5, Number.NaN]) {
      const error = errorOf(
        () => new StateStoreObjectStorageBackend({ path: "file:///srv/state/", threshold }),
      );
      expect(error.code).toBe("CONFIG_ERROR");
      expect(error.message).toContain("common_io.state_store_objectstorage_threshold");
    }
    const fromConfig = errorOf(
      () =>
        new StateStoreObjectStorageBackend(
          config({
            state_store_objectstorage_path: "file:///srv/state/",
            state_store_objectstorage_threshold: -5,
          }),
        ),
    );
    expect(fromConfig.code).toBe("CONFIG_ERROR");
    expect(new StateStoreObjectStorageBackend({ path: "file:///srv/state/", threshold: 0 }).threshold).toBe(
      0,
    );
  });

  it("accepts file:///absolute/dir/ and s3://[conn_id@]bucket[/prefix]/ and normalizes them", () => {
    const base = (path: string) =>
      new StateStoreObjectStorageBackend({ path, env: { TIDEMARK_CONN_MINIO: "s3://a:b@/" } }).base;
    expect(base("file:///tmp/state")).toBe("file:///tmp/state/");
    expect(base("file:///tmp/state/")).toBe("file:///tmp/state/");
    expect(base("s3://bucket-name")).toBe("s3://bucket-name/");
    expect(base("s3://bucket-name/a/b")).toBe("s3://bucket-name/a/b/");
    expect(base("s3://minio@bucket-name/task-state/")).toBe("s3://minio@bucket-name/task-state/");
  });

  it("rejects relative, remote and unsupported paths, naming the option", () => {
    for (const path of [
      "file://relative/dir",
      "/tmp/no-scheme",
      "http://example.com/x",
      "gs://bucket/x",
      "s3://",
      "s3://bucket-name/a/../b",
      "s3://bucket-name/a//b/",
      "s3://bad conn@bucket-name/",
    ]) {
      const error = errorOf(() => new StateStoreObjectStorageBackend({ path }));
      expect(error.code, path).toBe("CONFIG_ERROR");
      expect(error.message).toContain("common_io.state_store_objectstorage_path");
    }
  });

  it("refuses credentials in the path without repeating them", () => {
    for (const path of [
      `s3://AKIA:${SECRET}@bucket-name/`,
      `s3://AKIA:${encodeURIComponent(SECRET)}@bucket-name/prefix/`,
      "s3://AKIA:plainsecret@bucket-name",
    ]) {
      const error = errorOf(() => new StateStoreObjectStorageBackend({ path }));
      expect(error.code).toBe("CONFIG_ERROR");
      expect(error.message).not.toContain(SECRET);
      expect(error.message).not.toContain(encodeURIComponent(SECRET));
      expect(error.message).not.toContain("plainsecret");
      expect(error.message).toContain("TIDEMARK_CONN_");
    }
  });

  it("names the missing connection variable, upper-cased", () => {
    const error = errorOf(
      () => new StateStoreObjectStorageBackend({ path: "s3://my_conn@bucket-name/", env: {} }),
    );
    expect(error.code).toBe("CONFIG_ERROR");
    expect(error.message).toContain("TIDEMARK_CONN_MY_CONN");
  });
});

describe("connections", () => {
  it("parses a URI connection with percent-encoded secrets and query fields", () => {
    const uri = `s3://AKIAEXAMPLE:${encodeURIComponent(SECRET)}@/?endpoint_url=http%3A%2F%2F127.0.0.1%3A9000&region_name=eu-west-1&force_path_style=true`;
    const connection = resolveS3Connection("minio", { TIDEMARK_CONN_MINIO: uri });
    expect(connection).toEqual({
      variable: "TIDEMARK_CONN_MINIO",
      accessKeyId: "AKIAEXAMPLE",
      secretAccessKey: SECRET,
      endpointUrl: "http://127.0.0.1:9000",
      region: "eu-west-1",
      forcePathStyle: true,
    });
    expect(s3ClientConfigOf(connection, {}, { maxAttempts: 1 })).toEqual({
      region: "eu-west-1",
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIAEXAMPLE", secretAccessKey: SECRET },
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      maxAttempts: 1,
    });
  });

  it("parses a JSON connection with the same fields, aws_* aliases and an Airflow-style extra", () => {
    const json = JSON.stringify({
      aws_access_key_id: "AKIAEXAMPLE",
      aws_secret_access_key: SECRET,
      aws_session_token: "token-1234",
      extra: { endpoint_url: "https://s3.example.com", region_name: "us-east-2", force_path_style: "false" },
    });
    expect(resolveS3Connection("Json", { TIDEMARK_CONN_JSON: json })).toEqual({
      variable: "TIDEMARK_CONN_JSON",
      accessKeyId: "AKIAEXAMPLE",
      secretAccessKey: SECRET,
      sessionToken: "token-1234",
      endpointUrl: "https://s3.example.com",
      region: "us-east-2",
      forcePathStyle: false,
    });
  });

  it("uses the AWS SDK's default chain without a conn_id, taking the region from the environment", () => {
    const connection = resolveS3Connection(undefined, {});
    expect(connection).toEqual({ variable: undefined });
    expect(s3ClientConfigOf(connection, { AWS_REGION: "ap-south-1" }, {})).toEqual({ region: "ap-south-1" });
  });

  it("reports a malformed connection without quoting its value", () => {
    for (const value of [
      `{"secret_access_key": "${SECRET}"`,
      `s3://only-login@/?secret=${SECRET}&force_path_style=maybe`,
      `https://AKIA:${SECRET}@host/`,
      `s3://AKIA:${SECRET}@/?endpoint_url=ftp%3A%2F%2Fhost`,
      JSON.stringify({ secret_access_key: SECRET }),
    ]) {
      const error = errorOf(() => resolveS3Connection("c", { TIDEMARK_CONN_C: value }));
      expect(error.code).toBe("CONFIG_ERROR");
      expect(error.message).toContain("TIDEMARK_CONN_C");
      expect(error.message).not.toContain(SECRET);
      expect(JSON.stringify(error.details)).not.toContain(SECRET);
    }
  });
});
