import { formatNumber, formatRatio, formatRatioStat, formatStat, formatTarget } from "./format.js";
import type { BenchResults, Figure, MeasuredSection, SectionResult } from "./result-types.js";

const GiB = 1024 ** 3;

function escapeCell(text: string): string {
  return text.replaceAll("|", "\\|");
}

function row(cells: readonly string[]): string {
  return `| ${cells.map(escapeCell).join(" | ")} |`;
}

function sectionTable(section: MeasuredSection): string[] {
  const hasPeer = section.figures.some((f) => f.peer !== null);
  const hasCeiling = section.figures.some((f) => f.ceiling !== null);
  const hasPaired = section.figures.some((f) => f.ceiling?.paired !== undefined);
  const hasTarget = section.figures.some((f) => f.target !== null);
  const headings = [
    "Operation",
    "Subject",
    ...section.columns.map((c) => `${c.heading} median (min–max)`),
    ...(hasPaired ? ["× ceiling paired by round median (min–max)"] : []),
    ...(hasCeiling ? [hasPaired ? "× ceiling of the medians" : "× ceiling"] : []),
    ...(hasPeer ? ["× peer"] : []),
    ...(hasTarget ? ["Target"] : []),
  ];
  const lines = [row(headings), row(headings.map(() => "---"))];
  for (const figure of section.figures) {
    const role = figure.role === "subject" ? "" : ` (${figure.role})`;
    lines.push(
      row([
        figure.operation,
        `${figure.subject}${role}`,
        ...section.columns.map((c) => {
          const stat = figure.metrics[c.metric];
          return stat === undefined ? "" : formatStat(stat);
        }),
        ...(hasPaired
          ? [figure.ceiling?.paired === undefined ? "" : formatRatioStat(figure.ceiling.paired)]
          : []),
        ...(hasCeiling ? [figure.ceiling === null ? "" : formatRatio(figure.ceiling.ratio)] : []),
        ...(hasPeer ? [figure.peer === null ? "" : formatRatio(figure.peer.ratio)] : []),
        ...(hasTarget ? [formatTarget(figure)] : []),
      ]),
    );
  }
  return lines;
}

function renderSection(section: SectionResult): string[] {
  const lines = [`## ${section.title}`, ""];
  if (section.status === "skipped") {
    lines.push(`skipped: ${section.reason}`, "");
    return lines;
  }
  for (const note of section.notes) lines.push(`- ${note}`);
  if (section.loadAverageAfter !== undefined) {
    lines.push(
      `- Took ${formatNumber(section.durationMs / 1000, "s")} s; load average (1, 5, 15 min) when it ended: ${section.loadAverageAfter.map((n) => n.toFixed(2)).join(", ")}.`,
    );
  }
  lines.push("", ...sectionTable(section), "");
  return lines;
}

function targetSummary(sections: readonly SectionResult[]): string[] {
  const targeted: { section: MeasuredSection; figure: Figure }[] = [];
  for (const section of sections) {
    if (section.status !== "ok") continue;
    for (const figure of section.figures) if (figure.target !== null) targeted.push({ section, figure });
  }
  if (targeted.length === 0) return [];
  const lines = ["## Targets", "", row(["Where", "Target", "Result"]), row(["---", "---", "---"])];
  for (const { section, figure } of targeted) {
    const target = figure.target!;
    lines.push(
      row([
        `${section.title}: ${figure.operation}, ${figure.subject}`,
        target.goal,
        target.status === "met" ? `met (${target.detail})` : `**missed**: ${target.detail}`,
      ]),
    );
  }
  const skipped = sections.filter((s) => s.status === "skipped");
  if (skipped.length > 0)
    lines.push("", `Not measured (skipped): ${skipped.map((s) => s.title).join("; ")}.`);
  lines.push("");
  return lines;
}

/**
 * The results as a markdown document: the machine and its load, a summary of the targets, then one table
 * per section (each figure as median with min–max, its ratios to ceiling and peer, its target).
 *
 * @param results - the results.
 * @returns markdown text.
 */
export function renderMarkdown(results: BenchResults): string {
  const { machine } = results;
  const load = (l: readonly number[]) => l.map((n) => n.toFixed(2)).join(", ");
  const lines = [
    `# Tidemark benchmark results (${results.mode} run)`,
    "",
    `- Date: ${machine.date}; took ${formatNumber(results.durationMs / 1000, "s")} s`,
    `- Machine: ${machine.cpuModel}, ${machine.cores} cores, ${(machine.memoryBytes / GiB).toFixed(1)} GiB memory, ${machine.platform}; Node ${machine.node}`,
    `- Load average (1, 5, 15 min): ${load(machine.loadAverage.start)} at the start, ${load(machine.loadAverage.end)} at the end (above ${machine.cores}, other work competed for the ${machine.cores} cores and the figures are noisy)`,
    "- Each figure is the median of several runs with the smallest and largest run in parentheses; × ceiling and × peer divide the throughput medians (below 1 = slower); where a section runs its figures in rounds, × ceiling paired by round is the median (min–max) of each round's ratio.",
    "",
    ...targetSummary(results.sections),
  ];
  for (const section of results.sections) lines.push(...renderSection(section));
  return `${lines.join("\n").trimEnd()}\n`;
}
