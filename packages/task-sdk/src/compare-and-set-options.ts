/**
 * Compare-and-set conditions of a `set`: at most one of them. The state store checks them (a version
 * that is not a positive integer, an `ifAbsent` that is not a boolean, or both at once are
 * `INVALID_VALUE`) before anything is sent.
 */
export interface CompareAndSetOptions {
  /** Write only if the stored version equals this (from `getEntry`); else `CONFLICT`. */
  readonly ifVersion?: number;
  /** Write only if no live value exists; else `CONFLICT`. */
  readonly ifAbsent?: boolean;
}
