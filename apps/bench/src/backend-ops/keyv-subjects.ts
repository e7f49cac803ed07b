import KeyvMysql from "@keyv/mysql";
import KeyvPostgres from "@keyv/postgres";
import KeyvSqlite from "@keyv/sqlite";
import type { JsonValue } from "@tidemark/state";
import Keyv from "keyv";
import type { KvSubject } from "./kv-subject.js";

function keyvSubject(name: string, keyv: Keyv, disconnect: () => Promise<void>): KvSubject {
  return {
    name,
    role: "peer",
    async set(key, value) {
      await keyv.set(key, value);
    },
    async get(key) {
      return (await keyv.get<JsonValue>(key)) ?? undefined;
    },
    close: disconnect,
  };
}

/**
 * The peer on SQLite: Keyv with @keyv/sqlite (node-sqlite3) on its own file, switched to the journal
 * settings MetastoreBackend uses (WAL, synchronous=NORMAL) so the comparison is of the code, not of the
 * durability settings. Keyv stores `{"value": …, "expires": null}` under `keyv:<key>`.
 *
 * @param file - the database file.
 * @returns the subject.
 */
export async function keyvSqliteSubject(file: string): Promise<KvSubject> {
  const store = new KeyvSqlite({ uri: `sqlite://${file}`, busyTimeout: 5000 });
  await store.query("pragma journal_mode = WAL");
  await store.query("pragma synchronous = NORMAL");
  const keyv = new Keyv({ store });
  return keyvSubject("Keyv + @keyv/sqlite", keyv, () => keyv.disconnect());
}

/**
 * The peer on Postgres: Keyv with @keyv/postgres (a `pg` pool) in its own throwaway schema.
 *
 * @param url - the server.
 * @param schema - the schema (Keyv creates it and its table; the caller drops it).
 * @returns the subject.
 */
export async function keyvPostgresSubject(url: string, schema: string): Promise<KvSubject> {
  const store = new KeyvPostgres({ uri: url, schema });
  const keyv = new Keyv({ store });
  // Wait until Keyv has created its schema and table, so the first measured call does not do it.
  await store.query("select 1");
  return keyvSubject("Keyv + @keyv/postgres", keyv, () => keyv.disconnect());
}

/**
 * The peer on MySQL: Keyv with @keyv/mysql (a `mysql2` pool) in its own throwaway database.
 *
 * @param url - the throwaway database (it exists; Keyv creates its table; the caller drops it).
 * @returns the subject.
 */
export async function keyvMysqlSubject(url: string): Promise<KvSubject> {
  const store = new KeyvMysql({ uri: url });
  const keyv = new Keyv({ store });
  // Wait until Keyv has created its table, so the first measured call does not do it.
  await store.query("select 1");
  return keyvSubject("Keyv + @keyv/mysql", keyv, () => keyv.disconnect());
}
