import type {
  CompiledQuery,
  ConnectionProvider,
  DatabaseConnection,
  Driver,
  Log,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from "kysely";

/**
 * Wraps the execution of one statement: called with the statement's SQL text and the execution itself,
 * it must call `run` once and return (or throw) what `run` does.
 */
export type StatementWrapper = <T>(sql: string, run: () => Promise<T>) => Promise<T>;

/**
 * What Kysely's internal RuntimeDriver and DefaultConnectionProvider do, in one object with fewer
 * promises per query: the dialect's driver is initialized once before first use and destroyed once,
 * and when the log wants queries or errors every connection reports each statement it runs to the log,
 * as Kysely does it (the connection's `executeQuery` is wrapped the first time it is handed out, so
 * transactions and the driver's own statements are logged too). {@link executeQuery} runs one statement
 * on a connection of its own, for `DirectQueryExecutor`. Statement wrappers added with
 * {@link addStatementWrapper} see every statement any connection executes (not streamed queries).
 */
export class DriverRuntime implements Driver, ConnectionProvider {
  readonly #driver: Driver;
  readonly #log: Log;
  readonly #logs: boolean;
  readonly #connections = new WeakSet<DatabaseConnection>();
  /** The statement wrappers, outermost first; read on every statement, so adding one applies at once. */
  #wrappers: readonly StatementWrapper[] = [];
  #initPromise: Promise<void> | undefined;
  #initDone = false;
  #destroyPromise: Promise<void> | undefined;

  /**
   * @param driver - the dialect's driver.
   * @param log - Kysely's log of the instance.
   */
  constructor(driver: Driver, log: Log) {
    this.#driver = driver;
    this.#log = log;
    this.#logs = log.isLevelEnabled("query") || log.isLevelEnabled("error");
  }

  /**
   * Adds a wrapper around every statement executed from now on, on connections handed out before or
   * after; the first added is the outermost.
   *
   * @param wrapper - the wrapper.
   * @returns a function that removes it again.
   */
  addStatementWrapper(wrapper: StatementWrapper): () => void {
    this.#wrappers = [...this.#wrappers, wrapper];
    return () => {
      this.#wrappers = this.#wrappers.filter((w) => w !== wrapper);
    };
  }

  /** Initializes the driver once (again after a failed attempt). */
  async init(): Promise<void> {
    if (this.#destroyPromise) throw new Error("driver has already been destroyed");
    if (!this.#initPromise) {
      this.#initPromise = this.#driver.init().then(
        () => {
          this.#initDone = true;
        },
        (error: unknown) => {
          this.#initPromise = undefined;
          return Promise.reject(error);
        },
      );
    }
    await this.#initPromise;
  }

  /** A connection of the driver, made to report to the log the first time it is handed out. */
  async acquireConnection(): Promise<DatabaseConnection> {
    if (this.#destroyPromise) throw new Error("driver has already been destroyed");
    if (!this.#initDone) await this.init();
    return this.#adopt(await this.#driver.acquireConnection());
  }

  /** Gives a connection back to the driver. */
  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.#driver.releaseConnection(connection);
  }

  /** {@inheritDoc ConnectionProvider.provideConnection} */
  async provideConnection<T>(consumer: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    const connection = await this.acquireConnection();
    try {
      return await consumer(connection);
    } finally {
      await this.#driver.releaseConnection(connection);
    }
  }

  /**
   * Runs one statement on a connection taken for it and released after.
   *
   * @param compiledQuery - the statement.
   * @returns the driver's result, untransformed.
   */
  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const connection =
      this.#initDone && this.#destroyPromise === undefined
        ? this.#adopt(await this.#driver.acquireConnection())
        : await this.acquireConnection();
    try {
      return await connection.executeQuery<R>(compiledQuery);
    } finally {
      await this.#driver.releaseConnection(connection);
    }
  }

  beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    return this.#driver.beginTransaction(connection, settings);
  }

  commitTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driver.commitTransaction(connection);
  }

  rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    return this.#driver.rollbackTransaction(connection);
  }

  savepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    return this.#savepointMethod("savepoint")(connection, savepointName, compileQuery);
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    return this.#savepointMethod("rollbackToSavepoint")(connection, savepointName, compileQuery);
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    savepointName: string,
    compileQuery: QueryCompiler["compileQuery"],
  ): Promise<void> {
    return this.#savepointMethod("releaseSavepoint")(connection, savepointName, compileQuery);
  }

  /** The driver's savepoint operation, or Kysely's error when the driver has none. */
  #savepointMethod(name: "savepoint" | "rollbackToSavepoint" | "releaseSavepoint") {
    const method = this.#driver[name];
    if (!method) throw new Error(`The \`${name}\` method is not supported by this driver`);
    return method.bind(this.#driver);
  }

  /** Destroys the driver once, after its initialization; nothing when it was never initialized. */
  async destroy(): Promise<void> {
    if (!this.#initPromise) return;
    await this.#initPromise;
    if (!this.#destroyPromise) {
      this.#destroyPromise = this.#driver.destroy().catch((error: unknown) => {
        this.#destroyPromise = undefined;
        return Promise.reject(error);
      });
    }
    await this.#destroyPromise;
  }

  #adopt(connection: DatabaseConnection): DatabaseConnection {
    if (!this.#connections.has(connection)) {
      if (this.#logs) this.#addLogging(connection);
      this.#addWrapping(connection);
      this.#connections.add(connection);
    }
    return connection;
  }

  // Outside the logging, so a wrapper's time covers the log too; one length check when there is none.
  #addWrapping(connection: DatabaseConnection): void {
    const executeQuery = connection.executeQuery;
    connection.executeQuery = <R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> => {
      const wrappers = this.#wrappers;
      if (wrappers.length === 0) {
        return executeQuery.call<DatabaseConnection, [CompiledQuery], Promise<QueryResult<R>>>(
          connection,
          compiledQuery,
        );
      }
      const sql = compiledQuery.sql;
      let run = (): Promise<QueryResult<R>> =>
        executeQuery.call<DatabaseConnection, [CompiledQuery], Promise<QueryResult<R>>>(
          connection,
          compiledQuery,
        );
      for (let i = wrappers.length - 1; i >= 0; i--) {
        const wrapper = wrappers[i] as StatementWrapper;
        const inner = run;
        run = () => wrapper(sql, inner);
      }
      return run();
    };
  }

  // Kysely's own way: the connection's methods are wrapped in place, so a driver that recognizes its
  // connections (by class or identity) keeps getting its own object back.
  #addLogging(connection: DatabaseConnection): void {
    const executeQuery = connection.executeQuery;
    const streamQuery = connection.streamQuery;
    const log = this.#log;
    connection.executeQuery = async <R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> => {
      const startTime = performance.now();
      let result: QueryResult<R>;
      try {
        result = await executeQuery.call<DatabaseConnection, [CompiledQuery], Promise<QueryResult<R>>>(
          connection,
          compiledQuery,
        );
      } catch (error) {
        await log.error(() => ({
          level: "error",
          error,
          query: compiledQuery,
          queryDurationMillis: performance.now() - startTime,
        }));
        throw error;
      }
      await log.query(() => ({
        level: "query",
        isStream: false,
        query: compiledQuery,
        queryDurationMillis: performance.now() - startTime,
      }));
      return result as QueryResult<R>;
    };
    connection.streamQuery = async function* <R>(compiledQuery: CompiledQuery, chunkSize?: number) {
      const startTime = performance.now();
      let failed = false;
      try {
        for await (const result of streamQuery.call(connection, compiledQuery, chunkSize)) {
          yield result as QueryResult<R>;
        }
      } catch (error) {
        failed = true;
        await log.error(() => ({
          level: "error",
          error,
          query: compiledQuery,
          queryDurationMillis: performance.now() - startTime,
        }));
        throw error;
      } finally {
        // Also when the consumer stops early.
        if (!failed) {
          await log.query(() => ({
            level: "query",
            isStream: true,
            query: compiledQuery,
            queryDurationMillis: performance.now() - startTime,
          }));
        }
      }
    };
  }
}
