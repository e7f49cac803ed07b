/**
 * What Tidemark's loggers never write (pino `redact` paths; the value becomes `[redacted]`): credentials
 * in request and response headers (`Authorization`, cookies, API keys) wherever a request or headers
 * object is logged, and the configuration's secrets (`api.secret_key`, `api.auth_tokens`,
 * `api.metrics_token`) and state values, should a line ever carry them.
 */
export const LOG_REDACT_PATHS: readonly string[] = Object.freeze([
  "req.headers.authorization",
  "req.headers.cookie",
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  "headers.authorization",
  "headers.cookie",
  'headers["proxy-authorization"]',
  "authorization",
  "cookie",
  "token",
  "password",
  "secret_key",
  "auth_tokens",
  "metrics_token",
  "api.secret_key",
  "api.auth_tokens",
  "api.metrics_token",
  "config.api.secret_key",
  "config.api.auth_tokens",
  "config.api.metrics_token",
  "value",
  "body.value",
  "req.body",
]);

/** What a redacted field is replaced with. */
export const LOG_REDACTED = "[redacted]";
