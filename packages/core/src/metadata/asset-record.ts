import type { ValueCodec } from "../database/value-codec.js";

/** A registered asset. */
export interface AssetRecord {
  /** The metastore's integer id (what server-side `AssetScope.assetId` holds). */
  readonly id: number;
  /** The asset's name, unique; how tasks and the Execution API name it. */
  readonly name: string;
  /** The asset's URI, unique. */
  readonly uri: string;
  /** False once deactivated: its state can no longer be written and goes in the next orphan sweep. */
  readonly active: boolean;
  /** When it was registered. */
  readonly createdAt: Date;
  /** When it was last registered again, deactivated or reactivated. */
  readonly updatedAt: Date;
}

/** An `asset` row as read from the database. */
export interface AssetRow {
  id: number;
  name: string;
  uri: string;
  active: unknown;
  created_at: unknown;
  updated_at: unknown;
}

/**
 * Maps an `asset` row to an {@link AssetRecord}.
 *
 * @param row - the row.
 * @param codec - the dialect's value codec.
 */
export function toAssetRecord(row: AssetRow, codec: ValueCodec): AssetRecord {
  return {
    id: Number(row.id),
    name: row.name,
    uri: row.uri,
    active: codec.fromBool(row.active),
    createdAt: codec.date(row.created_at),
    updatedAt: codec.date(row.updated_at),
  };
}
