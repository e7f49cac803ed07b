import { isAbsolute } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { StateStoreError } from "@tidemark/state";

/** A parsed `common_io.state_store_objectstorage_path`. */
export type ObjectStoragePath =
  | {
      readonly scheme: "file";
      /** The normalized base URL, ending in "/", for example `file:///var/lib/tidemark/state/`. */
      readonly base: string;
      /** The absolute directory. */
      readonly directory: string;
    }
  | {
      readonly scheme: "s3";
      /** The normalized base URL, ending in "/", for example `s3://aws_default@bucket/prefix/`. */
      readonly base: string;
      /** The connection id, or undefined for the AWS SDK's default credential chain. */
      readonly connId: string | undefined;
      readonly bucket: string;
      /** The key prefix, empty or ending in "/". */
      readonly prefix: string;
    };

const CONN_ID = /^[A-Za-z0-9_.-]+$/;
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;

/**
 * Hides credentials (`user:password@`, where the password may hold "/") before a path is quoted in a
 * message: everything between the scheme and the last "@" goes when it holds a ":".
 */
function safeForMessage(path: string): string {
  const match = /^([a-z0-9+.-]+:\/\/)(.*)@/i.exec(path);
  if (match === null || !(match[2] ?? "").includes(":")) return path;
  return `${match[1]}***@${path.slice(match[0].length)}`;
}

function invalid(option: string, path: string, why: string): StateStoreError {
  return new StateStoreError(
    "CONFIG_ERROR",
    `${option} = ${JSON.stringify(safeForMessage(path))} ${why}; use file:///absolute/dir/ or s3://conn_id@bucket/prefix/ (conn_id optional)`,
    { details: { option } },
  );
}

function parseFile(path: string, option: string): ObjectStoragePath {
  let url: URL;
  try {
    url = new URL(path);
  } catch {
    throw invalid(option, path, "is not a valid file:// URL");
  }
  if (url.host !== "" && url.host !== "localhost") {
    throw invalid(
      option,
      path,
      `names host ${JSON.stringify(url.host)}: file:// paths must be absolute, with three slashes (file:///dir/)`,
    );
  }
  if (url.search !== "" || url.hash !== "") throw invalid(option, path, "has a query or fragment");
  let directory: string;
  try {
    directory = fileURLToPath(url);
  } catch (cause) {
    throw invalid(option, path, `is not a local directory (${(cause as Error).message})`);
  }
  if (!isAbsolute(directory)) throw invalid(option, path, "is not an absolute directory");
  const withSlash = directory.endsWith("/") ? directory : `${directory}/`;
  return { scheme: "file", base: pathToFileURL(withSlash).href, directory: withSlash };
}

function parseS3(path: string, option: string): ObjectStoragePath {
  const rest = path.slice("s3://".length);
  // A ":" before the first "/" (or anywhere before the last "@") can only be credentials: bucket names
  // and conn ids never hold one, and secrets often hold "/".
  const lastAt = rest.lastIndexOf("@");
  if ((lastAt !== -1 && rest.slice(0, lastAt).includes(":")) || rest.split("/")[0]?.includes(":")) {
    throw invalid(
      option,
      path,
      "holds credentials: name a connection instead (s3://conn_id@bucket/prefix/) and put the credentials in TIDEMARK_CONN_<CONN_ID>",
    );
  }
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const rawPrefix = slash === -1 ? "" : rest.slice(slash + 1);
  const at = authority.lastIndexOf("@");
  const userinfo = at === -1 ? undefined : authority.slice(0, at);
  const bucket = at === -1 ? authority : authority.slice(at + 1);
  if (userinfo !== undefined && !CONN_ID.test(userinfo)) {
    throw invalid(option, path, "has an invalid conn_id (letters, digits, _ . - only)");
  }
  if (!BUCKET.test(bucket))
    throw invalid(option, path, `has an invalid bucket name ${JSON.stringify(bucket)}`);
  if (/[?#\\]/.test(rawPrefix)) throw invalid(option, path, "has a ?, # or \\ in its prefix");
  const segments = rawPrefix.split("/").filter((s, i, all) => !(s === "" && i === all.length - 1));
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    throw invalid(option, path, 'has an empty, "." or ".." segment in its prefix');
  }
  const prefix = segments.length === 0 ? "" : `${segments.join("/")}/`;
  const connId = userinfo === undefined || userinfo === "" ? undefined : userinfo;
  return {
    scheme: "s3",
    base: `s3://${connId === undefined ? "" : `${connId}@`}${bucket}/${prefix}`,
    connId,
    bucket,
    prefix,
  };
}

/**
 * Parses the base of the object-storage backend.
 *
 * @param path - `file:///absolute/dir/` or `s3://conn_id@bucket/prefix/` (conn_id and prefix optional; a
 *   missing trailing "/" is added).
 * @param option - the option name for messages.
 * @returns the scheme with its parts and the normalized base URL.
 * @throws StateStoreError `CONFIG_ERROR` naming the option for a missing, relative or malformed path, an
 *   unsupported scheme, or credentials written into the path (the message hides them).
 */
export function parseObjectStoragePath(path: unknown, option: string): ObjectStoragePath {
  if (typeof path !== "string" || path.trim() === "") {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `${option} is not set; set it to the base of the object store, file:///absolute/dir/ or s3://conn_id@bucket/prefix/ (conn_id optional)`,
      { details: { option } },
    );
  }
  const trimmed = path.trim();
  const scheme = /^([a-z0-9+.-]+):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === "file") return parseFile(trimmed, option);
  if (scheme === "s3" && trimmed.slice(0, 5).toLowerCase() === "s3://") {
    return parseS3(`s3://${trimmed.slice(5)}`, option);
  }
  throw invalid(
    option,
    trimmed,
    `has ${scheme === undefined ? "no scheme" : `unsupported scheme ${JSON.stringify(`${scheme}:`)}`} (supported: file://, s3://)`,
  );
}
