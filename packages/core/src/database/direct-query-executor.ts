import {
  type CompiledQuery,
  type ConnectionProvider,
  DefaultQueryExecutor,
  type DialectAdapter,
  type KyselyPlugin,
  type QueryCompiler,
  type QueryResult,
} from "kysely";
import { DriverRuntime } from "./driver-runtime.js";

/**
 * Kysely's DefaultQueryExecutor, except that a query of an instance without plugins, on the root
 * instance's connections, goes straight to {@link DriverRuntime.executeQuery}: no result transform
 * (there is no plugin to run) and one connection hand-off instead of Kysely's chain of nested promises,
 * which costs more than a SQLite point read. Everything else (plugins, transactions, `connection()`,
 * streaming) is Kysely's own code, and every query still runs through the dialect's driver and the log.
 */
export class DirectQueryExecutor extends DefaultQueryExecutor {
  readonly #compiler: QueryCompiler;
  readonly #adapter: DialectAdapter;
  readonly #connectionProvider: ConnectionProvider;
  /** The runtime when this executor runs on it directly and has no plugins. */
  readonly #direct: DriverRuntime | undefined;

  /**
   * @param compiler - the dialect's query compiler.
   * @param adapter - the dialect's adapter.
   * @param connectionProvider - the root {@link DriverRuntime}, or the one connection of a transaction.
   * @param plugins - Kysely plugins.
   */
  constructor(
    compiler: QueryCompiler,
    adapter: DialectAdapter,
    connectionProvider: ConnectionProvider,
    plugins: KyselyPlugin[] = [],
  ) {
    super(compiler, adapter, connectionProvider, plugins);
    this.#compiler = compiler;
    this.#adapter = adapter;
    this.#connectionProvider = connectionProvider;
    this.#direct =
      plugins.length === 0 && connectionProvider instanceof DriverRuntime ? connectionProvider : undefined;
  }

  override executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.#direct === undefined
      ? super.executeQuery<R>(compiledQuery)
      : this.#direct.executeQuery<R>(compiledQuery);
  }

  override withPlugins(plugins: ReadonlyArray<KyselyPlugin>): DirectQueryExecutor {
    return this.#with(this.#connectionProvider, [...this.plugins, ...plugins]);
  }

  override withPlugin(plugin: KyselyPlugin): DirectQueryExecutor {
    return this.#with(this.#connectionProvider, [...this.plugins, plugin]);
  }

  override withPluginAtFront(plugin: KyselyPlugin): DirectQueryExecutor {
    return this.#with(this.#connectionProvider, [plugin, ...this.plugins]);
  }

  override withConnectionProvider(connectionProvider: ConnectionProvider): DirectQueryExecutor {
    return this.#with(connectionProvider, [...this.plugins]);
  }

  override withoutPlugins(): DirectQueryExecutor {
    return this.#with(this.#connectionProvider, []);
  }

  #with(connectionProvider: ConnectionProvider, plugins: KyselyPlugin[]): DirectQueryExecutor {
    return new DirectQueryExecutor(this.#compiler, this.#adapter, connectionProvider, plugins);
  }
}
