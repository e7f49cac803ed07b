import { InMemoryObjectStore, objectStoreSuite } from "../src/object-store/index.js";

objectStoreSuite({
  name: "InMemoryObjectStore",
  create: () => ({ store: new InMemoryObjectStore("suite") }),
});
