import { type FormEvent, useEffect, useId, useRef, useState } from "react";

/** Props of {@link TokenPrompt}. */
export interface TokenPromptProps {
  /** Called with the token typed (trimmed, never empty). */
  readonly onSubmit: (token: string) => void;
  /** True when a token was tried and the server answered 401. */
  readonly rejected: boolean;
  /**
   * `auth_tokens_configured` of `GET /api/v2/config/ui`: false when the server has no token it would
   * accept, so the page explains how to configure one instead of asking; undefined (older servers) asks.
   */
  readonly tokensConfigured?: boolean | undefined;
}

/**
 * Asks for the API bearer token when the server runs with `api.auth = "token"`. The token is kept in
 * this tab's session storage only, and asked for again when the server refuses it (401). When the server
 * says it has no token configured, no token could ever work: the page says so and how to configure one.
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

  if (props.tokensConfigured === false) {
    return (
      <main className="token-prompt">
        <section className="token-prompt-panel" aria-labelledby="token-title">
          <h1 id="token-title">This API server has no token configured</h1>
          <p>
            It requires a bearer token (<code>api.auth = "token"</code>) but <code>api.auth_tokens</code> is
            empty, so no token can sign in. Whoever runs the server can add one and restart it, either through
            the environment:
          </p>
          <pre className="command">
            <code>TIDEMARK__API__AUTH_TOKENS=&lt;secret&gt; tidemark api-server</code>
          </pre>
          <p>
            or in <code>tidemark.toml</code>:
          </p>
          <pre className="command">
            <code>{'[api]\nauth_tokens = ["<secret>"]'}</code>
          </pre>
          <p>
            Then reload this page and enter that token. On a server that only listens on loopback (127.0.0.1),{" "}
            <code>api.auth = "none"</code> turns sign-in off instead.
          </p>
        </section>
      </main>
    );
  }

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
