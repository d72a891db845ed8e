/**
 * The throughput benchmark: every case of a (suite, mode, size) group is run side by side in
 * interleaved rounds (each round runs each case once, the order rotating), and a case's figure is the
 * median over rounds. A ratio between two cases is the median of their per-round ratios, so a shared,
 * noisy machine slows both sides of a ratio alike.
 */
import { loadavg } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { backendNames, type BackendName } from '../crypto/backend.js';
import { BurstPool } from '../crypto/pool.js';
import { CIPHER_SUITE_NAMES, type CipherSuiteName } from '../crypto/suite.js';
import { ConfigError, describe } from '../util/errors.js';
import {
  averageFrameOctets,
  THREADED_BURST_FRAMES,
  THREADED_BURST_OCTETS,
  threadedCallFrames,
  poolMinFrames,
  BARE_BURST_OF,
  Fixture,
  isSecYMethod,
  makeCase,
  SECTAG_OCTETS,
  SECY_BURST_OF,
  SECY_METHODS,
  type BenchCase,
  type BenchMethod,
  type BenchMode,
  type BenchSize,
  type CaseSpec,
} from './cases.js';
import { frameGbps, LINK_RATES_GBPS, lineRateFractions, type LinkRate } from './line-rate.js';
import { machineInfo, type MachineInfo } from './machine.js';

export const DEFAULT_SIZES: readonly BenchSize[] = [64, 128, 256, 512, 1024, 1518, 'imix'];
export const BENCH_MODES: readonly BenchMode[] = ['integrity', 'confidentiality'];

export interface BenchOptions {
  /** Default: all four; quick: GCM-AES-128. */
  readonly suites?: readonly CipherSuiteName[];
  /** Default: both; quick: confidentiality. */
  readonly modes?: readonly BenchMode[];
  /** Frame sizes in octets (DA to FCS, 64-1518) or 'imix'. Default: 64 ... 1518 and IMIX; quick: 64, 512, 1518. */
  readonly sizes?: readonly BenchSize[];
  /** Our backends to measure. Default: every available one. */
  readonly backends?: readonly BackendName[];
  /** Worker threads for the threaded burst rows (threads = 1 + workers); 0 for none. Default 1. */
  readonly workers?: number;
  /** Measuring time per case, all rounds together, in seconds. Default 0.5; quick 0.1. */
  readonly seconds?: number;
  /** Interleaved rounds per group. Default 5; quick 3. */
  readonly rounds?: number;
  /** Measure the single-frame path too. Default true. */
  readonly singleFrame?: boolean;
  /**
   * Measure the SecY too: SecY.transmitBurst and receiveBurst beside the bare protectBurst and validateBurst,
   * and (with singleFrame) SecY.transmit and receive per frame. Default true.
   */
  readonly secy?: boolean;
  /** Frames per burst on one thread (default 128) and when threaded (default 4096, fewer past threadedBurstOctets). */
  readonly burstFrames?: number;
  readonly threadedBurstFrames?: number;
  /** A threaded call's frames, in octets, at most (default 1.5 MiB: fewer frames at large sizes; see threadedCallFrames). */
  readonly threadedBurstOctets?: number;
  /** Presets for a run within 30 s; explicit options still win. */
  readonly quick?: boolean;
  /** Called with a line of progress per group. */
  readonly onProgress?: (line: string) => void;
}

export interface BenchResult extends CaseSpec {
  /** Mean frame octets, DA to FCS (the size, or IMIX's mean). */
  readonly frameOctets: number;
  /** Frames per second: median over rounds, and every round's figure. */
  readonly fps: number;
  readonly fpsRounds: readonly number[];
  /** Frame octets × fps × 8, in Gbit/s. */
  readonly gbps: number;
  /** fps as a fraction of each link's line rate (protected frame + 20 octets of preamble, SFD and IFG). */
  readonly lineRate: Readonly<Record<`${LinkRate}`, number>>;
  /** Medians of per-round ratios to the baselines measured beside it: (a) noble gcm(), (b) createCipheriv. */
  readonly vsNobleGcm: number | undefined;
  readonly vsNodeGcm: number | undefined;
  /** Threaded rows (bursts, packed SecY): median per-round ratio to the same method's one-thread row, same backend. */
  readonly vsOneThread: number | undefined;
  /**
   * SecY rows: what the SecY's bookkeeping costs over the bare burst cipher of its direction (protectBurst
   * for transmit, validateBurst for receive; same backend, frames and burst size), as the median of the
   * per-round ratios bare fps / SecY fps, less 1: 0.1 is 10 % more time per frame.
   */
  readonly overBareBurst: number | undefined;
  /** Median per-round ratio to row (d), the native engine's bare call per frame over the same frames (one thread). */
  readonly vsBareSeal: number | undefined;
  /** Packed SecY rows: median per-round ratio to the same backend's SecY.transmitBurst/receiveBurst row. */
  readonly vsSecYBurst: number | undefined;
}

