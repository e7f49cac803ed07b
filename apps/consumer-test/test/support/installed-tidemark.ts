import { join } from "node:path";
import { type CommandResult, describeFailure, runCommand } from "./run-command.js";

/**
 * The `tidemark` command npm linked into a project (`node_modules/.bin/tidemark`).
 *
 * @param project - the project directory.
 * @returns the path of the link.
 */
export function installedTidemarkBin(project: string): string {
  return join(project, "node_modules", ".bin", "tidemark");
}

/**
 * Runs the installed `tidemark` in the project (its `tidemark.toml` applies) and expects exit code 0.
 *
 * @param project - the project directory.
 * @param args - the command line after `tidemark`.
 * @param env - the environment.
 * @returns the result.
 * @throws Error with the end of the output when the command fails.
 */
export async function tidemark(
  project: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<CommandResult> {
  const result = await runCommand(installedTidemarkBin(project), args, { cwd: project, env });
  if (result.code !== 0) throw new Error(describeFailure(`tidemark ${args.join(" ")}`, result));
  return result;
}

/**
 * As {@link tidemark}, parsing stdout as one JSON document.
 *
 * @param project - the project directory.
 * @param args - the command line after `tidemark`.
 * @param env - the environment.
 * @returns the parsed output.
 */
export async function tidemarkJson<T>(
  project: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<T> {
  return JSON.parse((await tidemark(project, args, env)).stdout) as T;
}
