import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { ObjectHead, ObjectStore, PutObject, StoredObject } from "./object-store.js";

/** What the spans of a store say about where it is. */
export interface ObjectStoreTarget {
  /** `s3`, `azure_blob`, `file`, or the URL scheme of a custom store. */
  readonly system: string;
  /** S3: the bucket. */
  readonly bucket?: string | undefined;
  /** S3: the key prefix of the store's base ("" or ending in "/"), so `aws.s3.key` is the bucket's key. */
  readonly keyPrefix?: string | undefined;
  /** Azure: the container. */
  readonly container?: string | undefined;
  /** S3: the endpoint URL (an S3-compatible store) or undefined for AWS; Azure: the blob service URL. */
  readonly endpointUrl?: string | undefined;
  /** S3: the region, naming the AWS endpoint when there is no endpoint URL. */
  readonly region?: string | undefined;
}

/** The instrumentation scope of the object store spans. */
const TRACER_NAME = "@tidemark/provider-common-io";

/** `server.address` and `server.port` of an endpoint URL. */
function serverOf(endpointUrl: string | undefined): Attributes {
  if (endpointUrl === undefined) return {};
  try {
    const url = new URL(endpointUrl);
    return {
      "server.address": url.hostname.replace(/^\[(.*)\]$/, "$1"),
      "server.port": url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port),
    };
  } catch {
    return {}; // A malformed endpoint was refused when the connection was resolved.
  }
}

function sharedAttributes(target: ObjectStoreTarget): Attributes {
  const attributes: Attributes = { "tidemark.object_store.system": target.system };
  if (target.system === "azure_blob") {
    if (target.container !== undefined) attributes["tidemark.object_store.container"] = target.container;
    Object.assign(attributes, serverOf(target.endpointUrl));
    return attributes;
  }
  if (target.system !== "s3") return attributes;
  if (target.bucket !== undefined) attributes["aws.s3.bucket"] = target.bucket;
  attributes["rpc.system"] = "aws-api";
  attributes["rpc.service"] = "S3";
  if (target.region !== undefined) attributes["cloud.region"] = target.region;
  if (target.endpointUrl !== undefined) {
    Object.assign(attributes, serverOf(target.endpointUrl));
  } else if (target.region !== undefined) {
    attributes["server.address"] = `s3.${target.region}.amazonaws.com`;
    attributes["server.port"] = 443;
  }
  return attributes;
}

function fail(span: Span, error: unknown): void {
  const code = (error as { code?: unknown } | null)?.code;
  span.setAttribute(
    "error.type",
    typeof code === "string" ? code : error instanceof Error ? error.name : "_OTHER",
  );
  if (error instanceof Error) span.recordException(error);
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Internal: an {@link ObjectStore} that makes a span `object_store.<operation>` around every call of
 * another (INTERNAL for files, CLIENT for every other store), a child of the active span, with
 * `tidemark.object_store.operation`, `tidemark.object_store.system`, `tidemark.object_store.key` and on
 * S3 `aws.s3.bucket`, `aws.s3.key`, `server.address` and `server.port` (on Azure
 * `tidemark.object_store.container`, `server.address` and `server.port`). Object contents are never
 * recorded. A failed call sets `error.type` (the `StateStoreError` code) and records the exception.
 * Without an OpenTelemetry SDK every call goes straight to the store.
 */
export class TracedObjectStore implements ObjectStore {
  readonly description: string;
  readonly #store: ObjectStore;
  readonly #tracer: Tracer;
  readonly #kind: SpanKind;
  readonly #s3: boolean;
  readonly #keyPrefix: string;
  readonly #shared: Attributes;

  /**
   * @param store - the store to trace.
   * @param target - its system, bucket and endpoint, for span attributes.
   */
  constructor(store: ObjectStore, target: ObjectStoreTarget) {
    this.description = store.description;
    this.#store = store;
    this.#tracer = trace.getTracer(TRACER_NAME);
    this.#s3 = target.system === "s3";
    this.#keyPrefix = target.keyPrefix ?? "";
    this.#kind = target.system === "file" ? SpanKind.INTERNAL : SpanKind.CLIENT;
    this.#shared = sharedAttributes(target);
  }

  /** A span for `operation`, or undefined when nothing records. */
  #start(operation: string, objectKey: string | undefined): Span | undefined {
    const span = this.#tracer.startSpan(`object_store.${operation}`, { kind: this.#kind });
    if (!span.isRecording()) return undefined;
    span.setAttributes(this.#shared);
    span.setAttribute("tidemark.object_store.operation", operation);
    if (objectKey !== undefined) {
      span.setAttribute("tidemark.object_store.key", objectKey);
      if (this.#s3) span.setAttribute("aws.s3.key", `${this.#keyPrefix}${objectKey}`);
    }
    return span;
  }

  #traced<T>(
    operation: string,
    objectKey: string | undefined,
    run: () => Promise<T>,
    objectCount?: number,
  ): Promise<T> {
    const span = this.#start(operation, objectKey);
    if (span === undefined) return run();
    if (objectCount !== undefined) span.setAttribute("tidemark.object_store.object_count", objectCount);
    return context.with(trace.setSpan(context.active(), span), run).then(
      (result) => {
        span.end();
        return result;
      },
      (error: unknown) => {
        fail(span, error);
        span.end();
        throw error;
      },
    );
  }

  refOf(objectKey: string): string {
    return this.#store.refOf(objectKey);
  }

  objectKeyOfRef(ref: string): string | undefined {
    return this.#store.objectKeyOfRef(ref);
  }

  put(objectKey: string, object: PutObject): Promise<void> {
    return this.#traced("put", objectKey, () => this.#store.put(objectKey, object));
  }

  get(objectKey: string): Promise<StoredObject | null> {
    return this.#traced("get", objectKey, () => this.#store.get(objectKey));
  }

  head(objectKey: string): Promise<ObjectHead | null> {
    return this.#traced("head", objectKey, () => this.#store.head(objectKey));
  }

  deleteMany(objectKeys: readonly string[], onlyIf?: (head: ObjectHead) => boolean): Promise<number> {
    return this.#traced(
      "delete",
      objectKeys.length === 1 ? objectKeys[0] : undefined,
      () => this.#store.deleteMany(objectKeys, onlyIf),
      objectKeys.length,
    );
  }

  async *list(prefix: string): AsyncIterable<string[]> {
    const span = this.#start("list", undefined);
    if (span === undefined) {
      yield* this.#store.list(prefix);
      return;
    }
    span.setAttribute("tidemark.object_store.prefix", prefix);
    let count = 0;
    try {
      for await (const page of this.#store.list(prefix)) {
        count += page.length;
        yield page;
      }
    } catch (error) {
      fail(span, error);
      throw error;
    } finally {
      span.setAttribute("tidemark.object_store.object_count", count);
      span.end();
    }
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
