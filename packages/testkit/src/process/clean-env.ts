/**
 * The environment of this process without any `TIDEMARK*` variable of the developer's shell, so a child
 * sees only the configuration a test gives it.
 *
 * @param extra - variables to set on top.
 * @returns a new environment.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith("TIDEMARK")) env[k] = v;
  return { ...env, ...extra };
}
