import type { AssetScope } from "./scope.js";

/** The one identifier of an {@link AssetScope} a backend keys asset state by. */
export type AssetIdentity =
  | {
      /** Keyed by the metastore's integer asset id (server side). */
      readonly by: "assetId";
      /** The asset id. */
      readonly value: number;
    }
  | {
      /** Keyed by the asset name. */
      readonly by: "name";
      /** The asset name. */
      readonly value: string;
    }
  | {
      /** Keyed by the asset URI. */
      readonly by: "uri";
      /** The asset URI. */
      readonly value: string;
    };

/**
 * Picks the identifier of an asset scope, by one precedence rule every backend follows: the asset id when
 * known (server side), else the name, else the URI (worker side; reference: `AssetScope(asset_id, name,
 * uri)`, where workers do not know the id).
 *
 * @param scope - a scope built by `assetScope` (at least one identifier).
 * @returns the identifier to key by.
 */
export function assetIdentity(scope: AssetScope): AssetIdentity {
  if (scope.assetId !== undefined) return { by: "assetId", value: scope.assetId };
  if (scope.name !== undefined) return { by: "name", value: scope.name };
  return { by: "uri", value: scope.uri ?? "" };
}
