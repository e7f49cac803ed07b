import { type FormEvent, useEffect, useId, useRef, useState } from "react";

/** Props of {@link TokenPrompt}. */
export interface TokenPromptProps {
  /** Called with the token typed (trimmed, never empty). */
  readonly onSubmit: (token: string) => void;
  /** True when a token was tried and the server answered 401. */
  readonly rejected: boolean;
}

/**
 * Asks for the API bearer token when the server runs with `api.auth = "token"`. The token is kept in
 * this tab's session storage only, and asked for again when the server refuses it (401).
 *
 * @param props - see {@link TokenPromptProps}.
 */
export function TokenPrompt(props: TokenPromptProps) {
  const inputId = useId();
  const hintId = useId();
  const [token, setToken] = useState("");
  const [empty, setEmpty] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  useEffect(() => inputRef.current?.focus(), []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const value = token.trim();
    if (value === "") {
      setEmpty(true);
      return;
    }
    props.onSubmit(value);
  };

  return (
    <main className="token-prompt">
      <form onSubmit={submit} aria-labelledby="token-title" noValidate>
        <h1 id="token-title">Sign in to Tidemark</h1>
        <p id={hintId}>
          This API server requires a bearer token (<code>api.auth = "token"</code>). Enter one of the tokens
          from <code>api.auth_tokens</code>. It is kept in this browser tab only (session storage) and sent as{" "}
          <code>Authorization: Bearer …</code>.
        </p>
        {props.rejected ? (
          <div className="message message-error" role="alert">
            <p>The API server did not accept the token (401). Check it and enter it again.</p>
          </div>
        ) : null}
        {empty ? (
          <div className="message message-error" role="alert">
            <p>Enter a token.</p>
          </div>
        ) : null}
        <div className="field">
          <label htmlFor={inputId}>API token</label>
          <input
            id={inputId}
            ref={inputRef}
            type="password"
            autoComplete="off"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            aria-describedby={hintId}
          />
        </div>
        <div className="actions">
          <button type="submit" className="primary">
            Continue
          </button>
        </div>
      </form>
    </main>
  );
}
