import { installStateStoreMatchers } from "./install-matchers.js";

// A vitest `setupFiles` entry: importing it registers the matchers.
installStateStoreMatchers();
