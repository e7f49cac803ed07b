/**
 * How an edit sets a key's expiry:
 * - "keep": leave expires_at as it is (PATCH);
 * - "default": now + state_store.default_retention_days (PUT `expires_at: "default"`);
 * - "never": no expiry (PUT `expires_at: null`);
 * - "at": a chosen instant (PUT `expires_at: <ISO-8601 UTC>`).
 * Asset state has no expiry; its writes are always "keep" (edit) or a plain PUT (add).
 */
export type ExpiryChoice =
  | { readonly mode: "keep" }
  | { readonly mode: "default" }
  | { readonly mode: "never" }
  | { readonly mode: "at"; readonly iso: string };