export interface TargetCheck {
  readonly target: string;
  readonly value: number | undefined;
  readonly goal: number;
  /** Whether the value is to reach the goal (at least) or stay within it (at most, for costs). */
  readonly comparison: 'at least' | 'at most';
  /** undefined when the run did not measure what the target needs. */
  readonly met: boolean | undefined;
}

export interface BenchReport {
  readonly version: 1;
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly machine: MachineInfo;
  readonly options: {
    readonly suites: readonly CipherSuiteName[];
    readonly modes: readonly BenchMode[];
    readonly sizes: readonly BenchSize[];
    readonly backends: readonly BackendName[];
    readonly workers: number;
    readonly seconds: number;
    readonly rounds: number;
    readonly singleFrame: boolean;
    readonly secy: boolean;
    readonly burstFrames: number;
    readonly threadedBurstFrames: number;
    readonly threadedBurstOctets: number;
  };
  /** Whether every measurement started from a clean heap (a full garbage collection before it). */
  readonly cleanHeaps: boolean;
  readonly linkRatesGbps: readonly number[];
  /** SecTAG octets assumed in the line-rate figures (with SCI). */
  readonly secTagOctets: number;
  readonly results: readonly BenchResult[];
  readonly targets: readonly TargetCheck[];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function resolveOptions(o: BenchOptions): BenchReport['options'] {
  const quick = o.quick ?? false;
  const suites = o.suites ?? (quick ? ['GCM-AES-128'] : CIPHER_SUITE_NAMES);
  for (const s of suites) if (!CIPHER_SUITE_NAMES.includes(s)) throw new ConfigError('suites', CIPHER_SUITE_NAMES.join(', '), describe(s));
  const modes = o.modes ?? (quick ? ['confidentiality'] : BENCH_MODES);
  for (const m of modes) if (!BENCH_MODES.includes(m)) throw new ConfigError('modes', BENCH_MODES.join(', '), describe(m));
  const sizes = o.sizes ?? (quick ? [64, 512, 1518] : DEFAULT_SIZES);
  for (const s of sizes) {
    if (s !== 'imix' && !(Number.isInteger(s) && s >= 64 && s <= 1518)) throw new ConfigError('sizes', "64-1518 octets or 'imix'", describe(s));
  }
  const backends = o.backends ?? backendNames();
  for (const b of backends) if (!backendNames().includes(b)) throw new ConfigError('backends', `one of ${backendNames().join(', ')}`, describe(b));
  const workers = o.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new ConfigError('workers', 'an integer 0-64', describe(workers));
  const seconds = o.seconds ?? (quick ? 0.1 : 0.5);
  if (!(seconds > 0)) throw new ConfigError('seconds', 'a positive number', describe(seconds));
  const rounds = o.rounds ?? (quick ? 3 : 5);
  if (!Number.isInteger(rounds) || rounds < 1) throw new ConfigError('rounds', 'a positive integer', describe(rounds));
  const burstFrames = o.burstFrames ?? 128;
  const threadedBurstFrames = o.threadedBurstFrames ?? THREADED_BURST_FRAMES;
  if (!Number.isInteger(burstFrames) || burstFrames < 1 || burstFrames > 65536) throw new ConfigError('burstFrames', 'an integer 1-65536', describe(burstFrames));
  // A threaded call is split: two frames at least.
  if (!Number.isInteger(threadedBurstFrames) || threadedBurstFrames < 2 || threadedBurstFrames > 65536) throw new ConfigError('threadedBurstFrames', 'an integer 2-65536', describe(threadedBurstFrames));
  const threadedBurstOctets = o.threadedBurstOctets ?? THREADED_BURST_OCTETS;
  if (!Number.isInteger(threadedBurstOctets) || threadedBurstOctets < 2 * 1518) throw new ConfigError('threadedBurstOctets', 'an integer of at least 3036 (two frames of 1518 octets)', describe(threadedBurstOctets));
  const singleFrame = o.singleFrame ?? true;
  const secy = o.secy ?? true;
  return { suites, modes, sizes, backends, workers, seconds, rounds, singleFrame, secy, burstFrames, threadedBurstFrames, threadedBurstOctets };
}

const threadedFrames = (o: BenchReport['options'], size: BenchSize): number => threadedCallFrames(size, o.threadedBurstFrames, o.threadedBurstOctets);

/** The cases of one group, baselines first. */
function groupSpecs(suite: CipherSuiteName, mode: BenchMode, size: BenchSize, o: BenchReport['options']): CaseSpec[] {
  const specs: CaseSpec[] = [];
  const add = (method: BenchMethod, backend?: BackendName, threads = 1): void => {
    specs.push({ suite, mode, size, method, backend, threads });
  };
  add('node-gcm');
  add('noble-gcm');
  add('ceiling');
  for (const backend of o.backends) {
    add('burst', backend);
    if (o.workers > 0) add('burst', backend, 1 + o.workers);
    if (o.singleFrame) add('frame', backend);
    if (o.secy) {
      add('validate-burst', backend);
      for (const method of SECY_METHODS) if (o.singleFrame || (method !== 'secy-transmit' && method !== 'secy-receive')) add(method, backend);
      if (o.workers > 0) {
        add('secy-transmit-packed', backend, 1 + o.workers);
        add('secy-receive-packed', backend, 1 + o.workers);
      }
    }
    add('packed-transmit', backend);
    add('packed-receive', backend);
  }
  // (d): the engine's bare call over the same packed frames, the confidentiality suites' AAD/data split.
  if (o.backends.includes('native') && mode === 'confidentiality') add('bare-seal', 'native');
  return specs;
}

/**
 * A full garbage collection (V8's gc(), which the bench exposes when it starts). Every measurement starts
 * from a clean heap: otherwise a case pays for collecting what the case before it left (a burst row leaves
 * megabytes of frames and outcome objects; measured, node receivePacked at 512 octets read 0.94 of
 * receiveBurst so, 1.63 from clean heaps). A case still pays for the collections its own allocation causes
 * while it runs; what it leaves for later is collected before the next, untimed, which if anything flatters
 * the rows that allocate most. Undefined where V8 gives no gc(); the report says which.
 */
function fullCollection(): (() => void) | undefined {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('gc');
  return typeof gc === 'function' ? () => void Reflect.apply(gc, undefined, []) : undefined;
}

/** Runs `c` for about `ms` milliseconds, from a clean heap where `collect` is given; returns frames per second. */
function measure(c: BenchCase, ms: number, collect: (() => void) | undefined): number {
  collect?.();
  let frames = 0;
  const t0 = performance.now();
  let t = t0;
  do {
    frames += c.run();
    t = performance.now();
  } while (t - t0 < ms);
  return (frames * 1000) / (t - t0);
}

const isSame = (a: CaseSpec, b: CaseSpec): boolean =>
  a.suite === b.suite && a.mode === b.mode && a.size === b.size && a.method === b.method && a.backend === b.backend && a.threads === b.threads;

/** Runs the benchmark. Needs the event loop only to start and stop the worker threads. */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const o = resolveOptions(options);
  const startedAt = new Date();
  const machine = machineInfo();
  const pool = o.workers > 0 ? await BurstPool.create({ workers: o.workers, minFrames: poolMinFrames(o.sizes, o.threadedBurstFrames, o.threadedBurstOctets) }) : undefined;
  const results: BenchResult[] = [];
  const cellMs = (o.seconds * 1000) / o.rounds;
  const collect = fullCollection();
  try {
    for (const suite of o.suites) {
      for (const mode of o.modes) {
        for (const size of o.sizes) {
          const fixture = new Fixture(suite, mode, size, Math.max(o.burstFrames, o.workers > 0 ? threadedFrames(o, size) : 0, 128));
          const cases = groupSpecs(suite, mode, size, o).map((spec) =>
            makeCase(fixture, spec, spec.threads > 1 ? threadedFrames(o, size) : o.burstFrames, pool),
          );
          try {
            results.push(...measureGroup(cases, o.rounds, cellMs, collect));
          } finally {
            for (const c of cases) c.close();
          }
          options.onProgress?.(`${suite} ${mode} ${size}: done (load ${loadavg()[0]!.toFixed(2)})`);
        }
      }
    }
  } finally {
    await pool?.close();
  }
  const report: Omit<BenchReport, 'targets'> = {
    version: 1,
    startedAt: startedAt.toISOString(),
    durationSeconds: (Date.now() - startedAt.getTime()) / 1000,
    machine,
    options: o,
    cleanHeaps: collect !== undefined,
    linkRatesGbps: [...LINK_RATES_GBPS],
    secTagOctets: SECTAG_OCTETS,
    results,
  };
  return { ...report, targets: checkTargets(results) };
}

