/** Options of {@link createExecutionApiClient} and {@link createCoreRestApiClient}. */
export interface ApiClientOptions {
  /**
   * The api-server's origin, for example `http://127.0.0.1:8080`: the generated paths carry their
   * `/execution` or `/api/v2` prefix themselves.
   */
  readonly baseUrl: string;
  /** The fetch to use. Default: the global fetch. */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** Headers sent on every request, for example `{ authorization: "Bearer <token>" }`. */
  readonly headers?: Record<string, string>;
}
