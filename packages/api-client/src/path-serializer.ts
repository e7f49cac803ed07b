/**
 * Fills every `{name}` of a path template with its percent-encoded (encodeURIComponent) parameter.
 * openapi-fetch's own serializer reads `{*}` (the Core REST API's state key) as an exploded parameter
 * named "", so the key would never be filled in.
 *
 * @param pathname - the template, for example `/api/v2/assets/{asset_id}/state-store/{*}`.
 * @param params - the path parameters by name.
 * @returns the path; a parameter that is not given leaves its `{name}` as is.
 */
export function simplePathSerializer(pathname: string, params: Record<string, unknown> | undefined): string {
  return pathname.replace(/\{([^{}]+)\}/g, (match, name: string) => {
    const value = params?.[name];
    return value === undefined || value === null ? match : encodeURIComponent(String(value));
  });
}
