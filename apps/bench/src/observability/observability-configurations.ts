import type { Role } from "../report/result-types.js";
import { OBSERVABILITY_BOTH_ON } from "../report/targets.js";

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
}

/** The four configurations, in the order of the first round: both off, metrics, tracing, both on. */
export const OBSERVABILITY_CONFIGURATIONS: readonly ObservabilityConfiguration[] = Object.freeze([
  { subject: "metrics off, tracing off", role: "ceiling", metrics: false, tracing: false },
  { subject: "metrics on", role: "subject", metrics: true, tracing: false },
  { subject: "tracing on", role: "subject", metrics: false, tracing: true },
  { subject: OBSERVABILITY_BOTH_ON, role: "subject", metrics: true, tracing: true },
]);
