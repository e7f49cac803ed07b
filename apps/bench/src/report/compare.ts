import type { Figure, Role, Stat, TargetResult } from "./result-types.js";
import { toStat } from "./stat.js";

/** A figure before it is compared with its ceiling and peer. */
export interface FigureDraft {
  readonly operation: string;
  readonly subject: string;
  readonly role: Role;
  readonly metrics: Readonly<Record<string, Stat>>;
  /** The throughput metric (higher is better) the ratios are taken on. */
  readonly primary: string;
}

/** Decides a target for a subject figure, given its ratios; null when the figure has no target. */
export type TargetRule = (figure: Omit<Figure, "target">) => TargetResult | null;

function primaryStat(draft: FigureDraft): Stat {
  const stat = draft.metrics[draft.primary];
  if (stat === undefined) throw new Error(`figure ${draft.subject} has no metric ${draft.primary}`);
  return stat;
}

function primaryMedian(draft: FigureDraft): number {
  return primaryStat(draft).median;
}

/** Each round's ratio of a figure to its ceiling: the i-th sample of one over the i-th of the other. */
function pairedRatios(draft: FigureDraft, ceiling: FigureDraft): Stat {
  const own = primaryStat(draft).samples;
  const base = primaryStat(ceiling).samples;
  if (own.length !== base.length || own.length === 0) {
    throw new Error(
      `${draft.subject}: ${own.length} runs cannot be paired with the ceiling's ${base.length}`,
    );
  }
  return toStat(
    own.map((value, i) => value / (base[i] as number)),
    "×",
  );
}

/**
 * Compares the figures of one operation: every figure other than the ceiling gets its ratio to the
 * ceiling, and the subjects get their ratio to the peer (ratios of the primary metric's medians).
 *
 * @param drafts - the figures of one operation: at most one ceiling and one peer.
 * @param target - decides the target of each subject figure (optional).
 * @param options - `pairedByRound`: the i-th run of every figure ran in the same round as the i-th run of
 *   the ceiling, so each figure also gets the ratio of each round (`ceiling.paired`).
 * @returns the figures, in the order given.
 */
export function compareFigures(
  drafts: readonly FigureDraft[],
  target?: TargetRule,
  options: { readonly pairedByRound?: boolean } = {},
): Figure[] {
  const ceiling = drafts.find((d) => d.role === "ceiling");
  const peer = drafts.find((d) => d.role === "peer");
  return drafts.map((draft) => {
    const value = primaryMedian(draft);
    const figure: Omit<Figure, "target"> = {
      ...draft,
      ceiling:
        ceiling === undefined || draft === ceiling
          ? null
          : {
              subject: ceiling.subject,
              ratio: value / primaryMedian(ceiling),
              ...(options.pairedByRound === true ? { paired: pairedRatios(draft, ceiling) } : {}),
            },
      peer:
        peer === undefined || draft.role !== "subject"
          ? null
          : { subject: peer.subject, ratio: value / primaryMedian(peer) },
    };
    return { ...figure, target: draft.role === "subject" && target !== undefined ? target(figure) : null };
  });
}
