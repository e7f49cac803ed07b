// Placeholder main job until the flights pipeline lands: one round trip through the reference backend.
import { encodeValue, taskScope } from "@tidemark/state";
import { InMemoryStoreBackend } from "@tidemark/testkit";

const backend = new InMemoryStoreBackend();
const scope = taskScope({ dagId: "flights_daily", runId: "scheduled__2001-01-01", taskId: "ingest_flights" });
await backend.set(scope, "watermark", encodeValue("2001-01-01T23:59"));
console.log(`watermark round trip: ${await backend.get(scope, "watermark")}`);
await backend.close();
