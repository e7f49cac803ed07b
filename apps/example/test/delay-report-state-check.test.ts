import { describe, expect, it } from "vitest";
import type { TaskStateKey } from "../src/state-inventory.js";
import { checkDelayReportState } from "../src/verification.js";

const RUN_1 = "scheduled__2001-01-01T00:00:00+00:00";
const RUN_2 = "scheduled__2001-01-02T00:00:00+00:00";

function key(runId: string, k: string, value: unknown, taskId = "delay_report"): TaskStateKey {
  return { runId, taskId, mapIndex: -1, key: k, value };
}

describe("checkDelayReportState", () => {
  const ran = [
    { runId: RUN_1, jobId: "job-1" },
    { runId: RUN_2, jobId: "job-2" },
  ];

  it("without clear_on_success wants each report's job_id and no checkpoint, and lets other keys be", () => {
    const check = checkDelayReportState({
      clearOnSuccess: false,
      ran,
      taskKeys: [
        key(RUN_1, "job_id", "job-1"),
        key(RUN_2, "job_id", "job-2"),
        key(RUN_1, "operator_note", "by hand"),
        key(RUN_1, "checkpoint", { cursor: 1 }, "ingest_flights"),
      ],
    });
    expect(check).toMatchObject({ name: "delay_report task state", ok: true });
    expect(check.detail).toContain("2 other task state key(s), not the demo's, left alone");
  });

  it("fails for a missing or different job_id and for a checkpoint left behind, naming the fix", () => {
    const check = checkDelayReportState({
      clearOnSuccess: false,
      ran,
      taskKeys: [key(RUN_1, "job_id", "job-other"), key(RUN_2, "checkpoint", { pagesDone: 1 })],
    });
    expect(check.ok).toBe(false);
    expect(check.detail).toContain(`1 checkpoint(s) left (${RUN_2})`);
    expect(check.detail).toContain("1 report(s) of this invocation hold no job_id");
    expect(check.detail).toContain("TIDEMARK__STATE_STORE__CLEAR_ON_SUCCESS=true");
    expect(check.detail).toContain("1 job_id(s) differ");
  });

  it("with clear_on_success wants no key of this invocation's reports; earlier runs and others may keep theirs", () => {
    const ok = checkDelayReportState({
      clearOnSuccess: true,
      ran: [{ runId: RUN_2, jobId: "job-2" }],
      taskKeys: [key(RUN_1, "job_id", "job-1"), key(RUN_2, "operator_note", "by hand")],
    });
    expect(ok).toMatchObject({ name: "clear_on_success", ok: true });
    const kept = checkDelayReportState({
      clearOnSuccess: true,
      ran: [{ runId: RUN_2, jobId: "job-2" }],
      taskKeys: [key(RUN_2, "job_id", "job-2")],
    });
    expect(kept.ok).toBe(false);
    expect(kept.detail).toContain("the api-server must run with state_store.clear_on_success = true");
  });
});
