import { Counter, type Registry } from "prom-client";
import type { TokenVerificationObserver, TokenVerificationResult } from "../../api/token-verification.js";

const RESULTS: readonly TokenVerificationResult[] = ["ok", "expired", "tampered", "forbidden", "missing"];

/** Which API checked a token: the Execution API (task and watcher JWTs) or the Core REST API. */
export type TokenApi = "execution" | "rest";

/**
 * Counts bearer-token checks, `tidemark_token_verifications_total{api, result}`; every series starts at
 * 0 so rate() alerts work before the first failure.
 */
export class TokenMetrics {
  readonly #verifications: Counter<"api" | "result">;

  /** @param registry - the server's registry. */
  constructor(registry: Registry) {
    this.#verifications = new Counter({
      name: "tidemark_token_verifications_total",
      help: "Bearer token checks, by API (execution, rest) and result (ok, expired, tampered, forbidden, missing).",
      labelNames: ["api", "result"],
      registers: [registry],
    });
  }

  /**
   * The observer an API's auth hook reports to.
   *
   * @param api - the API.
   * @returns the observer.
   */
  observer(api: TokenApi): TokenVerificationObserver {
    const children = new Map<TokenVerificationResult, { inc(): void }>();
    for (const result of RESULTS) {
      const child = this.#verifications.labels(api, result);
      child.inc(0);
      children.set(result, child);
    }
    return (result) => children.get(result)?.inc();
  }
}
