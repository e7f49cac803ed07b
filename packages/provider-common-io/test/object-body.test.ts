import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { isStateStoreError } from "@tidemark/state";
import { describe, expect, it } from "vitest";
import { readBody } from "../src/object-body.js";

/** A stream handing `bytes` on in pieces of `piece` bytes, as a socket or file stream would. */
function streamOf(bytes: Buffer, piece = 1000): Readable {
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += piece) pieces.push(bytes.subarray(at, at + piece));
  return Readable.from(pieces, { objectMode: false });
}

const texts = {
  ascii: `"${"plain ascii \u0000\u007f ".repeat(3000)}"`,
  multiByte: `"${"é€𝄞".repeat(3000)}"`,
  bom: `\ufeff"${"x".repeat(100)}"`,
  empty: "",
};

describe("readBody", () => {
  for (const [name, text] of Object.entries(texts)) {
    it(`returns ${name} text verbatim from a Buffer and from a stream, whatever size it is told`, async () => {
      const raw = Buffer.from(text, "utf8");
      expect(await readBody(raw, false, "ref")).toBe(text);
      for (const size of [raw.length, raw.length - 7, raw.length + 7, 0, null, undefined]) {
        expect(await readBody(streamOf(raw), false, "ref", size)).toBe(text);
      }
      const gz = gzipSync(raw);
      expect(await readBody(gz, true, "ref")).toBe(text);
      expect(await readBody(streamOf(gz, 100), true, "ref", gz.length)).toBe(text);
    });
  }

  it("refuses invalid UTF-8 and invalid gzip with INVALID_VALUE naming the object", async () => {
    for (const [body, compressed] of [
      [Buffer.from([0x22, 0xc3, 0x22]), false],
      [gzipSync(Buffer.from([0x22, 0xff, 0x22])), true],
      [Buffer.from("not gzip at all, but long enough"), true],
    ] as const) {
      const error = await readBody(body, compressed, "file:///base/k").catch((e: unknown) => e);
      expect(isStateStoreError(error) && error.code).toBe("INVALID_VALUE");
      expect((error as Error).message).toContain("file:///base/k");
    }
  });

  it("reports a stream that fails midway as BACKEND_UNAVAILABLE", async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('"abc'));
        this.destroy(new Error("connection reset"));
      },
    });
    const error = await readBody(failing, false, "s3://b/k", 100).catch((e: unknown) => e);
    expect(isStateStoreError(error) && error.code).toBe("BACKEND_UNAVAILABLE");
  });
});
