import type { FastifyInstance, FastifyRequest } from "fastify";

type JsonSchema = { type?: unknown; properties?: Record<string, JsonSchema> };

function typesOf(schema: JsonSchema): readonly unknown[] {
  return Array.isArray(schema.type) ? schema.type : [schema.type];
}

function coerce(values: unknown, schema: JsonSchema | undefined): void {
  if (schema?.properties === undefined || values === null || typeof values !== "object") return;
  const record = values as Record<string, unknown>;
  for (const [name, property] of Object.entries(schema.properties)) {
    const raw = record[name];
    if (typeof raw !== "string") continue;
    const types = typesOf(property);
    if (types.includes("integer") && /^-?\d+$/.test(raw)) record[name] = Number(raw);
    else if (types.includes("boolean") && (raw === "true" || raw === "false")) record[name] = raw === "true";
  }
}

/**
 * Turns the integer and boolean query-string and path parameters of a plugin's routes from text into
 * numbers and booleans before schema validation, as their schemas declare them. The server's Ajv does not
 * coerce types (so a request body is never silently changed); URL parameters, which are always text, get
 * this narrow conversion instead: only decimal integers and `true`/`false`, anything else is left for
 * validation to reject with 422.
 *
 * @param app - the plugin's (encapsulated) instance.
 */
export function installQueryCoercion(app: FastifyInstance): void {
  app.addHook("preValidation", async (request: FastifyRequest) => {
    const schema = request.routeOptions.schema as
      | { querystring?: JsonSchema; params?: JsonSchema }
      | undefined;
    coerce(request.query, schema?.querystring);
    coerce(request.params, schema?.params);
  });
}
