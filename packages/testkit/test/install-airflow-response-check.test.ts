import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  installAirflowResponseCheck,
  SCRIPTED_ANSWER_HEADER,
} from "../src/airflow-wire/install-airflow-response-check.js";

// A real HTTP server on loopback that answers like an Airflow Execution API, or with a Tidemark extra field.
let server: Server;
let origin: string;
beforeAll(async () => {
  server = createServer((request, response) => {
    const extra = request.url?.includes("extra") === true;
    const scripted = request.url?.includes("scripted") === true;
    response.writeHead(200, {
      "content-type": "application/json",
      ...(scripted ? { [SCRIPTED_ANSWER_HEADER]: "1" } : {}),
    });
    response.end(JSON.stringify(extra ? { value: 1, version: 1 } : { value: 1 }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("installAirflowResponseCheck", () => {
  const check = installAirflowResponseCheck();
  afterAll(() => check.uninstall());

  it("records nothing for Airflow's shape and leaves the body readable by the caller", async () => {
    const response = await fetch(`${origin}/execution/store/ti/abc/plain`);
    expect(await response.json()).toEqual({ value: 1 });
    expect(await check.drain()).toEqual([]);
  });

  it("records an answer an Airflow client would refuse, naming the field", async () => {
    const response = await fetch(`${origin}/execution/store/ti/abc/extra`);
    expect(await response.json()).toEqual({ value: 1, version: 1 });
    expect(await check.drain()).toEqual([
      "GET /execution/store/ti/abc/extra → 200: $.version is not a field of Airflow's model",
    ]);
  });

  it("leaves answers of a scripted test server alone", async () => {
    const response = await fetch(`${origin}/execution/store/ti/abc/extra-scripted`);
    expect(await response.json()).toEqual({ value: 1, version: 1 });
    expect(await check.drain()).toEqual([]);
  });
});
