import { type Dialect, Kysely, type KyselyConfig, Log } from "kysely";
import { DirectQueryExecutor } from "./direct-query-executor.js";
import { DriverRuntime } from "./driver-runtime.js";

// The runtime of every instance made here, so statement wrappers can be added to it later.
const runtimes = new WeakMap<Kysely<unknown>, DriverRuntime>();

/**
 * The {@link DriverRuntime} of a Kysely instance made by {@link createKysely}.
 *
 * @param kysely - the instance.
 * @returns its runtime, or undefined for an instance made some other way.
 */
export function driverRuntimeOf(kysely: Kysely<unknown>): DriverRuntime | undefined {
  return runtimes.get(kysely);
}

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
  const kysely = new Kysely<DB>({ config, dialect, driver, executor });
  runtimes.set(kysely as Kysely<unknown>, driver);
  return kysely;
}
