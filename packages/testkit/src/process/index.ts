export { cleanEnv } from "./clean-env.js";
export { closedPort } from "./closed-port.js";
export { type RunNodeOptions, runNode } from "./run-node.js";
export { type ProcessResult, type RunProcessOptions, runProcess } from "./run-process.js";
