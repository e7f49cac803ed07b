import { describe, expect, it } from "vitest";
import { assetIdentity } from "../src/asset-identity.js";
import { assetScope } from "../src/scope.js";

describe("assetIdentity", () => {
  it("prefers the asset id, then the name, then the URI", () => {
    expect(assetIdentity(assetScope({ assetId: 4, name: "n", uri: "s3://u" }))).toEqual({
      by: "assetId",
      value: 4,
    });
    expect(assetIdentity(assetScope({ name: "n", uri: "s3://u" }))).toEqual({ by: "name", value: "n" });
    expect(assetIdentity(assetScope({ uri: "s3://u" }))).toEqual({ by: "uri", value: "s3://u" });
  });
});
