import { assetNotFound, StateStoreError } from "@tidemark/state";
import { sql } from "kysely";
import { isUniqueViolation, toBackendError } from "../database/driver-error.js";
import type { TidemarkDatabase } from "../database/tidemark-database.js";
import { withWriteTransaction } from "../database/write-transaction.js";
import { type AssetRecord, type AssetRow, toAssetRecord } from "./asset-record.js";
import { pageRequest, requireText } from "./validate-input.js";

/** Input of {@link registerAsset}. */
export interface RegisterAssetInput {
  /** The asset name, unique among all assets. */
  name: string;
  /** The asset URI; unique among active assets. Default: the name for a new asset, unchanged for an existing one. */
  uri?: string;
}

/** Options of the asset lookups. */
export interface GetAssetOptions {
  /** Only an active asset (the Execution API resolver's rule). Default false. */
  activeOnly?: boolean;
}

/** Options of {@link listAssets}. */
export interface ListAssetsOptions extends GetAssetOptions {
  /** Most assets returned (default 100). */
  limit?: number;
  /** Assets skipped, in id order (default 0). */
  offset?: number;
}

/** A page of assets and how many there are in all. */
export interface AssetPage {
  /** The page, in id order. */
  readonly assets: AssetRecord[];
  /** How many assets match, over all pages. */
  readonly total: number;
}

async function uriConflict(
  database: TidemarkDatabase,
  uri: string,
  name: string,
  cause: unknown,
): Promise<StateStoreError> {
  const other = await database.db
    .selectFrom("asset")
    .select(["id", "name"])
    .where("uri", "=", uri)
    .where("active", "=", sql.lit(true))
    .where("name", "!=", name)
    .executeTakeFirst()
    .catch(() => undefined);
  return new StateStoreError(
    "CONFLICT",
    `asset uri ${JSON.stringify(uri)} already belongs to the active asset ${JSON.stringify(other?.name ?? "?")}${other ? ` (id ${other.id})` : ""}; deactivate that asset first or choose another uri`,
    { cause, details: { uri, name, otherAssetId: other?.id ?? null } },
  );
}

/**
 * Registers an asset, or re-registers it: an upsert by name that (re)activates the asset and updates its
 * uri when one is given. Re-registering a deactivated asset keeps its id, and its state if the orphan
 * sweep has not run yet.
 *
 * @param database - the metastore.
 * @param input - `name` and optional `uri` (default: the name).
 * @returns the asset.
 * @throws StateStoreError `INVALID_VALUE` for an empty name or uri; `CONFLICT` when another active asset
 *   has the uri; `BACKEND_UNAVAILABLE` when the database fails.
 */
