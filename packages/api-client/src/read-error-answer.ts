import { isStateStoreErrorCode, type StateStoreErrorCode } from "@tidemark/state";
import { ERROR_CODE_HEADER } from "./error-code-header.js";
import { versionOfEtag } from "./version-of-etag.js";

/** What an error answer of either server (or of Airflow's) said, read by {@link readErrorAnswer}. */
export interface ErrorAnswer {
  /** The HTTP status. */
  readonly status: number;
  /**
   * The error code the answer named: the `Tidemark-Error-Code` header, else the body's `detail.code`,
   * else (a 404 with Airflow's `detail.reason` "not_found") the code its message implies; undefined when
   * the answer named none (then only the status speaks).
   */
  readonly code: StateStoreErrorCode | undefined;
  /** The server's own sentence (`detail`, `detail.message` or a 422 list's messages), if any. */
  readonly message: string | undefined;
  /** The wire `detail.reason` of an Execution API error body, if any. */
  readonly reason: string | undefined;
  /** The body as text (for a message when the server gave none); "" when there was none. */
  readonly text: string;
  /** On a 412, the live version the `ETag` carries (undefined when the key has none). */
  readonly currentVersion: number | undefined;
}

interface Detail {
  readonly message?: string;
  readonly reason?: unknown;
  readonly code?: unknown;
}

/** `{"detail": [{"loc": ["body", "value"], "msg": "Field required"}]}` → "body.value: Field required". */
function validationMessages(items: readonly unknown[]): string | undefined {
  const parts = items.flatMap((item) => {
    if (typeof item !== "object" || item === null) return [];
    const { loc, msg } = item as { loc?: unknown; msg?: unknown };
    if (typeof msg !== "string") return [];
    return [Array.isArray(loc) && loc.length > 0 ? `${loc.join(".")}: ${msg}` : msg];
  });
  return parts.length === 0 ? undefined : parts.join("; ");
}

function detailOf(parsed: unknown): Detail | undefined {
  if (typeof parsed !== "object" || parsed === null) return undefined;
  const { detail, message } = parsed as { detail?: unknown; message?: unknown };
  if (typeof detail === "string") return { message: detail };
  if (Array.isArray(detail)) {
    const text = validationMessages(detail);
    return text === undefined ? {} : { message: text };
  }
  if (typeof detail === "object" && detail !== null) {
    const d = detail as { message?: unknown; reason?: unknown; code?: unknown };
    return {
      ...(typeof d.message === "string" ? { message: d.message } : {}),
      reason: d.reason,
      code: d.code,
    };
  }
  if (typeof message === "string") return { message };
  return undefined;
}

/** The code of an Airflow-shaped 404 (`{"detail": {"reason": "not_found", "message"}}`), from its message. */
function airflowNotFoundCode(message: string | undefined): StateStoreErrorCode {
  const text = message ?? "";
  if (text.startsWith("Task instance ")) return "TASK_INSTANCE_NOT_FOUND";
  if (text.startsWith("Asset with ")) return "ASSET_NOT_FOUND";
  if (text.startsWith("DagRun with ")) return "DAG_RUN_NOT_FOUND";
  return "NOT_FOUND";
}

/**
 * Reads an error answer of the Execution API, the Core REST API or Airflow's APIs: the code from the
 * `Tidemark-Error-Code` header first, then the body — `{"detail": "<message>"}` (Core REST API),
 * `{"detail": {"reason", "message", "code"}}` (Execution API), FastAPI's 422 list
 * `{"detail": [{"loc", "msg"}]}` or `{"message"}`. A body that is not JSON or not in these shapes only
 * contributes its text. Never throws and never reads the response's body itself.
 *
 * @param response - the answer (its status and headers are read).
 * @param body - the body already read: parsed JSON, or its text (parsed here when it is JSON); undefined
 *   for none.
 * @returns what the answer said.
 */
export function readErrorAnswer(response: Pick<Response, "status" | "headers">, body?: unknown): ErrorAnswer {
  let parsed = body;
  let text = "";
  if (typeof body === "string") {
    text = body;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
  } else if (body !== undefined && body !== null) {
    text = JSON.stringify(body);
  }
  const detail = detailOf(parsed);
  const header = response.headers.get(ERROR_CODE_HEADER);
  const message = detail?.message !== undefined && detail.message.trim() !== "" ? detail.message : undefined;
  const code = isStateStoreErrorCode(header)
    ? header
    : isStateStoreErrorCode(detail?.code)
      ? detail.code
      : response.status === 404 && detail?.reason === "not_found"
        ? airflowNotFoundCode(message)
        : undefined;
  return {
    status: response.status,
    code,
    message,
    reason: typeof detail?.reason === "string" ? detail.reason : undefined,
    text,
    currentVersion: response.status === 412 ? versionOfEtag(response.headers.get("etag")) : undefined,
  };
}
