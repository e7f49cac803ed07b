/**
 * Decides what an unreachable test MySQL means: with `CI=true` the run fails (CI must test a real
 * server); elsewhere the caller skips its MySQL cases with the reason.
 *
 * @param probe - connects and runs a query; rejects when the server cannot be used.
 * @param where - the server as messages show it (a URL without its password).
 * @returns null when the probe succeeded, else the reason to skip.
 * @throws Error when the probe failed and `CI=true`.
 */
export async function checkTestMysql(probe: () => Promise<void>, where: string): Promise<string | null> {
  try {
    await probe();
    return null;
  } catch (error) {
    const problem = `MySQL at ${where} is unreachable (${(error as Error).message || String(error)})`;
    if (process.env.CI === "true") {
      throw new Error(`${problem}; CI=true requires a real MySQL or MariaDB (TIDEMARK_TEST_MYSQL_URL)`);
    }
    return problem;
  }
}
