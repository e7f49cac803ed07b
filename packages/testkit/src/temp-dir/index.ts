export { listFiles } from "./list-files.js";
export { makeTempDir, type SyncTempDir, type TempDir, tempDir } from "./temp-dir.js";
