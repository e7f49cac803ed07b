import { cleanEnv } from "@tidemark/testkit/process";

/**
 * The environment of a command run as a consumer would run it: this process's environment without any
 * `TIDEMARK*` variable (see `cleanEnv`) and without the lowercase `npm_*` variables a package manager sets
 * for the script it runs (`npm_config_*`, `npm_package_*`, `npm_lifecycle_*`), which would otherwise
 * configure the consumer's npm as the workspace's pnpm. The user's own `~/.npmrc` still applies.
 *
 * @param extra - variables to set on top.
 * @returns a new environment.
 */
export function consumerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = cleanEnv();
  for (const name of Object.keys(env)) if (name.startsWith("npm_")) delete env[name];
  return { ...env, ...extra };
}
