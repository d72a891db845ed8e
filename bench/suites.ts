/**
 * benchmark.js suites over the benchmark's cases (src/bench/cases.ts): one suite per cipher suite,
 * mode and frame size, holding the baselines, our burst and single-frame paths per backend, and the
 * SecY's transmit and receive over them (validateBurst beside SecY.receiveBurst). Each
 * benchmark call processes a fixed number of frames, so frames/s = calls/s × frames per call.
 *
 * benchmark.js runs each benchmark to completion before the next: good for its statistics (sampling,
 * margin of error), blind to a machine whose speed drifts. The ratios to trust are the interleaved ones
 * of `runBench`; these are the cross-check.
 */
import Benchmark from 'benchmark';
import { backendNames, type BackendName } from '../src/crypto/backend.js';
import { BurstPool } from '../src/crypto/pool.js';
import type { CipherSuiteName } from '../src/crypto/suite.js';
import { averageFrameOctets, Fixture, makeCase, SECY_METHODS, poolMinFrames, threadedCallFrames, type BenchCase, type BenchMode, type BenchSize, type CaseSpec } from '../src/bench/cases.js';
import { frameGbps } from '../src/bench/line-rate.js';
import { seriesLabel } from '../src/bench/render.js';

export interface SuiteOptions {
  readonly suites: readonly CipherSuiteName[];
  readonly modes: readonly BenchMode[];
  readonly sizes: readonly BenchSize[];
  readonly backends: readonly BackendName[];
  /** Worker threads for the threaded burst (0: none). */
  readonly workers: number;
  /** benchmark.js maxTime per benchmark, in seconds. */
  readonly maxTime: number;
}

export interface SuiteLine {
  readonly suite: string;
  readonly label: string;
  readonly fps: number;
  /** benchmark.js's relative margin of error, in percent. */
  readonly rme: number;
  readonly gbps: number;
  /** Against createCipheriv per frame in the same suite. */
  readonly vsNodeGcm: number;
}

const BURST_FRAMES = 128;

/** Runs the suites, printing benchmark.js's line per benchmark; returns every figure. */
export async function runSuites(o: SuiteOptions, print: (line: string) => void): Promise<SuiteLine[]> {
  const pool = o.workers > 0 ? await BurstPool.create({ workers: o.workers, minFrames: poolMinFrames(o.sizes) }) : undefined;
  const lines: SuiteLine[] = [];
  try {
    for (const suite of o.suites) {
      for (const mode of o.modes) {
        for (const size of o.sizes) {
          const name = `${suite} ${mode} ${size === 'imix' ? 'IMIX' : `${size} octets`}`;
          const fixture = new Fixture(suite, mode, size, Math.max(BURST_FRAMES, pool ? threadedCallFrames(size) : 0));
          const specs: CaseSpec[] = [
            { suite, mode, size, method: 'node-gcm', threads: 1 },
            { suite, mode, size, method: 'noble-gcm', threads: 1 },
            { suite, mode, size, method: 'ceiling', threads: 1 },
          ];
          for (const backend of o.backends.filter((b) => backendNames().includes(b))) {
            specs.push({ suite, mode, size, method: 'burst', backend, threads: 1 });
            if (pool) specs.push({ suite, mode, size, method: 'burst', backend, threads: 1 + pool.workers });
            specs.push({ suite, mode, size, method: 'frame', backend, threads: 1 });
            specs.push({ suite, mode, size, method: 'validate-burst', backend, threads: 1 });
            for (const method of SECY_METHODS) specs.push({ suite, mode, size, method, backend, threads: 1 });
          }
          const cases: BenchCase[] = specs.map((spec) => makeCase(fixture, spec, spec.threads > 1 ? threadedCallFrames(size) : BURST_FRAMES, pool));
          try {
            print(`\n${name}`);
            const perCall = cases.map((c) => c.run());
            // One benchmark at a time, in the suite's order (a Benchmark.Suite does the same, untyped).
            const done = cases.map((c, i) => {
              const b = new Benchmark(seriesLabel(c.spec), () => c.run(), { maxTime: o.maxTime });
              b.run();
              print(`  ${String(b)}, ${perCall[i]} frames per call`);
              return b;
            });
            const hz = (i: number): number => done[i]!.hz * perCall[i]!;
            const base = hz(0);
            cases.forEach((c, i) => {
              const b = done[i]!;
              const fps = hz(i);
              lines.push({ suite: name, label: seriesLabel(c.spec), fps, rme: b.stats.rme, gbps: frameGbps(fps, averageFrameOctets(size)), vsNodeGcm: fps / base });
            });
          } finally {
            for (const c of cases) c.close();
          }
        }
      }
    }
  } finally {
    await pool?.close();
  }
  return lines;
}
