import { useApi } from "../api/api-context";
import type { AssetSummary } from "../api/wire-types";
import { ConfirmDialog } from "../components/confirm-dialog";
import { countText } from "../format/count-text";

/** Props of {@link AssetClearDialog}. */
export interface AssetClearDialogProps {
  readonly asset: AssetSummary;
  /** Keys the asset holds now (the listing's total), or undefined when unknown. */
  readonly keyCount: number | undefined;
  /** Called after the clear, with a sentence saying what went. */
  readonly onCleared: (summary: string) => void;
  readonly onCancel: () => void;
}

/**
 * Confirms clearing all state of an asset, naming the asset (name and URI) and the number of keys.
 *
 * @param props - see {@link AssetClearDialogProps}.
 */
export function AssetClearDialog(props: AssetClearDialogProps) {
  const { client } = useApi();
  const { asset } = props;
  const keys = props.keyCount === undefined ? "every key" : countText(props.keyCount, "key");
  const summary = `${keys} of asset “${asset.name}” (${asset.uri})`;
  return (
    <ConfirmDialog
      title="Clear asset state?"
      confirmLabel={props.keyCount === undefined ? "Clear" : `Clear ${countText(props.keyCount, "key")}`}
      errorContext={{ scope: `asset “${asset.name}”` }}
      onCancel={props.onCancel}
      onConfirm={async () => {
        await client.clearAssetState(asset.id);
        props.onCleared(`Cleared ${summary}.`);
      }}
    >
      <p className="confirm-text" data-testid="clear-summary">
        This deletes {summary}. Tasks that read this state (a watermark, for example) start from their
        defaults afterwards. It cannot be undone.
      </p>
    </ConfirmDialog>
  );
}
