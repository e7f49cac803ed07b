import { StateStoreError } from "@tidemark/state";

function requireText(value: unknown, field: string, what: string): string {
  if (typeof value !== "string" || value.length === 0) {
    throw new StateStoreError(
      "INVALID_SCOPE",
      `${what} requires a non-empty string ${field}, got ${JSON.stringify(value) ?? String(value)}`,
      { details: { field } },
    );
  }
  return value;
}

/**
 * A concrete asset a task reads (inlet) or writes (outlet): a unique `name` and a `uri`. Reference:
 * `Asset(name, uri)` of the Airflow task SDK; when only the name is given the uri equals the name.
 *
 * Declaring an asset as an inlet or outlet is what gives a task access to its asset state
 * (`ctx.assetStateStore.for(asset)`); the Execution API refuses assets a task instance did not declare.
 *
 * @example
 * ```ts
 * const orders = new Asset({ name: "orders", uri: "s3://data/orders/" });
 * ```
 */
export class Asset {
  /** The asset's unique name. */
  readonly name: string;
  /** The asset's URI (equals the name when none was given). */
  readonly uri: string;

  /**
   * @param init - `name` (non-empty) and optional `uri` (non-empty; defaults to the name).
   * @throws StateStoreError `INVALID_SCOPE` for an empty or non-string name or uri.
   */
  constructor(init: { name: string; uri?: string }) {
    this.name = requireText(init?.name, "name", "Asset");
    this.uri = init.uri === undefined ? this.name : requireText(init.uri, "uri", "Asset");
    Object.freeze(this);
  }
}

/**
 * A reference to an asset by name alone, for tasks that do not know (or care about) its uri. Reference:
 * `AssetNameRef`.
 */
export class AssetNameRef {
  /** The asset's name. */
  readonly name: string;

  /**
   * @param init - `name`, non-empty.
   * @throws StateStoreError `INVALID_SCOPE` for an empty or non-string name.
   */
  constructor(init: { name: string }) {
    this.name = requireText(init?.name, "name", "AssetNameRef");
    Object.freeze(this);
  }
}

/** A reference to an asset by uri alone. Reference: `AssetUriRef`. */
export class AssetUriRef {
  /** The asset's URI. */
  readonly uri: string;

  /**
   * @param init - `uri`, non-empty.
   * @throws StateStoreError `INVALID_SCOPE` for an empty or non-string uri.
   */
  constructor(init: { uri: string }) {
    this.uri = requireText(init?.uri, "uri", "AssetUriRef");
    Object.freeze(this);
  }
}

/**
 * Anything that names an asset: an {@link Asset}, an {@link AssetNameRef}, an {@link AssetUriRef}, or a
 * plain `{name}`, `{name, uri}` or `{uri}` object.
 */
export type AssetLike =
  | Asset
  | AssetNameRef
  | AssetUriRef
  | {
      /** The asset name. */
      readonly name: string;
      /** The asset URI; when given, it must match the declared asset's too. */
      readonly uri?: string;
    }
  | {
      /** The asset URI. */
      readonly uri: string;
      /** Absent: the asset is named by its URI alone. */
      readonly name?: undefined;
    };

/** How an asset is addressed on the wire: by name or by uri (exactly one). */
export type AssetAddress =
  | {
      /** The asset name (the `name` query parameter of the `by-name` routes). */
      readonly name: string;
      /** Absent when addressed by name. */
      readonly uri?: undefined;
    }
  | {
      /** The asset URI (the `uri` query parameter of the `by-uri` routes). */
      readonly uri: string;
      /** Absent when addressed by URI. */
      readonly name?: undefined;
    };

/** An asset as the Execution API describes a task instance's inlets and outlets. */
export interface DeclaredAsset {
  /** The asset name (`name` on the wire). */
  readonly name: string;
  /** The asset URI (`uri` on the wire). */
  readonly uri: string;
}

/**
 * Tells whether `candidate` names the declared asset `declared`: by name when it has one (and then its
 * uri, when given, must match too), else by uri.
 *
 * @param candidate - what task code passed.
 * @param declared - an inlet or outlet of the task instance.
 * @returns true when they are the same asset.
 */
export function assetMatches(candidate: AssetLike, declared: DeclaredAsset): boolean {
  const name = (candidate as { name?: unknown }).name;
  const uri = (candidate as { uri?: unknown }).uri;
  if (typeof name === "string") return name === declared.name && (uri === undefined || uri === declared.uri);
  return typeof uri === "string" && uri === declared.uri;
}

/**
 * Describes an asset for messages, for example `Asset(name="orders", uri="s3://data/orders/")`.
 *
 * @param asset - any asset-like value.
 * @returns the description.
 */
export function describeAsset(asset: AssetLike | DeclaredAsset): string {
  const name = (asset as { name?: unknown }).name;
  const uri = (asset as { uri?: unknown }).uri;
  const parts: string[] = [];
  if (typeof name === "string") parts.push(`name=${JSON.stringify(name)}`);
  if (typeof uri === "string") parts.push(`uri=${JSON.stringify(uri)}`);
  return `Asset(${parts.join(", ")})`;
}
