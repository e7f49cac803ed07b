import { existsSync } from "node:fs";
import { join } from "node:path";
import { isStateStoreError, type StateStoreError } from "@tidemark/state";
import { tempDir } from "@tidemark/testkit/temp-dir";
import { sql } from "kysely";
import { describe, expect, it } from "vitest";
import { createDatabase } from "../src/database/create-database.js";
import { parseDatabaseUrl, redactDatabaseUrl, withDatabaseSchema } from "../src/database/database-url.js";

function configError(fn: () => unknown): StateStoreError {
  try {
    fn();
  } catch (error) {
    expect(isStateStoreError(error, "CONFIG_ERROR")).toBe(true);
    return error as StateStoreError;
  }
  throw new Error("expected CONFIG_ERROR");
}

describe("parseDatabaseUrl", () => {
  it("accepts the SQLite forms: absolute, relative to cwd, and in memory", () => {
    expect(parseDatabaseUrl("sqlite:///var/lib/t.db")).toMatchObject({
      dialect: "sqlite",
      filename: "/var/lib/t.db",
    });
    expect(parseDatabaseUrl("sqlite:data/t.db", { cwd: "/srv/app" })).toMatchObject({
      dialect: "sqlite",
      filename: "/srv/app/data/t.db",
      memory: false,
    });
    expect(parseDatabaseUrl("sqlite::memory:")).toMatchObject({ dialect: "sqlite", memory: true });
  });

  it("accepts postgres:// and postgresql://, taking ?schema= out of the URL handed to pg", () => {
    const plain = parseDatabaseUrl("postgres://u:p@db:5432/tidemark");
    expect(plain).toMatchObject({
      dialect: "postgres",
      schema: undefined,
      connectionString: "postgres://u:p@db:5432/tidemark",
    });
    const withSchema = parseDatabaseUrl("postgresql://u@db/tidemark?schema=tm_1&sslmode=disable");
    expect(withSchema).toMatchObject({ dialect: "postgres", schema: "tm_1" });
    expect(withSchema.dialect === "postgres" && withSchema.connectionString).toBe(
      "postgresql://u@db/tidemark?sslmode=disable",
    );
  });

  it("rejects other URLs with CONFIG_ERROR naming database.url and every accepted form", () => {
    for (const bad of ["oracle://x/y", "", "sqlite:", "sqlite://relative.db", "/srv/t.db"]) {
      const error = configError(() => parseDatabaseUrl(bad));
      expect(error.message).toContain("database.url");
      expect(error.details).toMatchObject({ option: "database.url" });
    }
    const error = configError(() => parseDatabaseUrl("oracle://x/y"));
    for (const form of [
      "sqlite:///absolute/path.db",
      "sqlite:relative/path.db",
      "sqlite::memory:",
      "postgres://",
      "mysql://",
    ]) {
      expect(error.message).toContain(form);
    }
  });

  it("parses mysql:// and mariadb:// URLs, refusing one without a plain database name", () => {
    expect(parseDatabaseUrl("mysql://root:pw@127.0.0.1:3306/tidemark")).toEqual({
      dialect: "mysql",
      url: "mysql://root:pw@127.0.0.1:3306/tidemark",
      connectionString: "mysql://root:pw@127.0.0.1:3306/tidemark",
      database: "tidemark",
    });
    expect(parseDatabaseUrl("mariadb://u@db/t_1?ssl=true")).toMatchObject({
      dialect: "mysql",
      connectionString: "mysql://u@db/t_1?ssl=true",
      database: "t_1",
    });
    for (const bad of [
      "mysql://u@db",
      "mysql://u@db/",
      "mysql://u@db/a-b",
      `mysql://u@db/${"x".repeat(65)}`,
    ]) {
      const error = configError(() => parseDatabaseUrl(bad));
      expect(error.message).toContain("mysql://user:password@host:3306/tidemark");
    }
    expect(configError(() => parseDatabaseUrl("mysql://u:secret@db/a-b")).message).not.toContain("secret");
    expect(redactDatabaseUrl("mysql://u:secret@db/t")).toBe("mysql://u:***@db/t");
  });

  it("rejects a schema that is not a plain identifier, and ?schema together with ?options", () => {
    expect(configError(() => parseDatabaseUrl("postgres://h/d?schema=a;drop")).message).toContain("schema");
    expect(configError(() => parseDatabaseUrl("postgres://h/d?schema=1abc")).message).toContain("schema");
    expect(
      configError(() => parseDatabaseUrl("postgres://h/d?schema=a&options=-c%20x%3Dy")).message,
    ).toContain("options");
  });

  it("withDatabaseSchema sets or replaces ?schema=, and redactDatabaseUrl hides passwords", () => {
    expect(withDatabaseSchema("postgres://u@h:5432/d", "tm_a")).toBe("postgres://u@h:5432/d?schema=tm_a");
    expect(withDatabaseSchema("postgres://u@h:5432/d?schema=old", "tm_b")).toBe(
      "postgres://u@h:5432/d?schema=tm_b",
    );
    configError(() => withDatabaseSchema("sqlite::memory:", "x"));
    expect(redactDatabaseUrl("postgres://u:secret@h/d")).toBe("postgres://u:***@h/d");
    expect(redactDatabaseUrl("sqlite:a.db")).toBe("sqlite:a.db");
  });
});

describe("createDatabase", () => {
  it("throws CONFIG_ERROR for a bad URL, before opening anything", () => {
    const error = configError(() => createDatabase("redis://localhost"));
    expect(error.message).toContain("accepted forms");
  });

  it("creates the parent directories of a relative SQLite path and opens it with WAL, foreign keys and a busy timeout", async () => {
    const dir = tempDir();
    try {
      const database = createDatabase("sqlite:nested/deeper/t.db", {
        cwd: dir.path,
        sqliteBusyTimeoutMs: 1234,
      });
      try {
        expect(database.dialect).toBe("sqlite");
        expect(existsSync(join(dir.path, "nested", "deeper", "t.db"))).toBe(true);
        const pragma = async (name: string) =>
          Object.values((await sql.raw(`pragma ${name}`).execute(database.db)).rows[0] as object)[0];
        expect(await pragma("journal_mode")).toBe("wal");
        expect(await pragma("foreign_keys")).toBe(1);
        expect(await pragma("busy_timeout")).toBe(1234);
      } finally {
        await database.close();
        await database.close();
      }
    } finally {
      dir.remove();
    }
  });

  it("reports a Postgres server that refuses connections as BACKEND_UNAVAILABLE with the cause, on first use", async () => {
    const database = createDatabase("postgres://postgres:pw@127.0.0.1:1/none");
    try {
      const { migrate } = await import("../src/index.js");
      const error = await migrate(database).catch((e: unknown) => e);
      expect(isStateStoreError(error, "BACKEND_UNAVAILABLE")).toBe(true);
      expect((error as Error).message).toContain("postgres://postgres:***@127.0.0.1:1/none");
      expect((error as Error).message).not.toContain(":pw@");
      expect((error as Error).cause).toBeDefined();
    } finally {
      await database.close();
    }
  });
});
