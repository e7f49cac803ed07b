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
    }
  | {
      readonly scheme: "azure";
      /**
       * The normalized base URL, ending in "/", in the spelling it was given: `az://[conn_id@]container/prefix/`,
       * `abfs://[conn_id@]container/prefix/` or `abfs://container@account.dfs.core.windows.net/prefix/`
       * (`abfss://` too).
       */
      readonly base: string;
      /** The connection id, or undefined for the default Azure credential chain. */
      readonly connId: string | undefined;
      readonly container: string;
      /** The storage account named by an `abfs://container@account.dfs.core.windows.net/` host. */
      readonly account: string | undefined;
      /** The blob name prefix, empty or ending in "/". */
      readonly prefix: string;
    };

const CONN_ID = /^[A-Za-z0-9_.-]+$/;
const BUCKET = /^[A-Za-z0-9][A-Za-z0-9._-]{1,254}$/;
/** Azure container names: 3–63 lower-case letters, digits and single hyphens (so never a "."). */
const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** `account.dfs.core.windows.net`, `account.blob.core.windows.net` and the sovereign clouds' hosts. */
const ACCOUNT_HOST = /^([a-z0-9]{3,24})\.(?:dfs|blob)\.[a-z0-9.-]+$/;
const SUPPORTED =
  "file:///absolute/dir/, s3://conn_id@bucket/prefix/ or az://conn_id@container/prefix/ (conn_id optional)";

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
    `${option} = ${JSON.stringify(safeForMessage(path))} ${why}; use ${SUPPORTED}`,
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

/** The prefix of a path after its authority, normalized to "" or ending in "/". */
function parsePrefix(rawPrefix: string, path: string, option: string): string {
  if (/[?#\\]/.test(rawPrefix)) throw invalid(option, path, "has a ?, # or \\ in its prefix");
  const segments = rawPrefix.split("/").filter((s, i, all) => !(s === "" && i === all.length - 1));
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    throw invalid(option, path, 'has an empty, "." or ".." segment in its prefix');
  }
  return segments.length === 0 ? "" : `${segments.join("/")}/`;
}

/** Refuses credentials written into a path: a ":" in the authority or before the last "@". */
function refuseCredentials(rest: string, path: string, option: string, example: string): void {
  // Bucket, container and conn ids never hold a ":", and secrets often hold "/".
  const lastAt = rest.lastIndexOf("@");
  if ((lastAt !== -1 && rest.slice(0, lastAt).includes(":")) || rest.split("/")[0]?.includes(":")) {
    throw invalid(
      option,
      path,
      `holds credentials: name a connection instead (${example}) and put the credentials in TIDEMARK_CONN_<CONN_ID>`,
    );
  }
}

/**
 * `az://[conn_id@]container/prefix/`, and adlfs' `abfs[s]://` spellings: `abfs://container@account.dfs.core.windows.net/prefix/`
 * (the user part is the container when the host names an account) or `abfs://[conn_id@]container/prefix/`.
 */
function parseAzure(path: string, scheme: "az" | "abfs" | "abfss", option: string): ObjectStoragePath {
  const rest = path.slice(scheme.length + 3);
  refuseCredentials(rest, path, option, `${scheme}://conn_id@container/prefix/`);
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const prefix = parsePrefix(slash === -1 ? "" : rest.slice(slash + 1), path, option);
  const at = authority.lastIndexOf("@");
  const user = at === -1 ? undefined : authority.slice(0, at);
  // Container names are lower case: an upper-case one is refused, not silently changed.
  const rawHost = at === -1 ? authority : authority.slice(at + 1);
  const accountHost = scheme === "az" ? null : ACCOUNT_HOST.exec(rawHost.toLowerCase());
  const host = accountHost === null ? rawHost : rawHost.toLowerCase();
  let connId: string | undefined;
  let container: string;
  let account: string | undefined;
  if (accountHost !== null) {
    container = user ?? "";
    account = accountHost[1];
  } else {
    container = host;
    if (user !== undefined && user !== "") {
      if (!CONN_ID.test(user))
        throw invalid(option, path, "has an invalid conn_id (letters, digits, _ . - only)");
      connId = user;
    }
  }
  if (!CONTAINER.test(container)) {
    throw invalid(
      option,
      path,
      `has an invalid container name ${JSON.stringify(container)} (3-63 lower-case letters, digits and single hyphens)`,
    );
  }
  const authorityOut =
    account === undefined
      ? `${connId === undefined ? "" : `${connId}@`}${container}`
      : `${container}@${host}`;
  return {
    scheme: "azure",
    base: `${scheme}://${authorityOut}/${prefix}`,
    connId,
    container,
    account,
    prefix,
  };
}

function parseS3(path: string, option: string): ObjectStoragePath {
  const rest = path.slice("s3://".length);
  refuseCredentials(rest, path, option, "s3://conn_id@bucket/prefix/");
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
  const prefix = parsePrefix(rawPrefix, path, option);
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
 * @param path - `file:///absolute/dir/`, `s3://conn_id@bucket/prefix/`, `az://conn_id@container/prefix/`,
 *   `abfs://conn_id@container/prefix/` or `abfs://container@account.dfs.core.windows.net/prefix/` (`abfss://`
 *   too; conn_id and prefix optional; a missing trailing "/" is added).
 * @param option - the option name for messages.
 * @returns the scheme with its parts and the normalized base URL.
 * @throws StateStoreError `CONFIG_ERROR` naming the option for a missing, relative or malformed path, an
 *   unsupported scheme, or credentials written into the path (the message hides them).
 */
export function parseObjectStoragePath(path: unknown, option: string): ObjectStoragePath {
  if (typeof path !== "string" || path.trim() === "") {
    throw new StateStoreError(
      "CONFIG_ERROR",
      `${option} is not set; set it to the base of the object store, ${SUPPORTED}`,
      { details: { option } },
    );
  }
  const trimmed = path.trim();
  const scheme = /^([a-z0-9+.-]+):/i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme === "file") return parseFile(trimmed, option);
  if (scheme === "s3" && trimmed.slice(0, 5).toLowerCase() === "s3://") {
    return parseS3(`s3://${trimmed.slice(5)}`, option);
  }
  if (
    (scheme === "az" || scheme === "abfs" || scheme === "abfss") &&
    trimmed.slice(scheme.length, scheme.length + 3) === "://"
  ) {
    return parseAzure(`${scheme}://${trimmed.slice(scheme.length + 3)}`, scheme, option);
  }
  throw invalid(
    option,
    trimmed,
    `has ${scheme === undefined ? "no scheme" : `unsupported scheme ${JSON.stringify(`${scheme}:`)}`} (supported: file://, s3://, az://, abfs://, abfss://)`,
  );
}
