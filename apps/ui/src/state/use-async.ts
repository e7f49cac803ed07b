import { type DependencyList, useCallback, useEffect, useRef, useState } from "react";

/** The state of an asynchronous load. */
export type AsyncState<T> =
  | { readonly status: "loading"; readonly data?: T | undefined }
  | { readonly status: "ok"; readonly data: T }
  | { readonly status: "error"; readonly error: unknown; readonly data?: T | undefined };

/**
 * Runs `load` when a dependency changes (and on `reload()` or a new `refreshKey`) and ignores answers
 * that arrive after the dependencies changed again. On `reload()` or a new `refreshKey` the last result
 * stays visible while the new one loads; when a dependency changes it is dropped (it belonged to
 * something else).
 *
 * @param load - the asynchronous load.
 * @param deps - what the result depends on.
 * @param refreshKey - changing it loads again, keeping the last result meanwhile.
 * @returns `[state, reload]`.
 */
export function useAsync<T>(
  load: () => Promise<T>,
  deps: DependencyList,
  refreshKey?: unknown,
): [AsyncState<T>, () => void] {
  const [state, setState] = useState<AsyncState<T>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const lastDeps = useRef<DependencyList | undefined>(undefined);

  useEffect(() => {
    let current = true;
    const sameDeps =
      lastDeps.current !== undefined &&
      lastDeps.current.length === deps.length &&
      lastDeps.current.every((d, i) => Object.is(d, deps[i]));
    lastDeps.current = deps;
    setState((previous) => ({ status: "loading", data: sameDeps ? previous.data : undefined }));
    load().then(
      (data) => {
        if (current) setState({ status: "ok", data });
      },
      (error: unknown) => {
        if (current) setState({ status: "error", error });
      },
    );
    return () => {
      current = false;
    };
  }, [...deps, generation, refreshKey]);

  return [state, reload];
}
