import { StateStoreError } from "@tidemark/state";

const PATH_OPTION = "common_io.state_store_objectstorage_path";

/**
 * Replaces every occurrence of a secret in `text` with `***`.
 *
 * @param text - a message that may quote a secret (a driver message, an URL).
 * @param secrets - the secrets to hide; empty strings are ignored.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join("***");
  return out;
}

/** A short description of a cause for messages: its name or code and its message, without secrets. */
export function describeCause(cause: unknown, secrets: readonly string[] = []): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    const label = typeof code === "string" ? code : cause.name;
    return redact(`${label}: ${cause.message}`, secrets);
  }
  return redact(String(cause), secrets);
}

const FORBIDDEN_FS_CODES = new Set(["EACCES", "EPERM", "EROFS"]);

/**
 * Maps a node:fs failure to a `StateStoreError`: permission errors → `FORBIDDEN`, anything else →
 * `BACKEND_UNAVAILABLE`; the cause is kept.
 *
 * @param cause - the fs error.
 * @param operation - what was being done, for example `write`.
 * @param target - the file or directory, for the message.
 */
export function fsError(cause: unknown, operation: string, target: string): StateStoreError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  if (typeof code === "string" && FORBIDDEN_FS_CODES.has(code)) {
    return new StateStoreError(
      "FORBIDDEN",
      `object storage refused to ${operation} ${target} (${describeCause(cause)}); give the process read and write access to the directory of ${PATH_OPTION}`,
      { cause, details: { operation } },
    );
  }
  return new StateStoreError(
    "BACKEND_UNAVAILABLE",
    `object storage failed to ${operation} ${target} (${describeCause(cause)}); check the disk and ${PATH_OPTION}`,
    { cause, details: { operation } },
  );
}

/** What {@link s3Error} needs to describe a failure. */
export interface S3ErrorContext {
  /** What was being done, for example `write`. */
  readonly operation: string;
  /** The object or prefix, for the message (an `s3://` URL). */
  readonly target: string;
  readonly bucket: string;
  /** The endpoint, without credentials, or undefined for AWS. */
  readonly endpoint: string | undefined;
  /** The environment variable of the connection, or undefined for the default credential chain. */
  readonly connectionVariable: string | undefined;
  /** Secrets that must not appear in the message. */
  readonly secrets: readonly string[];
}

const FORBIDDEN_S3_NAMES = new Set([
  "AccessDenied",
  "Forbidden",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "InvalidToken",
  "ExpiredToken",
  "TokenRefreshRequired",
  "AllAccessDisabled",
  "AccountProblem",
]);

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

function networkCode(cause: unknown): string | undefined {
  let current: unknown = cause;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const innerCode = (inner as { code?: unknown } | undefined)?.code;
        if (typeof innerCode === "string" && NETWORK_CODES.has(innerCode)) return innerCode;
      }
    }
    current = current.cause;
  }
  if (cause instanceof Error && (cause.name === "TimeoutError" || cause.name === "RequestTimeout")) {
    return cause.name;
  }
  return undefined;
}

/**
 * Maps an AWS SDK failure to a `StateStoreError`: a missing bucket, an unreachable endpoint and any other
 * service failure → `BACKEND_UNAVAILABLE`; denied access or bad credentials → `FORBIDDEN`; no
 * credentials or no region → `CONFIG_ERROR`. The cause is kept; secrets are redacted from the message.
 *
 * @param cause - the SDK error.
 * @param context - what was done, where, and which secrets to hide.
 */