function measureGroup(cases: readonly BenchCase[], rounds: number, cellMs: number, collect: (() => void) | undefined): BenchResult[] {
  // Warm-up: every case once, so the first round measures optimised code.
  for (const c of cases) measure(c, Math.min(20, cellMs), undefined);
  const fps = cases.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      fps[i]!.push(measure(cases[i]!, cellMs, collect));
    }
  }
  const find = (spec: Partial<CaseSpec>): number => cases.findIndex((c) => Object.entries(spec).every(([k, v]) => c.spec[k as keyof CaseSpec] === v));
  const ratio = (i: number, j: number): number | undefined => (j < 0 || i === j ? undefined : median(fps[i]!.map((x, r) => x / fps[j]![r]!)));
  const cost = (i: number, j: number): number | undefined => (j < 0 || i === j ? undefined : median(fps[j]!.map((x, r) => x / fps[i]![r]!)) - 1);
  const nobleGcm = find({ method: 'noble-gcm' });
  const nodeGcm = find({ method: 'node-gcm' });
  return cases.map((c, i) => {
    const { spec } = c;
    const octets = averageFrameOctets(spec.size);
    const f = median(fps[i]!);
    // A threaded row is set against its one-thread row only.
    const threaded = spec.threads > 1;
    const oneThread = threaded ? find({ method: spec.method, backend: spec.backend, threads: 1 }) : -1;
    const bare = isSecYMethod(spec.method) && !threaded ? find({ method: BARE_BURST_OF[spec.method], backend: spec.backend, threads: 1 }) : -1;
    const d = spec.method === 'bare-seal' || threaded ? -1 : find({ method: 'bare-seal' });
    const secyBurst = SECY_BURST_OF[spec.method];
    const burstRow = secyBurst === undefined || threaded ? -1 : find({ method: secyBurst, backend: spec.backend, threads: 1 });
    return {
      ...spec,
      backend: spec.backend,
      frameOctets: octets,
      fps: f,
      fpsRounds: fps[i]!,
      gbps: frameGbps(f, octets),
      lineRate: lineRateFractions(f, octets, SECTAG_OCTETS),
      vsNobleGcm: ratio(i, nobleGcm),
      vsNodeGcm: ratio(i, nodeGcm),
      vsOneThread: ratio(i, oneThread),
      overBareBurst: cost(i, bare),
      vsBareSeal: ratio(i, d),
      vsSecYBurst: ratio(i, burstRow),
    };
  });
}

