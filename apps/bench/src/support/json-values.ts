import type { JsonObject } from "@tidemark/state";

/**
 * A JSON object whose `JSON.stringify` text is exactly `bytes` UTF-8 bytes: `{"seq":n,"pad":"xxx…"}`.
 *
 * @param bytes - the text's length in bytes (at least 24).
 * @param seq - a number stored in the object, so values differ.
 * @returns the object.
 */
export function jsonObjectOfBytes(bytes: number, seq = 0): JsonObject {
  const skeleton = JSON.stringify({ seq, pad: "" }).length;
  if (bytes < skeleton) throw new RangeError(`a value of ${bytes} bytes is too small`);
  return { seq, pad: "x".repeat(bytes - skeleton) };
}

/**
 * JSON text of about `bytes` bytes that looks like real data (an array of records with ids, names,
 * numbers and tags), so gzip sees realistic redundancy rather than one repeated character.
 *
 * @param bytes - the wanted size in bytes; the text is at most this long and within ~200 bytes of it.
 * @returns the JSON text.
 */
export function recordsJsonOfBytes(bytes: number): string {
  const parts: string[] = [];
  let length = 2;
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  const words = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"];
  for (let i = 0; ; i++) {
    const record = JSON.stringify({
      id: i,
      name: `item-${i.toString(36)}-${Math.floor(random() * 1e9).toString(36)}`,
      price: Math.round(random() * 1e6) / 100,
      quantity: Math.floor(random() * 1000),
      tags: [words[Math.floor(random() * 10)], words[Math.floor(random() * 10)]],
      updated_at: new Date(1_700_000_000_000 + Math.floor(random() * 1e10)).toISOString(),
    });
    const added = record.length + (parts.length === 0 ? 0 : 1);
    if (length + added > bytes) break;
    parts.push(record);
    length += added;
  }
  return `[${parts.join(",")}]`;
}
