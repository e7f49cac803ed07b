import type { Role } from "../report/result-types.js";
import { OBSERVABILITY_BOTH_ON, OBSERVABILITY_BOTH_ON_SAMPLED } from "../report/targets.js";

/** One configuration of the observability comparison. */
export interface ObservabilityConfiguration {
  /** The figure's subject. */
  readonly subject: string;
  /** Both off is the baseline (the ceiling the others are divided by). */
  readonly role: Role;
  /** `api.metrics`. */
  readonly metrics: boolean;
  /** Whether the OpenTelemetry SDK is registered. */
  readonly tracing: boolean;
  /**
   * With tracing, the fraction of traces sampled, in both processes: 1 is the SDK's default (all);
   * below 1, `ParentBasedSampler` over `TraceIdRatioBasedSampler`.
   */
  readonly sampleRatio: number;
}

/**
 * The five configurations, in the order of the first round: both off, metrics, tracing, both on, and both
 * on with 10% of traces sampled (an additional figure; the target is judged at full sampling).
 */
export const OBSERVABILITY_CONFIGURATIONS: readonly ObservabilityConfiguration[] = Object.freeze([
  { subject: "metrics off, tracing off", role: "ceiling", metrics: false, tracing: false, sampleRatio: 1 },
  { subject: "metrics on", role: "subject", metrics: true, tracing: false, sampleRatio: 1 },
  { subject: "tracing on", role: "subject", metrics: false, tracing: true, sampleRatio: 1 },
  { subject: OBSERVABILITY_BOTH_ON, role: "subject", metrics: true, tracing: true, sampleRatio: 1 },
  { subject: OBSERVABILITY_BOTH_ON_SAMPLED, role: "subject", metrics: true, tracing: true, sampleRatio: 0.1 },
]);