/** The median of the rows' ratios to their SecY burst row, if any. */
function medianOf(rows: readonly BenchResult[]): number | undefined {
  const ratios = rows.flatMap((r) => (r.vsSecYBurst === undefined ? [] : [r.vsSecYBurst]));
  return ratios.length > 0 ? median(ratios) : undefined;
}

/** The targets (one thread, GCM-AES-128, confidentiality), checked against this run's figures. */
export function checkTargets(results: readonly BenchResult[]): TargetCheck[] {
  const at = (method: BenchMethod, backend: BackendName | undefined, size: BenchSize, threads = 1): BenchResult | undefined =>
    results.find((r) => isSame(r, { suite: 'GCM-AES-128', mode: 'confidentiality', size, method, backend, threads }));
  const check = (target: string, value: number | undefined, goal: number): TargetCheck => ({ target, value, goal, comparison: 'at least', met: value === undefined ? undefined : value >= goal });
  const atMost = (target: string, value: number | undefined, goal: number): TargetCheck => ({ target, value, goal, comparison: 'at most', met: value === undefined ? undefined : value <= goal });
  const percent = (x: number | undefined): number | undefined => (x === undefined ? undefined : x * 100);
  const targets = [
    check('node burst ≥ 10× createCipheriv at 64 octets', at('burst', 'node', 64)?.vsNodeGcm, 10),
    check('node burst ≥ 2× createCipheriv at 512 octets', at('burst', 'node', 512)?.vsNodeGcm, 2),
    check('node burst ≥ 1× createCipheriv at 1518 octets', at('burst', 'node', 1518)?.vsNodeGcm, 1),
    check('noble burst ≥ 10× noble gcm() at 64 octets', at('burst', 'noble', 64)?.vsNobleGcm, 10),
    check('native burst ≥ 15× createCipheriv at 64 octets', at('burst', 'native', 64)?.vsNodeGcm, 15),
    check('native burst ≥ 10 GbE line rate at 512 octets', at('burst', 'native', 512)?.lineRate['10'], 1),
    check('native burst ≥ 10 GbE line rate at 1518 octets', at('burst', 'native', 1518)?.lineRate['10'], 1),
  ];
  // The SecY's bookkeeping over the bare burst cipher, per backend measured, in percent.
  for (const backend of new Set(results.filter((r) => r.method === 'secy-transmit-burst' || r.method === 'secy-receive-burst').map((r) => r.backend))) {
    targets.push(
      atMost(`${backend} SecY.transmitBurst costs ≤ 15 % over protectBurst at 64 octets (%)`, percent(at('secy-transmit-burst', backend, 64)?.overBareBurst), 15),
      atMost(`${backend} SecY.receiveBurst costs ≤ 15 % over validateBurst at 64 octets (%)`, percent(at('secy-receive-burst', backend, 64)?.overBareBurst), 15),
    );
  }
  // The packed SecY: against (d) on native, against the SecY's bursts per backend.
  for (const [method, goal64, goal1518] of [['secy-transmit-packed', 0.4, 0.7], ['secy-receive-packed', 0.3, 0.6]] as const) {
    if (!results.some((r) => r.method === method)) continue;
    targets.push(
      check(`native ${method} ≥ ${goal64}× (d) at 64 octets`, at(method, 'native', 64)?.vsBareSeal, goal64),
      check(`native ${method} ≥ ${goal1518}× (d) at 1518 octets`, at(method, 'native', 1518)?.vsBareSeal, goal1518),
    );
    for (const backend of new Set(results.filter((r) => r.method === method).map((r) => r.backend))) {
      if (backend === 'node') targets.push(check(`node ${method} ≥ 1.15× its SecY burst row (median over sizes)`, medianOf(results.filter((r) => r.suite === 'GCM-AES-128' && r.mode === 'confidentiality' && r.method === method && r.backend === backend)), 1.15));
    }
  }
  // Packed SecY on threads, native at 1518 octets (the machine's load is in the report beside it).
  for (const method of ['secy-transmit-packed', 'secy-receive-packed'] as const) {
    const row = results.find((r) => r.method === method && r.backend === 'native' && r.threads > 1 && r.suite === 'GCM-AES-128' && r.mode === 'confidentiality' && r.size === 1518);
    if (row !== undefined) targets.push(check(`native ${method} on ${row.threads} threads ≥ 1.3× one thread at 1518 octets`, row.vsOneThread, 1.3));
  }
  // Thread scaling: the median over the sizes measured, per backend.
  const threaded = results.filter((r) => r.suite === 'GCM-AES-128' && r.mode === 'confidentiality' && r.method === 'burst' && r.threads > 1);
  for (const backend of new Set(threaded.map((r) => r.backend))) {
    const rows = threaded.filter((r) => r.backend === backend);
    const ratios = rows.flatMap((r) => (r.vsOneThread === undefined ? [] : [r.vsOneThread]));
    const threads = rows[0]!.threads; // the backend came from these rows
    targets.push(check(`${backend} burst on ${threads} threads ≥ 1.3× one (median over sizes)`, ratios.length > 0 ? median(ratios) : undefined, 1.3));
  }
  return targets;
}
