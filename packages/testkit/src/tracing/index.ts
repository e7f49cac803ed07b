export { type InMemoryTracing, startInMemoryTracing } from "./in-memory-tracing.js";
export { parentIdOf } from "./parent-id-of.js";
