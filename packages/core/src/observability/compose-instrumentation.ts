import type { StateStoreInstrumentation } from "@tidemark/state";

/**
 * One instrumentation out of several (metrics, traces): each operation runs inside every wrapper, the
 * first outermost, and every `valueWritten` hook hears of each value.
 *
 * @param parts - the instrumentations; undefined entries (a switched-off part) are skipped.
 * @returns the composition, or undefined when no part is left, so an uninstrumented store stays plain.
 */
export function composeInstrumentation(
  ...parts: readonly (StateStoreInstrumentation | undefined)[]
): StateStoreInstrumentation | undefined {
  const present = parts.filter((p): p is StateStoreInstrumentation => p !== undefined);
  if (present.length <= 1) return present[0];
  return {
    operation(info, run) {
      const wrapped = present.reduceRight<() => Promise<unknown>>(
        (inner, part) => () => part.operation(info, inner),
        run,
      );
      return wrapped() as ReturnType<typeof run>;
    },
    valueWritten(value) {
      for (const part of present) part.valueWritten?.(value);
    },
  };
}
