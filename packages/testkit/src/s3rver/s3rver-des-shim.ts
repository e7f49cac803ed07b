import crypto from "node:crypto";

/**
 * s3rver 3.7.1 encrypts ListObjectsV2 continuation tokens with single DES (`createCipheriv("des", …)`),
 * which OpenSSL 3 (Node >= 17) only has in its legacy provider: every truncated listing (more than
 * MaxKeys objects) fails with HTTP 500 `ERR_OSSL_EVP_UNSUPPORTED`. Triple DES with three equal keys is
 * single DES, byte for byte, and is in OpenSSL 3's default provider; this shim routes s3rver's "des"
 * calls to it. It touches nothing else (only the algorithm name "des" with an 8-byte key), is idempotent,
 * and avoids running the whole test process with `--openssl-legacy-provider`.
 */
export function installS3rverDesShim(): void {
  const marker = Symbol.for("tidemark.s3rver-des-shim");
  const target = crypto as unknown as Record<PropertyKey, unknown>;
  if (target[marker] === true) return;
  const createCipheriv = crypto.createCipheriv;
  const createDecipheriv = crypto.createDecipheriv;
  const tripled = (algorithm: string, key: unknown): [string, Buffer] | undefined =>
    algorithm.toLowerCase() === "des" && Buffer.isBuffer(key) && key.length === 8
      ? ["des-ede3-cbc", Buffer.concat([key, key, key])]
      : undefined;
  target.createCipheriv = (algorithm: string, key: Buffer, iv: Buffer, options?: unknown) => {
    const replaced = tripled(algorithm, key);
    return replaced === undefined
      ? (createCipheriv as (...args: unknown[]) => unknown)(algorithm, key, iv, options)
      : createCipheriv(replaced[0], replaced[1], iv);
  };
  target.createDecipheriv = (algorithm: string, key: Buffer, iv: Buffer, options?: unknown) => {
    const replaced = tripled(algorithm, key);
    return replaced === undefined
      ? (createDecipheriv as (...args: unknown[]) => unknown)(algorithm, key, iv, options)
      : createDecipheriv(replaced[0], replaced[1], iv);
  };
  target[marker] = true;
}
