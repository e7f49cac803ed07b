import type {
  KyselyPlugin,
  PluginTransformQueryArgs,
  PluginTransformResultArgs,
  QueryResult,
  RootOperationNode,
  UnknownRow,
} from "kysely";

/**
 * A row value as the metastore reads it. Identifiers and keys are VARBINARY on MySQL, so that they compare
 * byte for byte (no case folding, no trailing-space padding); the metastore stores no binary data, so
 * every Buffer is such a UTF-8 string.
 *
 * @param value - a column value as the driver returned it.
 * @returns the value, with a Buffer decoded as UTF-8.
 */
export function mysqlBytesAsText(value: unknown): unknown {
  return Buffer.isBuffer(value) ? value.toString("utf8") : value;
}

/**
 * The same decoding as a Kysely plugin, for a MySQL dialect whose driver Tidemark did not configure
 * (`createDatabaseFromKyselyDialect`); `createDatabase` decodes in mysql2's `typeCast` instead.
 */
export class MysqlBytesAsTextPlugin implements KyselyPlugin {
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const { result } = args;
    for (const row of result.rows) {
      for (const column in row) {
        const value = row[column];
        if (Buffer.isBuffer(value)) row[column] = value.toString("utf8");
      }
    }
    return result;
  }
}
