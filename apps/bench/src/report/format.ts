import type { Figure, Stat } from "./result-types.js";

/**
 * A number in its unit's usual precision: whole ops/s and rows/s with thousands separators, ms to three
 * decimals below 10, MB/s to one decimal, spans/op and ratios (×) to two.
 *
 * @param value - the number.
 * @param unit - its unit.
 * @returns the text, without the unit.
 */
export function formatNumber(value: number, unit: string): string {
  const whole = (n: number) => Math.round(n).toLocaleString("en-US");
  switch (unit) {
    case "ms":
      return value < 10 ? value.toFixed(3) : value < 100 ? value.toFixed(1) : whole(value);
    case "spans/op":
    case "×":
      return value.toFixed(2);
    case "MB/s":
    case "s":
      return value < 100 ? value.toFixed(2) : whole(value);
    default:
      return whole(value);
  }
}

/** `median (min–max)` of a stat. */
export function formatStat(stat: Stat): string {
  if (stat.samples.length === 1) return formatNumber(stat.median, stat.unit);
  return `${formatNumber(stat.median, stat.unit)} (${formatNumber(stat.min, stat.unit)}–${formatNumber(stat.max, stat.unit)})`;
}

/** A ratio as `0.81×`. */
export function formatRatio(ratio: number): string {
  return `${ratio.toFixed(2)}×`;
}

/** A stat of ratios as `0.93× (0.88–0.97)`. */
export function formatRatioStat(stat: Stat): string {
  return `${formatRatio(stat.median)} (${stat.min.toFixed(2)}–${stat.max.toFixed(2)})`;
}

/** A figure's target cell: `met (…)`, `missed: …` or empty. */
export function formatTarget(figure: Figure): string {
  const { target } = figure;
  if (target === null) return "";
  return target.status === "met" ? `met (${target.detail})` : `**missed**: ${target.detail}`;
}

/**
 * One console line per figure: the median with min and max, the ratios to ceiling and peer, the target.
 *
 * @param sectionId - the section.
 * @param figure - the figure.
 * @returns the line.
 */
export function figureLine(sectionId: string, figure: Figure): string {
  const parts: string[] = [];
  for (const [name, stat] of Object.entries(figure.metrics)) {
    const label = name === figure.primary ? "" : `${name} `;
    parts.push(
      `${label}${formatNumber(stat.median, stat.unit)} ${stat.unit} (min ${formatNumber(stat.min, stat.unit)}, max ${formatNumber(stat.max, stat.unit)})`,
    );
  }
  parts[0] = `[${sectionId}] ${figure.operation} · ${figure.subject}: ${parts[0] ?? ""}`;
  if (figure.ceiling?.paired !== undefined) {
    parts.push(
      `${formatRatioStat(figure.ceiling.paired)} ceiling paired by round, ${formatRatio(figure.ceiling.ratio)} of the medians`,
    );
  } else if (figure.ceiling !== null) parts.push(`${formatRatio(figure.ceiling.ratio)} ceiling`);
  if (figure.peer !== null) parts.push(`${formatRatio(figure.peer.ratio)} peer`);
  if (figure.target !== null) parts.push(`target ${figure.target.status}: ${figure.target.detail}`);
  return parts.join(" · ");
}
