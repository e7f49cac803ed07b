import { isStateStoreError } from "@tidemark/state";
import { describe, expect, it } from "vitest";
import { azureConnectionSecrets, resolveAzureConnection } from "../src/azure-connection.js";
import { parseObjectStoragePath } from "../src/object-storage-path.js";

const OPTION = "common_io.state_store_objectstorage_path";
const KEY = "c2VjcmV0L2tleSt2YWx1ZT09PT0/Zm9vYmFy";

function configError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (isStateStoreError(error, "CONFIG_ERROR")) return error;
    throw error;
  }
  throw new Error("expected a CONFIG_ERROR");
}

describe("az:// and abfs:// paths", () => {
  it("parses az://[conn_id@]container[/prefix] and normalizes it", () => {
    expect(parseObjectStoragePath("az://blob@state-box/prod/eu", OPTION)).toEqual({
      scheme: "azure",
      base: "az://blob@state-box/prod/eu/",
      connId: "blob",
      container: "state-box",
      account: undefined,
      prefix: "prod/eu/",
    });
    expect(parseObjectStoragePath("AZ://state-box", OPTION)).toMatchObject({
      base: "az://state-box/",
      connId: undefined,
      prefix: "",
    });
  });

  it("parses abfs://container@account.dfs.core.windows.net/prefix with the account from the host", () => {
    expect(parseObjectStoragePath("abfs://state@myaccount.dfs.core.windows.net/prod", OPTION)).toEqual({
      scheme: "azure",
      base: "abfs://state@myaccount.dfs.core.windows.net/prod/",
      connId: undefined,
      container: "state",
      account: "myaccount",
      prefix: "prod/",
    });
    expect(parseObjectStoragePath("abfss://state@myaccount.blob.core.windows.net/", OPTION)).toMatchObject({
      base: "abfss://state@myaccount.blob.core.windows.net/",
      account: "myaccount",
    });
  });

  it("parses abfs://[conn_id@]container/prefix, where the user part is a conn_id", () => {
    expect(parseObjectStoragePath("abfs://wasb_default@state/x/", OPTION)).toMatchObject({
      base: "abfs://wasb_default@state/x/",
      connId: "wasb_default",
      container: "state",
      account: undefined,
    });
  });

  it("rejects invalid containers and prefixes, naming the option", () => {
    for (const path of [
      "az://Upper/x/",
      "az://a/",
      "az://bad--name/",
      "az:///x/",
      "az://box/a//b/",
      "az://box/../x",
    ]) {
      const error = configError(() => parseObjectStoragePath(path, OPTION));
      expect(error.message, path).toContain(OPTION);
    }
  });

  it("refuses credentials in the path without repeating them", () => {
    for (const path of [`az://account:${KEY}@box/x/`, `abfs://box:${KEY}@account.dfs.core.windows.net/`]) {
      const error = configError(() => parseObjectStoragePath(path, OPTION));
      expect(error.message).toContain("holds credentials");
      expect(error.message).not.toContain(KEY);
    }
  });

  it("lists az:// and abfs:// among the supported schemes", () => {
    expect(configError(() => parseObjectStoragePath("gs://bucket/x/", OPTION)).message).toContain(
      "supported: file://, s3://, az://, abfs://, abfss://",
    );
  });
});

describe("Azure connections", () => {
  it("takes a storage connection string as it is", () => {
    const text = `DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${KEY};EndpointSuffix=core.windows.net`;
    expect(resolveAzureConnection("blob", { TIDEMARK_CONN_BLOB: text })).toEqual({
      variable: "TIDEMARK_CONN_BLOB",
      connectionString: text,
    });
  });

  it("parses an Airflow wasb:// URI: login, percent-encoded key, host or account_url, sas_token", () => {
    expect(
      resolveAzureConnection("blob", {
        TIDEMARK_CONN_BLOB: `wasb://acct:${encodeURIComponent(KEY)}@acct.blob.core.windows.net`,
      }),
    ).toEqual({
      variable: "TIDEMARK_CONN_BLOB",
      accountName: "acct",
      accountKey: KEY,
      accountUrl: "https://acct.blob.core.windows.net",
    });
    expect(
      resolveAzureConnection("blob", {
        TIDEMARK_CONN_BLOB: `wasb://acct@/?account_url=${encodeURIComponent("http://127.0.0.1:10000/acct")}&sas_token=${encodeURIComponent("sv=2024&sig=abc%2Bdef")}`,
      }),
    ).toEqual({
      variable: "TIDEMARK_CONN_BLOB",
      accountName: "acct",
      accountUrl: "http://127.0.0.1:10000/acct",
      sasToken: "sv=2024&sig=abc%2Bdef",
    });
  });

  it("keeps a + in a URI's key as a +, as Airflow does, while a + in the query is a space", () => {
    expect(
      resolveAzureConnection("blob", {
        TIDEMARK_CONN_BLOB: "wasb://acct:a+b==@acct.blob.core.windows.net/?sas_token=sv+1",
      }),
    ).toMatchObject({ accountKey: "a+b==", sasToken: "sv 1" });
  });

  it("parses a JSON connection with an Airflow-style extra, old extra__wasb__ names too", () => {
    const text = JSON.stringify({
      login: "acct",
      extra: JSON.stringify({
        extra__wasb__shared_access_key: KEY,
        account_url: "acct.blob.core.windows.net",
      }),
    });
    expect(resolveAzureConnection("blob", { TIDEMARK_CONN_BLOB: text })).toEqual({
      variable: "TIDEMARK_CONN_BLOB",
      accountName: "acct",
      accountKey: KEY,
      accountUrl: "https://acct.blob.core.windows.net",
    });
  });

  it("reads the AZURE_STORAGE_* variables without a conn_id", () => {
    expect(
      resolveAzureConnection(undefined, {
        AZURE_STORAGE_ACCOUNT_NAME: "acct",
        AZURE_STORAGE_ACCOUNT_KEY: KEY,
      }),
    ).toEqual({ variable: undefined, accountName: "acct", accountKey: KEY });
    expect(resolveAzureConnection(undefined, {})).toEqual({ variable: undefined });
  });

  it("names a missing connection variable and never quotes a malformed one", () => {
    expect(configError(() => resolveAzureConnection("blob", {})).message).toContain("TIDEMARK_CONN_BLOB");
    for (const text of [
      `s3://acct:${KEY}@/`,
      `{"login": "acct", "password": 1, "x": "${KEY}"}`,
      `Foo=${KEY}`,
    ]) {
      const error = configError(() => resolveAzureConnection("blob", { TIDEMARK_CONN_BLOB: text }));
      expect(error.message).toContain("TIDEMARK_CONN_BLOB is malformed");
      expect(error.message).not.toContain(KEY);
    }
  });

  it("knows the secrets to redact: the key, the SAS token and its signature in both encodings", () => {
    const secrets = azureConnectionSecrets({
      variable: "X",
      connectionString: `AccountName=a;AccountKey=${KEY};SharedAccessSignature=sv=1&sig=s1%2Bg`,
    });
    expect(secrets).toEqual(expect.arrayContaining([KEY, "s1%2Bg", "s1+g"]));
  });
});
