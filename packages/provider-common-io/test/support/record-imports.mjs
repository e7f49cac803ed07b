// Preloaded with `node --import` by the lazy-loading test: registers module hooks that append every
// resolved module URL (import statements and dynamic import()) to the file named by TIDEMARK_IMPORT_LOG.
import { register } from "node:module";

register("./record-imports-hooks.mjs", import.meta.url, {
  data: { log: process.env.TIDEMARK_IMPORT_LOG },
});
