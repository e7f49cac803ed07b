import { afterEach, beforeEach, expect } from "vitest";
import { airflowResponseViolations } from "./airflow-response-models.js";

/**
 * A response header a test's scripted HTTP server sends to say that its answers are made up on purpose (a
 * proxy's 502, a body that is not JSON), so {@link installAirflowResponseCheck} leaves them alone. Real
 * servers never send it.
 */
export const SCRIPTED_ANSWER_HEADER = "x-scripted-answer";

/** What {@link installAirflowResponseCheck} returns. */
export interface AirflowResponseCheck {
  /** The violations recorded since the current test started. */
  readonly violations: readonly string[];
  /**
   * Waits for the answers still being read, then returns the violations recorded so far and forgets them,
   * for a test that provokes a violating answer on purpose.
   */
  drain(): Promise<string[]>;
  /** Puts the original `fetch` back. */
  uninstall(): void;
}

/**
 * Holds every answer of Airflow's state store routes that the test process receives through `fetch`
 * against Airflow's response models (see {@link airflowResponseViolations}), and fails the test that
 * received a violating one. Call it once from a vitest setup file: every test that talks to the Execution
 * API or the Core REST API over HTTP (the servers' own tests, the task SDK's client, the CLI's REST client)
 * then proves that an Airflow client would accept what it saw.
 *
 * The body is read from a clone, so callers still consume the response as usual. Answers that carry
 * {@link SCRIPTED_ANSWER_HEADER} are not checked.
 *
 * @returns the recorded violations and a way to uninstall the wrapper.
 */
export function installAirflowResponseCheck(): AirflowResponseCheck {
  const original = globalThis.fetch;
  let violations: string[] = [];
  const pending = new Set<Promise<void>>();
  globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> => {
    const response = await original(input, init);
    if (response.headers.has(SCRIPTED_ANSWER_HEADER)) return response;
    const url = input instanceof Request ? input.url : String(input);
    const method = init?.method ?? (input instanceof Request ? input.method : "GET");
    const prefer = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)).get(
      "prefer",
    );
    const check = response
      .clone()
      .text()
      .then(
        (bodyText) => {
          violations.push(
            ...airflowResponseViolations({ method, url, status: response.status, bodyText, prefer }),
          );
        },
        () => undefined,
      )
      .finally(() => pending.delete(check));
    pending.add(check);
    return response;
  };
  beforeEach(() => {
    violations = [];
  });
  afterEach(async () => {
    await Promise.all(pending);
    expect(violations, "answers an Airflow client would refuse").toEqual([]);
  });
  return {
    get violations() {
      return violations;
    },
    async drain() {
      await Promise.all(pending);
      const drained = violations;
      violations = [];
      return drained;
    },
    uninstall() {
      globalThis.fetch = original;
    },
  };
}
