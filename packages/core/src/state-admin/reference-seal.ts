import { createHmac, timingSafeEqual } from "node:crypto";
import { NO_REGION_ID, type StoreScope } from "@tidemark/state";

/**
 * Seals bind a reference envelope to the key that holds it, so an export can carry references that an
 * import may restore while nobody can make one up: a seal is an HMAC-SHA256, under a key derived from the
 * deployment's `api.secret_key`, of the scope, the key and the reference. Task scopes are named by dag id,
 * run id, task id, region id and map index, asset scopes by asset name, so a seal stays valid in a fresh
 * database of the same deployment (where ids differ) and never for another key.
 */
export class ReferenceSeal {
  readonly #key: Buffer;

  /**
   * @param secretKey - the deployment's secret key (the one task instance tokens are signed with).
   */
  constructor(secretKey: Uint8Array) {
    // A key of its own, so a seal is never also a valid token signature and vice versa.
    this.#key = createHmac("sha256", secretKey).update("tidemark reference seal v1").digest();
  }

  /**
   * The seal of a reference held under a key.
   *
   * @param scope - the scope; an asset scope needs its `name`.
   * @param key - the state key.
   * @param ref - the reference inside the envelope.
   * @returns the seal, base64url (43 characters).
   */
  seal(scope: StoreScope, key: string, ref: string): string {
    return createHmac("sha256", this.#key)
      .update(canonical(scope, key, ref))
      .digest("base64url");
  }

  /**
   * Tells whether a seal is the one {@link ReferenceSeal.seal | seal} gives for this scope, key and
   * reference (constant time).
   *
   * @param scope - the scope.
   * @param key - the state key.
   * @param ref - the reference inside the envelope.
   * @param seal - the seal to check, as an export recorded it (`ref_seal`).
   * @returns false for any other seal, including a malformed one.
   */
  verify(scope: StoreScope, key: string, ref: string, seal: string): boolean {
    const expected = Buffer.from(this.seal(scope, key, ref));
    const given = Buffer.from(seal);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function canonical(scope: StoreScope, key: string, ref: string): string {
  const where =
    scope.kind === "task"
      ? ["task", scope.dagId, scope.runId, scope.taskId, scope.regionId ?? NO_REGION_ID, scope.mapIndex]
      : ["asset", scope.name ?? null];
  return JSON.stringify([...where, key, ref]);
}