export async function registerAsset(
  database: TidemarkDatabase,
  input: RegisterAssetInput,
): Promise<AssetRecord> {
  const name = requireText(input.name, "asset name");
  const uri = input.uri === undefined ? undefined : requireText(input.uri, "asset uri");
  const { db, codec } = database;
  const now = codec.timestamp(new Date());
  try {
    if (database.adapter.mysqlSyntax) return await registerMysqlAsset(database, name, uri);
    const row = await db
      .insertInto("asset")
      .values({ name, uri: uri ?? name, active: codec.bool(true), created_at: now, updated_at: now })
      .onConflict((oc) =>
        oc.column("name").doUpdateSet((eb) => ({
          uri: uri === undefined ? eb.ref("asset.uri") : eb.ref("excluded.uri"),
          active: codec.bool(true),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    return toAssetRecord(row as AssetRow, codec);
  } catch (error) {
    if (isUniqueViolation(error)) throw await uriConflict(database, uri ?? name, name, error);
    throw toBackendError(error, database, `registering asset ${JSON.stringify(name)}`);
  }
}

/**
 * registerAsset on MySQL, in one transaction: an upsert by name would be `ON DUPLICATE KEY UPDATE`, which
 * updates whichever row a unique key collides with, the active-uri key's included; so the row is locked by
 * name and updated, or inserted (a uri taken by another active asset then fails as a unique violation).
 */
async function registerMysqlAsset(
  database: TidemarkDatabase,
  name: string,
  uri: string | undefined,
): Promise<AssetRecord> {
  const { codec } = database;
  const now = codec.timestamp(new Date());
  const attempt = () =>
    withWriteTransaction(database, async (trx) => {
      const existing = await trx
        .selectFrom("asset")
        .select("id")
        .where("name", "=", name)
        .forUpdate()
        .executeTakeFirst();
      if (existing === undefined) {
        await trx
          .insertInto("asset")
          .values({ name, uri: uri ?? name, active: codec.bool(true), created_at: now, updated_at: now })
          .execute();
      } else {
        await trx
          .updateTable("asset")
          .set({ ...(uri === undefined ? {} : { uri }), active: codec.bool(true), updated_at: now })
          .where("id", "=", existing.id)
          .execute();
      }
      return trx.selectFrom("asset").selectAll().where("name", "=", name).executeTakeFirstOrThrow();
    });
  let row: unknown;
  try {
    row = await attempt();
  } catch (error) {
    // Another server inserted the same new name first: update that row instead.
    if (!isUniqueViolation(error) || (await getAssetByName(database, name)) === null) throw error;
    row = await attempt();
  }
  return toAssetRecord(row as AssetRow, codec);
}

async function setActive(database: TidemarkDatabase, name: string, active: boolean): Promise<AssetRecord> {
  const { db, codec } = database;
  try {
    const update = db
      .updateTable("asset")
      .set({ active: codec.bool(active), updated_at: codec.timestamp(new Date()) })
      .where("name", "=", name);
    let row: unknown;
    if (database.adapter.mysqlSyntax) {
      // No RETURNING on MySQL: read the row after.
      await update.execute();
      row = await db.selectFrom("asset").selectAll().where("name", "=", name).executeTakeFirst();
    } else {
      row = await update.returningAll().executeTakeFirst();
    }
    if (row === undefined) {
      throw assetNotFound({ name });
    }
    return toAssetRecord(row as AssetRow, codec);
  } catch (error) {
    if (isUniqueViolation(error)) {
      const uri = (await getAssetByName(database, name))?.uri ?? "?";
      throw await uriConflict(database, uri, name, error);
    }
    throw toBackendError(
      error,
      database,
      `${active ? "activating" : "deactivating"} asset ${JSON.stringify(name)}`,
    );
  }
}

/**
 * Activates a registered asset again (its state becomes writable).
 *
 * @param database - the metastore.
 * @param name - the asset name.
 * @returns the asset.
 * @throws StateStoreError `ASSET_NOT_FOUND` when no asset has the name; `CONFLICT` when another active
 *   asset has its uri; `BACKEND_UNAVAILABLE`.
 */
export async function activateAsset(database: TidemarkDatabase, name: string): Promise<AssetRecord> {
  return setActive(database, requireText(name, "asset name"), true);
}

/**
 * Deactivates an asset: its state can no longer be written through name or uri, and the next cleanup's
 * orphan sweep deletes it (reference: "when an asset is deactivated … its store rows are removed during
 * the next garbage-collection pass"). Idempotent.
 *
 * @param database - the metastore.
 * @param name - the asset name.
 * @returns the asset, now inactive.
 * @throws StateStoreError `ASSET_NOT_FOUND` when no asset has the name; `BACKEND_UNAVAILABLE`.
 */
export async function deactivateAsset(database: TidemarkDatabase, name: string): Promise<AssetRecord> {
  return setActive(database, requireText(name, "asset name"), false);
}

async function findOne(
  database: TidemarkDatabase,
  column: "id" | "name" | "uri",
  value: number | string,
  options: GetAssetOptions,
): Promise<AssetRecord | null> {
  const { db, codec } = database;
  try {
    let q = db.selectFrom("asset").selectAll().where(column, "=", value);
    if (options.activeOnly) q = q.where("active", "=", sql.lit(true));
    // Several deactivated assets may share a uri: prefer the active one, then the newest.
    const row = await q.orderBy("active", "desc").orderBy("id", "desc").limit(1).executeTakeFirst();
    return row === undefined ? null : toAssetRecord(row as AssetRow, codec);
  } catch (error) {
    throw toBackendError(error, database, `reading asset ${column} ${JSON.stringify(value)}`);
  }
}

/**
 * Reads an asset by id.
 *
 * @returns the asset, or null when there is none (or it is inactive and `activeOnly`).
 * @throws StateStoreError `BACKEND_UNAVAILABLE`.
 */
export async function getAssetById(
  database: TidemarkDatabase,
  id: number,
  options: GetAssetOptions = {},
): Promise<AssetRecord | null> {
  if (!Number.isSafeInteger(id) || id < 1) return null;
  return findOne(database, "id", id, options);
}

/**
 * Reads an asset by name.
 *
 * @returns the asset, or null when there is none (or it is inactive and `activeOnly`).
 * @throws StateStoreError `BACKEND_UNAVAILABLE`.
 */
export async function getAssetByName(
  database: TidemarkDatabase,
  name: string,
  options: GetAssetOptions = {},
): Promise<AssetRecord | null> {
  return findOne(database, "name", name, options);
}

/**
 * Reads an asset by uri: the active asset with that uri, else (unless `activeOnly`) the newest
 * deactivated one.
 *
 * @returns the asset, or null.
 * @throws StateStoreError `BACKEND_UNAVAILABLE`.
 */
export async function getAssetByUri(
  database: TidemarkDatabase,
  uri: string,
  options: GetAssetOptions = {},
): Promise<AssetRecord | null> {
  return findOne(database, "uri", uri, options);
}

/**
 * Lists assets in id order.
 *
 * @param options - `activeOnly`, `limit` (default 100), `offset`.
 * @returns the page and the total.
 * @throws StateStoreError `INVALID_VALUE` for a bad limit or offset; `BACKEND_UNAVAILABLE`.
 */
export async function listAssets(
  database: TidemarkDatabase,
  options: ListAssetsOptions = {},
): Promise<AssetPage> {
  const { limit, offset } = pageRequest(options);
  const { db, codec } = database;
  try {
    let q = db.selectFrom("asset");
    if (options.activeOnly) q = q.where("active", "=", sql.lit(true));
    const [rows, count] = await Promise.all([
      q.selectAll().orderBy("id").limit(limit).offset(offset).execute(),
      q.select((eb) => eb.fn.countAll().as("n")).executeTakeFirst(),
    ]);
    return { assets: rows.map((r) => toAssetRecord(r as AssetRow, codec)), total: Number(count?.n ?? 0) };
  } catch (error) {
    throw toBackendError(error, database, "listing assets");
  }
}
