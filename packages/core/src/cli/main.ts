// The entry point of the `tidemark` bin (bin/tidemark.js imports the built file).
import { runCli } from "./run-cli.js";

await runCli(process.argv);
