import { useMemo, useState } from "react";
import { useApi } from "../api/api-context";
import type { TaskInstanceRef } from "../api/task-instance-ref";
import { StateBrowser } from "../components/state-browser";
import { taskStateCollection } from "../state/state-collection";
import { TaskClearDialog } from "./task-clear-dialog";
import { TaskInstanceHeader } from "./task-instance-header";

/** Props of {@link TaskInstanceView}. */
export interface TaskInstanceViewProps {
  readonly ti: TaskInstanceRef;
  /** The key whose detail is open (from the URL). */
  readonly selectedKey: string | undefined;
  /** Opens (or with undefined closes) a key; `replace` replaces the history entry. */
  readonly onSelectKey: (key: string | undefined, options?: { replace?: boolean }) => void;
  /** Changing it reloads the keys (after the page's pickers changed counts). */
  readonly reloadSignal?: number;
  /** Called after a write, delete or clear, so the page can refresh its counts. */
  readonly onChanged?: () => void;
}

/**
 * One task instance: its sticky header (breadcrumb, run and task instance facts), then its keys with
 * detail, add, edit, delete and clear. Shared by the task instance page and the task state page.
 *
 * @param props - see {@link TaskInstanceViewProps}.
 */
export function TaskInstanceView(props: TaskInstanceViewProps) {
  const { client } = useApi();
  const { ti, selectedKey, onSelectKey, onChanged } = props;
  const [clearing, setClearing] = useState(false);
  const [localReload, setLocalReload] = useState(0);
  const [status, setStatus] = useState<string | undefined>(undefined);
  const reloadSignal = (props.reloadSignal ?? 0) + localReload;
  const tiKey = JSON.stringify(ti);
  const collection = useMemo(() => taskStateCollection(client, ti), [client, tiKey]);

  return (
    <>
      <TaskInstanceHeader ti={ti} reloadSignal={reloadSignal} />
      <StateBrowser
        collection={collection}
        selectedKey={selectedKey}
        onSelectKey={(key) => onSelectKey(key)}
        reloadSignal={reloadSignal}
        onChanged={onChanged}
        status={status}
        toolbar={
          <button type="button" className="danger" onClick={() => setClearing(true)}>
            Clear…
          </button>
        }
        emptyHint={
          <p>
            No task state for this task instance. Tasks write state with{" "}
            <code>ctx.taskStateStore.set(key, value)</code>; you can also add a key here with “Add key”.
          </p>
        }
      />
      {clearing ? (
        <TaskClearDialog
          ti={ti}
          onCancel={() => setClearing(false)}
          onCleared={(summary) => {
            setClearing(false);
            setStatus(summary);
            setLocalReload((n) => n + 1);
            onChanged?.();
            if (selectedKey !== undefined) onSelectKey(undefined, { replace: true });
          }}
        />
      ) : null}
    </>
  );
}
