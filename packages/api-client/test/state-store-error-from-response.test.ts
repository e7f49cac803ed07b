import { describe, expect, it } from "vitest";
import { readErrorAnswer } from "../src/read-error-answer.js";
import { stateStoreErrorFromResponse } from "../src/state-store-error-from-response.js";

function answer(status: number, headers: Record<string, string> = {}): Response {
  return new Response(null, { status, headers });
}

describe("stateStoreErrorFromResponse", () => {
  it("takes the code from the Tidemark-Error-Code header and the message of a Core REST API body", () => {
    const error = stateStoreErrorFromResponse(
      answer(404, { "tidemark-error-code": "TASK_INSTANCE_NOT_FOUND" }),
      { detail: "task instance dag_1 / run_1 / extract / map index -1 does not exist" },
    );
    expect(error.code).toBe("TASK_INSTANCE_NOT_FOUND");
    expect(error.message).toBe("task instance dag_1 / run_1 / extract / map index -1 does not exist");
    expect(error.details).toEqual({ status: 404 });
  });

  it("reads an Execution API body, given as text, with its reason and code", () => {
    const body = JSON.stringify({
      detail: {
        reason: "too_large",
        message: "value is 70000 bytes; the limit is 65536",
        code: "VALUE_TOO_LARGE",
      },
    });
    const error = stateStoreErrorFromResponse(answer(413), body);
    expect(error.code).toBe("VALUE_TOO_LARGE");
    expect(error.message).toBe("value is 70000 bytes; the limit is 65536");
    expect(error.details).toEqual({ status: 413, reason: "too_large" });
  });

  it("prefers the header over the body's code", () => {
    const error = stateStoreErrorFromResponse(
      answer(412, { "tidemark-error-code": "PRECONDITION_FAILED", etag: '"4"' }),
      {
        detail: { reason: "precondition_failed", message: "If-Match does not hold", code: "CONFLICT" },
      },
    );
    expect(error.code).toBe("PRECONDITION_FAILED");
    expect(error.details).toEqual({ status: 412, reason: "precondition_failed", currentVersion: 4 });
  });

  it("names the code an Airflow 404 implies from its message", () => {
    const body = { detail: { reason: "not_found", message: "Task instance 0190 not found" } };
    expect(stateStoreErrorFromResponse(answer(404), body).code).toBe("TASK_INSTANCE_NOT_FOUND");
    expect(
      readErrorAnswer(answer(404), { detail: { reason: "not_found", message: "Asset with name x" } }).code,
    ).toBe("ASSET_NOT_FOUND");
    expect(readErrorAnswer(answer(404), { detail: { reason: "not_found", message: "key k" } }).code).toBe(
      "NOT_FOUND",
    );
  });

  it("joins FastAPI's 422 list into the message and falls back to the status for the code", () => {
    const error = stateStoreErrorFromResponse(answer(422), {
      detail: [
        { loc: ["body", "value"], msg: "Field required", type: "missing" },
        { loc: ["query", "key"], msg: "String should have at least 1 character", type: "string_too_short" },
      ],
    });
    expect(error.code).toBe("INVALID_VALUE");
    expect(error.message).toBe(
      "body.value: Field required; query.key: String should have at least 1 character",
    );
  });

  it("describes an answer without a sentence by the request, the status and the start of the body", () => {
    const error = stateStoreErrorFromResponse(answer(502), "<html>Bad gateway</html>", {
      method: "GET",
      path: "/api/v2/dags",
    });
    expect(error.code).toBe("BACKEND_UNAVAILABLE");
    expect(error.message).toBe("GET /api/v2/dags answered HTTP 502: <html>Bad gateway</html>");
    expect(stateStoreErrorFromResponse(answer(401)).message).toBe("the request answered HTTP 401");
    expect(stateStoreErrorFromResponse(answer(401)).code).toBe("UNAUTHORIZED");
  });

  it("ignores an unknown code in the header", () => {
    const read = readErrorAnswer(answer(409, { "tidemark-error-code": "SOMETHING_ELSE" }), {
      detail: "busy",
    });
    expect(read.code).toBeUndefined();
    expect(stateStoreErrorFromResponse(answer(409, { "tidemark-error-code": "SOMETHING_ELSE" })).code).toBe(
      "CONFLICT",
    );
  });
});
