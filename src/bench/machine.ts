/** What a benchmark ran on: the figures mean little without it. */
import { availableParallelism, cpus, loadavg, platform, arch, release, totalmem } from 'node:os';
import { availableBackends, type BackendAvailability } from '../crypto/backend.js';
import { nativeEngine } from '../crypto/native.js';

export interface MachineInfo {
  readonly cpuModel: string;
  /** Logical CPUs the OS reports, and what Node considers usable (cgroup limits included). */
  readonly cpus: number;
  readonly availableParallelism: number;
  readonly platform: string;
  readonly arch: string;
  readonly osRelease: string;
  readonly totalMemoryMiB: number;
  /** 1-minute load average when the run started: a busy machine skews absolute figures (ratios less). */
  readonly loadAverage1m: number;
  readonly node: string;
  readonly v8: string;
  readonly openssl: string;
  readonly backends: readonly BackendAvailability[];
  /** The native backend's GCM engine ("ipsec-mb avx512", "evp"); undefined without the addon. */
  readonly nativeEngine: string | undefined;
}

export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    availableParallelism: availableParallelism(),
    platform: platform(),
    arch: arch(),
    osRelease: release(),
    totalMemoryMiB: Math.round(totalmem() / 2 ** 20),
    loadAverage1m: loadavg()[0] ?? 0,
    node: process.versions.node,
    v8: process.versions.v8,
    openssl: process.versions.openssl,
    backends: availableBackends(),
    nativeEngine: nativeEngine(),
  };
}
