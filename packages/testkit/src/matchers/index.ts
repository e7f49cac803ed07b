export { installStateStoreMatchers, stateStoreMatchers } from "./install-matchers.js";
export { toRejectWithCode } from "./to-reject-with-code.js";
