import { context, trace } from "@opentelemetry/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RestHarness, startRestHarness, taskStatePath } from "../rest/support/rest-harness.js";

// No tracer provider, context manager or propagator is registered in this file: the API is a no-op.
describe("api-server without an OpenTelemetry SDK", () => {
  let h: RestHarness;
  beforeAll(async () => {
    h = await startRestHarness();
  });
  afterAll(() => h.close());

  it("serves as before, an incoming traceparent included, and records nothing", async () => {
    expect(trace.getTracer("probe").startSpan("probe").isRecording()).toBe(false);
    await h.api.taskInstance({ dagId: "plain_dag", runId: "r", taskId: "t" });
    const path = taskStatePath("plain_dag", "r", "t", "k");
    const traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    const put = await h.rest("PUT", path, { body: { value: { n: 1 } }, headers: { traceparent } });
    expect(put.status).toBe(204);
    const get = await h.rest("GET", path, { headers: { traceparent } });
    expect(get.status).toBe(200);
    expect(get.body?.value).toEqual({ n: 1 });
    expect(get.headers.get("traceparent")).toBeNull();
    expect(trace.getSpan(context.active())).toBeUndefined();
  });
});
