import { randomBytes } from "node:crypto";
import { createDatabase, redactDatabaseUrl, withDatabaseSchema } from "@tidemark/core";

/** The Postgres the tests use: `TIDEMARK_TEST_POSTGRES_URL`, or this default (as packages/core's tests). */
export const TEST_POSTGRES_URL =
  process.env.TIDEMARK_TEST_POSTGRES_URL || "postgres://postgres@127.0.0.1:5432/test";

/**
 * Tells whether the test Postgres answers.
 *
 * @returns null when it does, else why not (with the URL, password redacted).
 */
export async function postgresProblem(): Promise<string | null> {
  const database = createDatabase(TEST_POSTGRES_URL, {
    postgresPoolSize: 1,
    postgresConnectionTimeoutMs: 5000,
  });
  try {
    await database.db.introspection.getSchemas();
    return null;
  } catch (error) {
    return `Postgres at ${redactDatabaseUrl(TEST_POSTGRES_URL)} is unreachable (${(error as Error).message})`;
  } finally {
    await database.close().catch(() => {});
  }
}

/** A throwaway schema of the test Postgres. */
export interface ThrowawaySchema {
  readonly schema: string;
  /** `database.url` selecting the schema (`?schema=`). */
  readonly url: string;
  /** Drops the schema with everything in it. */
  drop(): Promise<void>;
}

/**
 * Creates a schema `tidemark_example_<random>`; the demo migrates it.
 *
 * @returns the schema, its URL and a dropper.
 */
export async function createThrowawaySchema(): Promise<ThrowawaySchema> {
  const schema = `tidemark_example_${randomBytes(6).toString("hex")}`;
  const admin = createDatabase(TEST_POSTGRES_URL, { postgresPoolSize: 1 });
  try {
    await admin.db.schema.createSchema(schema).execute();
  } finally {
    await admin.close();
  }
  return {
    schema,
    url: withDatabaseSchema(TEST_POSTGRES_URL, schema),
    async drop() {
      const dropper = createDatabase(TEST_POSTGRES_URL, { postgresPoolSize: 1 });
      try {
        await dropper.db.schema.dropSchema(schema).ifExists().cascade().execute();
      } finally {
        await dropper.close();
      }
    },
  };
}
