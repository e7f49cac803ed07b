import { useEffect, useMemo, useRef, useState } from "react";
import { createApiClient } from "./api/api-client";
import { ApiProvider } from "./api/api-context";
import { readStoredToken, storeToken } from "./api/token-storage";
import type { UiConfig } from "./api/wire-types";
import { AppShell } from "./components/app-shell";
import { ErrorMessage } from "./components/error-message";
import { TokenPrompt } from "./components/token-prompt";
import { AssetStatePage } from "./pages/asset-state-page";
import { TaskInstancePage } from "./pages/task-instance-page";
import { TaskStatePage } from "./pages/task-state-page";
import { useRoute } from "./routing/use-route";
import { useAsync } from "./state/use-async";

const PAGE_TITLES = { tasks: "Task state", "task-instance": "Task instance", assets: "Asset state" } as const;

/** Props of {@link App}. */
export interface AppProps {
  /** The fetch the API client uses; the browser's by default (component tests inject fixtures). */
  readonly fetch?: typeof fetch;
}

/**
 * The whole UI. Reads `GET /api/v2/config/ui` first; when the server wants a token (`auth: "token"`)
 * and none is kept for this tab, or the server answers 401, asks for one (kept in sessionStorage).
 * Then shows the page the URL names: task state (`#/tasks?…`), one task instance
 * (`#/dags/…/runs/…/tasks/…/map-index/…`) or asset state (`#/assets?…`).
 *
 * @param props - see {@link AppProps}.
 */
export function App(props: AppProps) {
  const tokenRef = useRef<string | undefined>(readStoredToken());
  const [hasToken, setHasToken] = useState(tokenRef.current !== undefined);
  const [rejected, setRejected] = useState(false);
  const [epoch, setEpoch] = useState(0);
  const [route, navigate] = useRoute();

  const client = useMemo(
    () =>
      createApiClient({
        ...(props.fetch ? { fetch: props.fetch } : {}),
        getToken: () => tokenRef.current,
        onUnauthorized: () => {
          // Forget a refused token so that a reload asks again instead of retrying it.
          tokenRef.current = undefined;
          storeToken(undefined);
          setRejected(true);
        },
      }),
    [props.fetch],
  );
  const [config, reloadConfig] = useAsync(() => client.getUiConfig(), [client]);

  useEffect(() => {
    document.title = `${PAGE_TITLES[route.page]} · Tidemark`;
  }, [route.page]);

  if (config.status === "error") {
    return (
      <main className="startup">
        <h1>Tidemark</h1>
        <ErrorMessage error={config.error} onRetry={reloadConfig} />
      </main>
    );
  }
  if (!config.data) {
    return (
      <main className="startup">
        <p aria-live="polite">Connecting to the Tidemark API server…</p>
      </main>
    );
  }

  const uiConfig = config.data;
  if (rejected || (uiConfig.auth === "token" && !hasToken)) {
    return (
      <TokenPrompt
        rejected={rejected}
        // An older server leaves the field out (undefined): then the prompt asks as it always did.
        tokensConfigured={(uiConfig as Partial<UiConfig>).auth_tokens_configured}
        onSubmit={(token) => {
          tokenRef.current = token;
          storeToken(token);
          setHasToken(true);
          setRejected(false);
          setEpoch((n) => n + 1);
        }}
      />
    );
  }

  const signOut =
    uiConfig.auth === "token"
      ? () => {
          tokenRef.current = undefined;
          storeToken(undefined);
          setHasToken(false);
        }
      : undefined;

  return (
    <ApiProvider value={{ client, config: uiConfig }}>
      <AppShell page={route.page} onSignOut={signOut}>
        {route.page === "assets" ? (
          <AssetStatePage key={epoch} route={route} navigate={navigate} />
        ) : route.page === "task-instance" ? (
          <TaskInstancePage key={epoch} route={route} navigate={navigate} />
        ) : (
          <TaskStatePage key={epoch} route={route} navigate={navigate} />
        )}
      </AppShell>
    </ApiProvider>
  );
}
