import { type Dialect, Kysely, type KyselyConfig, Log } from "kysely";
import { DirectQueryExecutor } from "./direct-query-executor.js";
import { DriverRuntime } from "./driver-runtime.js";

/**
 * `new Kysely(config)` assembled from the same parts Kysely uses, with {@link DirectQueryExecutor} and
 * {@link DriverRuntime} in place of its executor and runtime driver: the same behaviour (plugins,
 * transactions, savepoints, logging of every statement), fewer promises per query.
 *
 * @param config - the dialect, the log hook and plugins, as for `new Kysely(config)`.
 * @returns the Kysely instance; `destroy()` destroys the dialect's driver.
 */
export function createKysely<DB>(config: KyselyConfig): Kysely<DB> {
  const dialect: Dialect = config.dialect;
  const driver = new DriverRuntime(dialect.createDriver(), new Log(config.log ?? []));
  const executor = new DirectQueryExecutor(
    dialect.createQueryCompiler(),
    dialect.createAdapter(),
    driver,
    config.plugins ? [...config.plugins] : [],
  );
  return new Kysely<DB>({ config, dialect, driver, executor });
}