export function s3Error(cause: unknown, context: S3ErrorContext): StateStoreError {
  const name = cause instanceof Error ? cause.name : "";
  const status = (cause as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata
    ?.httpStatusCode;
  const reason = describeCause(cause, context.secrets);
  const where = context.endpoint === undefined ? "" : ` at ${context.endpoint}`;
  const details = { operation: context.operation, bucket: context.bucket, status: status ?? null };
  const credentials =
    context.connectionVariable === undefined
      ? "the AWS SDK's default credential chain"
      : `the connection ${context.connectionVariable}`;
  if (name === "NoSuchBucket") {
    return new StateStoreError(
      "BACKEND_UNAVAILABLE",
      `object storage could not ${context.operation} ${context.target}: bucket ${JSON.stringify(context.bucket)} does not exist${where}; create it or fix ${PATH_OPTION}`,
      { cause, details },
    );
  }
  if (FORBIDDEN_S3_NAMES.has(name) || status === 403 || status === 401) {
    return new StateStoreError(
      "FORBIDDEN",
      `object storage denied access to ${context.target}${where} (${reason}); check the credentials of ${credentials} and the bucket policy`,
      { cause, details },
    );
  }
  if (name === "CredentialsProviderError" || /could not load credentials/i.test(reason)) {
    return new StateStoreError(
      "CONFIG_ERROR",
      `object storage found no credentials for ${context.target} (${reason}); name a connection in ${PATH_OPTION} (s3://conn_id@bucket/prefix/) and set TIDEMARK_CONN_<CONN_ID>, or configure the AWS SDK's default credential chain`,
      { cause, details: { ...details, option: PATH_OPTION } },
    );
  }
  if (/region is missing/i.test(reason)) {
    return new StateStoreError(
      "CONFIG_ERROR",
      `object storage has no AWS region for ${context.target}; set region_name in the connection or AWS_REGION`,
      { cause, details: { ...details, option: PATH_OPTION } },
    );
  }
  const network = networkCode(cause);
  if (network !== undefined) {
    return new StateStoreError(
      "BACKEND_UNAVAILABLE",
      `object storage${where} cannot be reached to ${context.operation} ${context.target} (${network}); check that the endpoint is up and endpoint_url in ${credentials}`,
      { cause, details: { ...details, network } },
    );
  }
  return new StateStoreError(
    "BACKEND_UNAVAILABLE",
    `object storage failed to ${context.operation} ${context.target}${where} (${reason}${status === undefined ? "" : `, HTTP ${status}`})`,
    { cause, details },
  );
}

/** What {@link azureError} needs to describe a failure. */
export interface AzureErrorContext {
  /** What was being done, for example `write`. */
  readonly operation: string;
  /** The object or prefix, for the message (an `az://` or `abfs://` URL). */
  readonly target: string;
  readonly container: string;
  /** The blob service endpoint, without credentials or SAS token, when known. */
  readonly endpoint: string | undefined;
  /** The environment variable of the connection, or undefined without a conn_id. */
  readonly connectionVariable: string | undefined;
  /** Secrets that must not appear in the message. */
  readonly secrets: readonly string[];
}

const FORBIDDEN_AZURE_CODES = new Set([
  "AuthenticationFailed",
  "AuthorizationFailure",
  "AuthorizationPermissionMismatch",
  "AuthorizationProtocolMismatch",
  "AuthorizationResourceTypeMismatch",
  "AuthorizationServiceMismatch",
  "AuthorizationSourceIPMismatch",
  "InsufficientAccountPermissions",
  "InvalidAuthenticationInfo",
  "AccountIsDisabled",
  "NoAuthenticationInformation",
]);

/** The service's error code of an `@azure/storage-blob` RestError (HEAD answers carry it in `details`). */
export function azureErrorCode(cause: unknown): string | undefined {
  const error = cause as { code?: unknown; details?: { errorCode?: unknown } } | undefined;
  const code = error?.details?.errorCode ?? error?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Maps an `@azure/storage-blob` or `@azure/identity` failure to a `StateStoreError`, as {@link s3Error}
 * does for S3: a missing container, an unreachable endpoint and any other service failure →
 * `BACKEND_UNAVAILABLE`; denied access or a bad key or SAS token → `FORBIDDEN`; no credentials found →
 * `CONFIG_ERROR`. The cause is kept; secrets are redacted from the message.
 *
 * @param cause - the SDK error.
 * @param context - what was done, where, and which secrets to hide.
 */
export function azureError(cause: unknown, context: AzureErrorContext): StateStoreError {
  const name = cause instanceof Error ? cause.name : "";
  const status = (cause as { statusCode?: unknown } | undefined)?.statusCode;
  const httpStatus = typeof status === "number" ? status : undefined;
  const code = azureErrorCode(cause);
  // The service's message repeats a request id and a time on further lines: the first line says it all.
  const reason = redact(describeCause(cause, context.secrets).split("\n")[0] ?? "", context.secrets);
  const where = context.endpoint === undefined ? "" : ` at ${context.endpoint}`;
  const details = {
    operation: context.operation,
    container: context.container,
    status: httpStatus ?? null,
    ...(code === undefined ? {} : { errorCode: code }),
  };
  const credentials =
    context.connectionVariable === undefined
      ? "the AZURE_STORAGE_* variables or the default Azure credential chain"
      : `the connection ${context.connectionVariable}`;
  if (code === "ContainerNotFound") {
    return new StateStoreError(
      "BACKEND_UNAVAILABLE",
      `object storage could not ${context.operation} ${context.target}: container ${JSON.stringify(context.container)} does not exist${where}; create it or fix ${PATH_OPTION}`,
      { cause, details },
    );
  }
  if ((code !== undefined && FORBIDDEN_AZURE_CODES.has(code)) || httpStatus === 403 || httpStatus === 401) {
    return new StateStoreError(
      "FORBIDDEN",
      `object storage denied access to ${context.target}${where} (${code ?? reason}); check the account key or SAS token of ${credentials} and the container's access policy`,
      { cause, details },
    );
  }
  if (name === "CredentialUnavailableError" || name === "AggregateAuthenticationError") {
    return new StateStoreError(
      "CONFIG_ERROR",
      `object storage found no Azure credentials for ${context.target} (${reason}); name a connection in ${PATH_OPTION} (az://conn_id@container/prefix/) and set TIDEMARK_CONN_<CONN_ID>, or configure the default Azure credential chain (environment, workload or managed identity, Azure CLI)`,
      { cause, details: { ...details, option: PATH_OPTION } },
    );
  }
  const network = networkCode(cause);
  if (network !== undefined) {
    return new StateStoreError(
      "BACKEND_UNAVAILABLE",
      `object storage${where} cannot be reached to ${context.operation} ${context.target} (${network}); check that the endpoint is up and the account URL in ${credentials}`,
      { cause, details: { ...details, network } },
    );
  }
  return new StateStoreError(
    "BACKEND_UNAVAILABLE",
    `object storage failed to ${context.operation} ${context.target}${where} (${reason}${httpStatus === undefined ? "" : `, HTTP ${httpStatus}`})`,
    { cause, details },
  );
}
