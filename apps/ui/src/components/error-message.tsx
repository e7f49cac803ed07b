import { describeApiError, type ErrorContext } from "../api/describe-api-error";

/**
 * Shows a failed API call in words (never the raw response body), announced to screen readers.
 *
 * @param props - `error` (what was caught), `context` (key, scope, versions, sizes) and an optional
 *   `onRetry` that adds a "Try again" button.
 */
export function ErrorMessage(props: { error: unknown; context?: ErrorContext; onRetry?: () => void }) {
  return (
    <div className="message message-error" role="alert">
      <p>{describeApiError(props.error, props.context)}</p>
      {props.onRetry ? (
        <button type="button" onClick={props.onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}
