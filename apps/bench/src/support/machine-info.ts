import os from "node:os";
import type { MachineInfo } from "../report/result-types.js";

/** A snapshot of `os.loadavg()`, rounded to two decimals. */
export function loadAverage(): number[] {
  return os.loadavg().map((n) => Math.round(n * 100) / 100);
}

/**
 * Describes the machine: CPU model, cores, memory, Node version, platform, the load average at the
 * start and at the end of the run, and the start date.
 *
 * @param start - when the run started and the load average then.
 * @returns the machine info.
 */
export function machineInfo(start: { date: Date; loadAverage: number[] }): MachineInfo {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    memoryBytes: os.totalmem(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: { start: start.loadAverage, end: loadAverage() },
    date: start.date.toISOString(),
  };
}
