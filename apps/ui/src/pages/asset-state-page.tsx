import { useMemo, useState } from "react";
import { useApi } from "../api/api-context";
import { EmptyState } from "../components/empty-state";
import { ErrorMessage } from "../components/error-message";
import { StateBrowser } from "../components/state-browser";
import type { AssetStateRoute } from "../routing/route";
import { assetStateCollection } from "../state/state-collection";
import { useAsync } from "../state/use-async";
import { AssetClearDialog } from "./asset-clear-dialog";
import { AssetList } from "./asset-list";

/** Props of {@link AssetStatePage}. */
export interface AssetStatePageProps {
  readonly route: AssetStateRoute;
  readonly navigate: (route: AssetStateRoute, options?: { replace?: boolean }) => void;
}

/**
 * The asset state page: the list of assets, then the chosen asset's keys with who last wrote each, and
 * the same detail, add, edit, delete and clear as task state. The asset (by name) and key live in the URL.
 *
 * @param props - the route and how to change it.
 */
export function AssetStatePage(props: AssetStatePageProps) {
  const { client } = useApi();
  const { route, navigate } = props;
  const [clearing, setClearing] = useState(false);
  const [reloadSignal, setReloadSignal] = useState(0);
  const [status, setStatus] = useState<string | undefined>(undefined);

  const [asset, reloadAsset] = useAsync(
    () => (route.asset === undefined ? Promise.resolve(undefined) : client.getAssetByName(route.asset)),
    [route.asset],
    reloadSignal,
  );
  const current = asset.data;
  const collection = useMemo(
    () => (current ? assetStateCollection(client, current) : undefined),
    [client, current?.id, current?.active, current?.name],
  );

  return (
    <>
      <h1>Asset state</h1>
      <div className="asset-layout">
        <AssetList
          selectedName={route.asset}
          onSelect={(a) => navigate({ page: "assets", asset: a.name })}
          reloadSignal={reloadSignal}
        />
        <div className="asset-state">
          {route.asset === undefined ? (
            <EmptyState title="Pick an asset to see its state.">
              <p>Choose an asset in the list. Assets keep state such as watermarks across dag runs.</p>
            </EmptyState>
          ) : asset.status === "error" ? (
            <ErrorMessage error={asset.error} onRetry={reloadAsset} />
          ) : current && collection ? (
            <>
              <h2 className="scope-title">
                {current.name} <code className="muted">{current.uri}</code>{" "}
                {current.active ? null : <span className="badge badge-inactive">inactive</span>}
              </h2>
              <StateBrowser
                collection={collection}
                selectedKey={route.key}
                onSelectKey={(key) => navigate({ ...route, key })}
                reloadSignal={reloadSignal}
                onChanged={() => setReloadSignal((n) => n + 1)}
                status={status}
                toolbar={
                  current.active ? (
                    <button type="button" className="danger" onClick={() => setClearing(true)}>
                      Clear…
                    </button>
                  ) : null
                }
                emptyHint={
                  <p>
                    No state for this asset. Tasks that declare it write state with{" "}
                    <code>ctx.assetStateStore.set(key, value)</code> (or{" "}
                    <code>ctx.assetStateStore.for(asset).set(…)</code>); you can also add a key here.
                  </p>
                }
              />
            </>
          ) : (
            <p className="muted">Loading asset…</p>
          )}
        </div>
      </div>
      {clearing && current ? (
        <AssetClearDialog
          asset={current}
          keyCount={current.state_key_count}
          onCancel={() => setClearing(false)}
          onCleared={(summary) => {
            setClearing(false);
            setStatus(summary);
            setReloadSignal((n) => n + 1);
            if (route.key !== undefined) navigate({ ...route, key: undefined }, { replace: true });
          }}
        />
      ) : null}
    </>
  );
}
