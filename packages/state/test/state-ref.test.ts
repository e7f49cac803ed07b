import { describe, expect, it } from "vitest";
import { refFromStoredText, STATE_REF_KEY, unwrapStateRef, wrapStateRef } from "../src/state-ref.js";

describe("reference envelope", () => {
  it("wraps a ref in the reference's exact envelope", () => {
    expect(STATE_REF_KEY).toBe("__airflow_state_ref__");
    expect(JSON.stringify(wrapStateRef("s3://b/k"))).toBe('{"__airflow_state_ref__":"s3://b/k"}');
  });

  it("unwraps only a plain object whose single member is the marker holding a non-empty string", () => {
    expect(unwrapStateRef(wrapStateRef("file:///tmp/x"))).toBe("file:///tmp/x");
    for (const v of [
      { [STATE_REF_KEY]: "" },
      { [STATE_REF_KEY]: 42 },
      { [STATE_REF_KEY]: "ref", extra: 1 },
      { __type: "ExternalState", __var: "ref" },
      [STATE_REF_KEY],
      "s3://b/k",
      null,
      new (class X {
        __airflow_state_ref__ = "ref";
      })(),
    ]) {
      expect(unwrapStateRef(v)).toBeUndefined();
    }
  });

  it("finds the ref in stored text and ignores other text", () => {
    expect(refFromStoredText('{"__airflow_state_ref__":"s3://b/k"}')).toBe("s3://b/k");
    expect(refFromStoredText('"__airflow_state_ref__"')).toBeUndefined();
    expect(refFromStoredText("{not json __airflow_state_ref__")).toBeUndefined();
  });
});
