export { cleanEnv } from "./clean-env.js";
export { closedPort } from "./closed-port.js";
export { type ProcessResult, type RunNodeOptions, runNode } from "./run-node.js";
