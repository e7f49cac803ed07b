// Child process of the Azure delete-race test: overwrites one blob and exits, so the test can rewrite a
// blob synchronously (execFileSync) from inside an onlyIf callback, between the store's check and its delete.
//   node put-blob-child.mjs <container> <blob name> <text>   (AZURE_STORAGE_CONNECTION_STRING in the env)
import { BlobServiceClient } from "@azure/storage-blob";

const [container, name, text] = process.argv.slice(2);
await BlobServiceClient.fromConnectionString(process.env.AZURE_STORAGE_CONNECTION_STRING)
  .getContainerClient(container)
  .getBlockBlobClient(name)
  .uploadData(Buffer.from(text));
