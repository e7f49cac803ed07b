import { StateStoreError } from "@tidemark/state";
import { describe, expect, it } from "vitest";
import { runStartupCheck, type StartupClock } from "../../src/api/health/startup-check.js";

/** A clock that only moves when the check sleeps (or an attempt says it took time). */
function fakeClock() {
  let now = 0;
  const sleeps: number[] = [];
  const clock: StartupClock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
  return { clock, sleeps, advance: (ms: number) => (now += ms) };
}

function recordingLogger() {
  const warned: Record<string, unknown>[] = [];
  const infos: Record<string, unknown>[] = [];
  return {
    warned,
    infos,
    logger: {
      warn: (object: Record<string, unknown>) => warned.push(object),
      info: (object: Record<string, unknown>) => infos.push(object),
    },
  };
}

const unavailable = (reason = "metastore: connect ECONNREFUSED 127.0.0.1:9") =>
  new StateStoreError("BACKEND_UNAVAILABLE", `the api-server is not ready to serve: ${reason}`);

/** An attempt that fails `failures` times, then passes. */
function failingTimes(failures: number) {
  let calls = 0;
  return {
    attempt: async () => {
      calls++;
      if (calls <= failures) throw unavailable();
    },
    calls: () => calls,
  };
}

describe("runStartupCheck", () => {
  it("makes one attempt when the first passes, without sleeping or logging", async () => {
    const { clock, sleeps } = fakeClock();
    const { logger, warned, infos } = recordingLogger();
    const check = failingTimes(0);
    await expect(runStartupCheck({ attempt: check.attempt, timeoutMs: 30_000, clock, logger })).resolves.toBe(
      1,
    );
    expect(sleeps).toEqual([]);
    expect(warned).toEqual([]);
    expect(infos).toEqual([]);
  });

  it("retries BACKEND_UNAVAILABLE with a doubling delay capped at 5 s, logging each failed attempt", async () => {
    const { clock, sleeps } = fakeClock();
    const { logger, warned, infos } = recordingLogger();
    const check = failingTimes(7);
    await expect(runStartupCheck({ attempt: check.attempt, timeoutMs: 60_000, clock, logger })).resolves.toBe(
      8,
    );
    expect(sleeps).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
    expect(warned.map((w) => w.attempt)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(warned[0]).toMatchObject({
      reason: expect.stringContaining("metastore: connect ECONNREFUSED"),
      retryInMs: 250,
      deadlineInMs: 60_000,
    });
    expect(infos).toEqual([{ attempt: 8 }]);
  });

  it("gives up at the deadline with the last reason and the attempt count, never sleeping past it", async () => {
    const { clock, sleeps } = fakeClock();
    const { logger, warned } = recordingLogger();
    const check = failingTimes(Number.POSITIVE_INFINITY);
    const failure = runStartupCheck({ attempt: check.attempt, timeoutMs: 3000, clock, logger });
    await expect(failure).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    await expect(failure).rejects.toThrow(
      /not ready to serve: metastore: connect ECONNREFUSED.*still failing after 5 attempts in 3 s; api\.startup_timeout_seconds = 3/,
    );
    expect(sleeps).toEqual([250, 500, 1000, 1250]);
    expect(check.calls()).toBe(5);
    expect(warned).toHaveLength(4);
  });

  it("counts the time attempts take against the deadline", async () => {
    const { clock, sleeps, advance } = fakeClock();
    let calls = 0;
    const attempt = async () => {
      calls++;
      advance(2000);
      throw unavailable();
    };
    await expect(runStartupCheck({ attempt, timeoutMs: 5000, clock })).rejects.toThrow(/after 3 attempts/);
    expect(sleeps).toEqual([250, 500]);
    expect(calls).toBe(3);
  });

  it("with no timeout makes one attempt and says which setting would wait", async () => {
    const { clock, sleeps } = fakeClock();
    const { logger, warned } = recordingLogger();
    const check = failingTimes(1);
    const failure = runStartupCheck({ attempt: check.attempt, timeoutMs: 0, clock, logger });
    await expect(failure).rejects.toMatchObject({ code: "BACKEND_UNAVAILABLE" });
    await expect(failure).rejects.toThrow(/metastore: .*\(set api\.startup_timeout_seconds to keep retrying/);
    expect(check.calls()).toBe(1);
    expect(sleeps).toEqual([]);
    expect(warned).toEqual([]);
  });

  it("does not retry an error retrying cannot fix", async () => {
    const { clock, sleeps } = fakeClock();
    let calls = 0;
    const bad = new StateStoreError("CONFIG_ERROR", "the Postgres search_path names no schema that exists");
    const attempt = async () => {
      calls++;
      throw bad;
    };
    await expect(runStartupCheck({ attempt, timeoutMs: 60_000, clock })).rejects.toBe(bad);
    expect(calls).toBe(1);
    expect(sleeps).toEqual([]);
  });
});
