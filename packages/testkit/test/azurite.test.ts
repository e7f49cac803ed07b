import { existsSync } from "node:fs";
import { connect } from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { sharedKeyRequest } from "../src/azurite/shared-key-request.js";
import { AZURITE_ACCOUNT_KEY, type AzuriteHandle, startAzurite } from "../src/azurite/start-azurite.js";

let azurite: AzuriteHandle;
beforeAll(async () => {
  azurite = await startAzurite();
}, 60_000);
afterAll(async () => {
  await azurite?.stop();
});

const containerStatus = (handle: AzuriteHandle, container: string, key = AZURITE_ACCOUNT_KEY) =>
  sharedKeyRequest({
    endpoint: handle.endpoint,
    account: handle.accountName,
    key,
    method: "GET",
    path: `/${container}`,
    query: { restype: "container" },
  });

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

it("serves the blob API on 127.0.0.1 with a fresh container, checking Shared Key signatures", async () => {
  expect(azurite.endpoint).toBe(`http://127.0.0.1:${azurite.port}/devstoreaccount1`);
  expect(await containerStatus(azurite, azurite.container)).toBe(200);
  expect(await containerStatus(azurite, "no-such-container")).toBe(404);
  expect(await containerStatus(azurite, azurite.container, Buffer.from("wrong key").toString("base64"))).toBe(
    403,
  );
  const other = await azurite.createContainer();
  expect(other).not.toBe(azurite.container);
  expect(await containerStatus(azurite, other)).toBe(200);
});

it("gives the connection as a connection string, by conn_id", () => {
  expect(azurite.connectionString).toBe(
    `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${azurite.endpoint};`,
  );
  expect(azurite.connectionEnv("blob")).toEqual({ TIDEMARK_CONN_BLOB: azurite.connectionString });
});

it("stops: the port refuses connections and the directory is gone", async () => {
  const second = await startAzurite({ container: "named-container" });
  expect(second.container).toBe("named-container");
  expect(second.port).not.toBe(azurite.port);
  expect(existsSync(second.directory)).toBe(true);
  await second.stop();
  expect(await refused(second.port)).toBe(true);
  expect(existsSync(second.directory)).toBe(false);
  await second.stop(); // twice is harmless
}, 60_000);
