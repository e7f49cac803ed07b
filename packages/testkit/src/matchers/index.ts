export { installStateStoreMatchers, stateStoreMatchers } from "./install-matchers.js";
export type { StateStoreMatcherContext, StateStoreMatcherResult } from "./matcher-protocol.js";
export { toRejectWithCode } from "./to-reject-with-code.js";
