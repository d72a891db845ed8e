/**
 * The hostile-frame harness: seeded, bounded in frames and in time, it drives generated and mutated
 * frames through `parseMacsecFrame`, `explainFrame` and `SecY.receive` for every cipher suite,
 * validateFrames mode and replay variant, and checks every frame:
 *
 * - exceptions: nothing escapes from the parser, the explanation or the SecY;
 * - time: no frame takes longer than `frameTimeoutMs` (a hang is caught by main.ts's watchdog);
 * - conservation: each frame adds exactly 1 to the receive packet counters, in the counter its outcome names;
 * - authenticity: a frame whose ICV-covered octets (oracle.ts) differ from every legitimate frame's never
 *   counts InPktsOK/InPktsDelayed in any mode, and in Strict nothing unverified is delivered at all; a frame
 *   delivered unverified (Check/Disabled) has C=0; explain never says "ICV verifies" for such a frame;
 * - replay: a legitimate frame (or one whose ICV-covered octets are unchanged: padding, clear VLAN tag)
 *   lands in exactly the counter the replay model predicts, and when delivered it is the frame sent;
 * - memory: the heap after the run is within `heapGrowthMiB` of the heap after warm-up.
 *
 * The same seed and frame count give the same frames, so a violation is reproduced by re-running.
 */
import { getHeapStatistics } from 'node:v8';
import type { BackendName } from '../crypto/backend.js';
import { explainFrame } from '../explain/explain.js';
import type { ExplainNode } from '../explain/tree.js';
import { RECEIVE_PACKET_COUNTERS, receivedTotal, type ReceiveOutcome, type ReceivePacketCounterName } from '../secy/index.js';
import { toHex } from '../util/hex.js';
import { parseMacsecFrame, type MacsecFrame } from '../wire/frame.js';
import { foreign, mutate, type MutationContext } from './mutate.js';
import { authenticatedRegion, changedTextBit, locateSecTag, sameAuthenticated } from './oracle.js';
import { Rng } from '../util/rng.js';
import { PayloadPool, Stream, setupMatrix, type LegitFrame } from './stream.js';

export interface FuzzOptions {
  /** At most this many frames. */
  readonly frames: number;
  /** At most this long (the run stops at whichever bound comes first). Default: no time bound. */
  readonly seconds?: number;
  readonly seed: number;
  /** Default 'noble'. */
  readonly backend?: BackendName;
  /** A frame taking longer than this (parse, explain and receive together) is a violation. Default 1000. */
  readonly frameTimeoutMs?: number;
  /** Largest heap growth allowed between warm-up and the end, in MiB. Default 64. */
  readonly heapGrowthMiB?: number;
  /** Frames between heap samples. Default 8192. */
  readonly heapSampleEvery?: number;
  /** Every Nth frame is explained with the receiver's keys (validating its ICV too). Default 8. */
  readonly explainKeysEvery?: number;
  /** The setups are rebuilt with fresh secondary settings (confidentiality, SCI form, clear tags) this often. Default 50,000. */
  readonly epochFrames?: number;
  /** How many violations to keep with details (all are counted). Default 20. */
  readonly keepViolations?: number;
  /** Slot 0 gets the number of frames done, for a watchdog in another thread. */
  readonly heartbeat?: Int32Array;
  /** Called now and then with the share done (0-1). */
  readonly onProgress?: (done: number) => void;
}

export type FrameClass = 'legitimate' | 'unchanged' | 'mutated' | 'foreign';

export interface Violation {
  /** 0-based index of the frame in the run. */
  readonly frame: number;
  readonly check: string;
  readonly setup: string;
  /** How the frame was made: a mutation's name, 'replay', 'fresh', or a foreign kind. */
  readonly made: string;
  readonly detail: string;
  /** The frame, hex (first 256 octets). */
  readonly hex: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly backend: BackendName;
  readonly framesTried: number;
  readonly elapsedMs: number;
  readonly framesPerSecond: number;
  readonly stoppedBy: 'frames' | 'seconds';
  /** Exceptions that escaped parseMacsecFrame, explainFrame or SecY.receive: must be 0. */
  readonly exceptions: number;
  readonly conservation: {
    /** Frames given to SecY.receive. */
    readonly received: number;
    /** Sum of the receive packet counters over every setup: must equal `received`. */
    readonly counted: number;
    /** Frames that did not add exactly 1, in their outcome's counter: must be 0. */
    readonly frameViolations: number;
  };
  /** Every receive packet counter, summed over the setups. */
  readonly counters: Readonly<Record<ReceivePacketCounterName, number>>;
  readonly classes: Readonly<Record<FrameClass, number>>;
  /** Frames delivered to the Controlled Port with their ICV verified, and without. */
  readonly delivered: { readonly verified: number; readonly unverified: number };
  readonly setups: number;
  readonly setupsUsed: number;
  readonly rollovers: number;
  readonly explained: { readonly frames: number; readonly withKeys: number };
  readonly largestFrame: number;
  readonly maxFrameMs: number;
  readonly heap: {
    readonly beforeMiB: number;
    readonly afterMiB: number;
    /** Lowest sample after warm-up and lowest in the last third: what the growth check compares. */
    readonly baselineMiB: number;
    readonly finalMiB: number;
    readonly growthMiB: number;
    readonly limitMiB: number;
    readonly samples: number;
    readonly gcExposed: boolean;
  };
  readonly violationCount: number;
  readonly violations: readonly Violation[];
}

const MiB = 1024 * 1024;
const gcFunction = (): (() => void) | undefined => {
  const g = (globalThis as { gc?: unknown }).gc;
  return typeof g === 'function' ? (g as () => void) : undefined;
};
function heapMiB(): number {
  gcFunction()?.();
  return getHeapStatistics().used_heap_size / MiB;
}

/** Payload sizes: short (SL set), ordinary, jumbo, and now and then more than 64 KiB. */
function payloadSize(rng: Rng): number {
  const r = rng.int(1000);
  if (r < 400) return rng.int(34);
  if (r < 850) return rng.range(34, 1500);
  if (r < 998) return rng.range(1501, 9000);
  return rng.range(60_000, 66_000);
}

/** Layout invariants every successful parse must keep. */
function layoutProblem(m: MacsecFrame, length: number): string | undefined {
  if (m.secTagOffset !== 12 + 4 * m.clearTags.length) return `secTagOffset ${m.secTagOffset} with ${m.clearTags.length} clear tags`;
  if (m.secureDataOffset !== m.secTagOffset + (m.secTag.sci ? 16 : 8)) return `secureDataOffset ${m.secureDataOffset}`;
  if (m.secureDataLength < 0 || m.padding < 0) return `negative length (${m.secureDataLength}, padding ${m.padding})`;
  if (m.icvOffset !== m.secureDataOffset + m.secureDataLength || m.icvOffset + 16 + m.padding !== length) return `icvOffset ${m.icvOffset} + 16 + padding ${m.padding} != ${length}`;
  if (m.secTag.an < 0 || m.secTag.an > 3) return `AN ${m.secTag.an}`;
  return undefined;
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

function validationNode(tree: readonly ExplainNode[]): ExplainNode | undefined {
  return tree.find((n) => n.label === 'Validation');
}

/** The legitimate frame (`first`, else one of `ring`) whose ICV-covered octets `bytes` has, if any. */
function matchLegitimate(bytes: Uint8Array, first: LegitFrame | undefined, ring: readonly LegitFrame[], maxTags: number): LegitFrame | undefined {
  if (first !== undefined && sameAuthenticated(bytes, first.bytes, maxTags)) return first;
  return ring.find((l) => sameAuthenticated(bytes, l.bytes, maxTags));
}

function countsOf(stream: Stream): Record<ReceivePacketCounterName, number> {
  const c = stream.rx.counters().secy;
  const out = {} as Record<ReceivePacketCounterName, number>;
  for (const k of RECEIVE_PACKET_COUNTERS) out[k] = c[k];
  return out;
}

export function runFuzz(options: FuzzOptions): FuzzReport {
  const started = performance.now();
  const deadline = options.seconds !== undefined ? started + options.seconds * 1000 : Infinity;
  const backend = options.backend ?? 'noble';
  const frameTimeoutMs = options.frameTimeoutMs ?? 1000;
  const keysEvery = options.explainKeysEvery ?? 8;
  const heapEvery = options.heapSampleEvery ?? 8192;
  const epochFrames = options.epochFrames ?? 50_000;
  const keep = options.keepViolations ?? 20;
  const limitMiB = options.heapGrowthMiB ?? 64;

  const rng = new Rng(options.seed);
  const pool = new PayloadPool(rng.fork());
  const specs = setupMatrix();
  const makeStreams = (): Stream[] => specs.map((s, i) => new Stream(s, i, rng.fork(), backend));
  const beforeMiB = heapMiB();
  let streams = makeStreams();
  let before = streams.map(countsOf);
  const used = new Set<string>();

  const tallies = Object.fromEntries(RECEIVE_PACKET_COUNTERS.map((k) => [k, 0])) as Record<ReceivePacketCounterName, number>;
  const classes: Record<FrameClass, number> = { legitimate: 0, unchanged: 0, mutated: 0, foreign: 0 };
  const violations: Violation[] = [];
  let violationCount = 0;
  let exceptions = 0;
  let frameViolations = 0;
  let verifiedDelivered = 0;
  let unverifiedDelivered = 0;
  let explainedWithKeys = 0;
  let rollovers = 0;
  let largest = 0;
  let maxFrameMs = 0;
  let countedRetired = 0;
  const heapSamples: number[] = [];

  let frame = 0;
  let stoppedBy: FuzzReport['stoppedBy'] = 'frames';

  const violate = (check: string, stream: Stream, made: string, bytes: Uint8Array, detail: string): void => {
    violationCount++;
    if (violations.length < keep) {
      violations.push({ frame, check, setup: stream.describe(), made, detail, hex: toHex(bytes.subarray(0, 256)) + (bytes.length > 256 ? `… (${bytes.length} octets)` : '') });
    }
  };

  const retire = (list: Stream[]): void => {
    for (const s of list) {
      countedRetired += receivedTotal(s.rx.counters().secy);
      rollovers += s.rollovers;
      s.close();
    }
  };

  outer: while (frame < options.frames) {
    const si = rng.int(streams.length);
    const stream = streams[si]!;
    const x: MutationContext = { rng, stream, pool };
    const block = rng.range(16, 96);
    for (let k = 0; k < block; k++) {
      if (frame >= options.frames) break outer;
      if ((frame & 63) === 0 && performance.now() > deadline) {
        stoppedBy = 'seconds';
        break outer;
      }
      // ---- make a frame
      let bytes: Uint8Array;
      let cls: FrameClass;
      let origin: LegitFrame | undefined;
      let made: string;
      const r = rng.int(1000);
      if (stream.ring.length === 0 || r < 220) {
        origin = stream.send(pool, payloadSize(rng));
        bytes = origin.bytes;
        cls = 'legitimate';
        made = 'fresh';
      } else if (r < 300) {
        origin = rng.pick(stream.ring);
        bytes = origin.bytes;
        cls = 'legitimate';
        made = 'replay';
      } else if (r < 770) {
        const source = rng.pick(stream.ring);
        const m = mutate(source, x);
        bytes = m.bytes;
        made = m.name;
        // A mutation may give back the ICV-covered octets of a legitimate frame: its own (padding, a clear
        // tag changed) or another's (spliced with it). Such a frame is that legitimate frame to a receiver.
        origin = matchLegitimate(bytes, source, stream.ring, stream.clearTags);
        cls = origin === undefined ? 'mutated' : equal(bytes, origin.bytes) ? 'legitimate' : 'unchanged';
      } else if (r < 997) {
        const f = foreign(x);
        bytes = f.bytes;
        made = f.name;
        cls = 'foreign';
      } else {
        stream.rollover();
        continue;
      }
      classes[cls]++;
      used.add(stream.spec.name);
      if (bytes.length > largest) largest = bytes.length;
      const xpn = stream.spec.suite.xpn;
      const t0 = performance.now();

      // ---- the parser, in the receiver's configuration and in explain's
      for (const opts of [{ clearTags: stream.clearTags, allowZeroPN: xpn }, { clearTags: 'auto' as const, allowZeroPN: true }]) {
        try {
          const p = parseMacsecFrame(bytes, opts);
          const bad = p.ok ? layoutProblem(p.value, bytes.length) : undefined;
          if (bad) violate('parse layout', stream, made, bytes, bad);
        } catch (e) {
          exceptions++;
          violate('exception', stream, made, bytes, `parseMacsecFrame threw ${(e as Error).stack ?? String(e)}`);
        }
      }

      // ---- explain (with the receiver's keys every Nth frame), before the model moves on
      const withKeys = frame % keysEvery === 0;
      try {
        const tree = explainFrame(bytes, withKeys ? { keys: stream.resolver(), xpn } : {});
        if (tree.length === 0) violate('explain', stream, made, bytes, 'empty explanation');
        if (withKeys) {
          explainedWithKeys++;
          const v = validationNode(tree);
          // explain finds up to two clear tags by itself: compare what it authenticates, not what the receiver does.
          const sameForExplain = cls !== 'foreign' && matchLegitimate(bytes, undefined, stream.ring, 2) !== undefined;
          if (v?.status === 'ok' && !sameForExplain) violate('explain verified a changed frame', stream, made, bytes, `${v.value}: ${v.note ?? ''}`);
        }
      } catch (e) {
        exceptions++;
        violate('exception', stream, made, bytes, `explainFrame threw ${(e as Error).stack ?? String(e)}`);
      }

      // ---- the SecY, and what the replay model says it must do with a legitimate frame
      const expected = origin !== undefined ? stream.model.expect(origin) : undefined;
      let o: ReceiveOutcome | undefined;
      try {
        o = stream.rx.receive(bytes);
      } catch (e) {
        exceptions++;
        violate('exception', stream, made, bytes, `SecY.receive threw ${(e as Error).stack ?? String(e)}`);
      }
      const ms = performance.now() - t0;
      if (ms > maxFrameMs) maxFrameMs = ms;
      if (ms > frameTimeoutMs) violate('time', stream, made, bytes, `${ms.toFixed(1)} ms for one frame (bound ${frameTimeoutMs} ms)`);
      if (options.heartbeat) Atomics.store(options.heartbeat, 0, frame + 1);

      const after = countsOf(stream);
      const prev = before[si]!;
      let delta = 0;
      for (const c of RECEIVE_PACKET_COUNTERS) delta += after[c] - prev[c];
      before[si] = after;
      if (o === undefined) {
        frame++;
        continue;
      }
      tallies[o.counter]++;
      if (delta !== 1 || after[o.counter] - prev[o.counter] !== 1) {
        frameViolations++;
        violate('conservation', stream, made, bytes, `outcome ${o.counter}, counters moved by ${delta} in all, ${after[o.counter] - prev[o.counter]} in ${o.counter}`);
      }

      // ---- the oracles
      // InPktsDelayed also counts frames never validated (Disabled, C=0, PN below lowestPN: 10.6.5), so it
      // means "verified" only when the frame was validated.
      const verified =
        o.counter === 'InPktsOK' || (o.counter === 'InPktsDelayed' && (stream.spec.validateFrames !== 'Disabled' || changedTextBit(bytes, stream.clearTags) === true));
      if (o.kind === 'controlled') {
        if (verified) verifiedDelivered++;
        else unverifiedDelivered++;
      }
      if (origin !== undefined && expected !== undefined) {
        if (o.counter !== expected) {
          violate('replay rules', stream, made, bytes, `AN ${origin.an} PN ${origin.pn}: expected ${expected}, got ${o.counter}${o.kind === 'dropped' ? ` (${o.reason})` : ''}`);
          const s = stream.rx.receiveSAState(stream.txSci, origin.an);
          if (s) stream.model.resync(origin.an, s.nextPN, s.lowestPN);
        }
        if (verified && o.kind === 'controlled') {
          const region = authenticatedRegion(bytes, stream.clearTags);
          if (region === undefined) throw new Error('fuzz: a delivered legitimate frame has no SecTAG');
          const want = new Uint8Array(region.secTagOffset + origin.plain.length - origin.userOffset);
          want.set(bytes.subarray(0, region.secTagOffset));
          want.set(origin.plain.subarray(origin.userOffset), region.secTagOffset);
          if (!equal(o.frame, want)) violate('delivered frame', stream, made, bytes, `delivered ${toHex(o.frame.subarray(0, 64))}…, sent ${toHex(want.subarray(0, 64))}…`);
          if (o.origin?.pn !== origin.pn) violate('delivered frame', stream, made, bytes, `origin PN ${o.origin?.pn}, sent PN ${origin.pn}`);
        }
      } else if (verified) {
        violate('authenticity', stream, made, bytes, `a ${cls} frame whose ICV-covered octets match no legitimate frame counted ${o.counter}`);
      }
      if (o.kind === 'controlled' && !verified) {
        if (stream.spec.validateFrames === 'Strict') violate('Strict', stream, made, bytes, `delivered unverified as ${o.counter} in Strict`);
        if (o.counter === 'InPktsUntagged') {
          if (locateSecTag(bytes, stream.clearTags) >= 0) violate('untagged', stream, made, bytes, 'a frame with a SecTAG delivered as InPktsUntagged');
        } else if (changedTextBit(bytes, stream.clearTags) !== false) {
          violate('C bit', stream, made, bytes, `delivered unverified as ${o.counter} with C=1`);
        }
      }

      frame++;
      if (frame % heapEvery === 0) {
        heapSamples.push(heapMiB());
        options.onProgress?.(Math.min(1, Math.max(frame / options.frames, deadline === Infinity ? 0 : (performance.now() - started) / (deadline - started))));
      }
      if (frame % epochFrames === 0) {
        retire(streams);
        streams = makeStreams();
        before = streams.map(countsOf);
        continue outer; // this block's stream is closed
      }
    }
  }

  const counted = countedRetired + streams.reduce((n, s) => n + receivedTotal(s.rx.counters().secy), 0);
  retire(streams);
  const elapsedMs = performance.now() - started;
  const afterMiB = heapMiB();

  // Heap growth: the lowest sample after warm-up against the lowest in the last third (lowest, so that
  // garbage not yet collected does not count), when there are enough samples to tell.
  const warm = heapSamples.slice(1);
  let baselineMiB = beforeMiB;
  let finalMiB = afterMiB;
  if (warm.length >= 6) {
    const third = Math.floor(warm.length / 3);
    baselineMiB = Math.min(...warm.slice(0, third));
    finalMiB = Math.min(...warm.slice(warm.length - third));
  }
  const growthMiB = finalMiB - baselineMiB;
  const heap = { beforeMiB, afterMiB, baselineMiB, finalMiB, growthMiB, limitMiB, samples: heapSamples.length, gcExposed: gcFunction() !== undefined };
  const report: FuzzReport = {
    seed: options.seed,
    backend,
    framesTried: frame,
    elapsedMs,
    framesPerSecond: frame / (elapsedMs / 1000),
    stoppedBy,
    exceptions,
    conservation: { received: Object.values(tallies).reduce((a, b) => a + b, 0), counted, frameViolations },
    counters: tallies,
    classes,
    delivered: { verified: verifiedDelivered, unverified: unverifiedDelivered },
    setups: specs.length,
    setupsUsed: used.size,
    rollovers,
    explained: { frames: frame, withKeys: explainedWithKeys },
    largestFrame: largest,
    maxFrameMs,
    heap,
    violationCount,
    violations,
  };
  if (warm.length >= 6 && growthMiB > limitMiB) {
    return { ...report, violationCount: violationCount + 1, violations: [...violations, { frame, check: 'memory', setup: '-', made: '-', detail: `heap grew ${growthMiB.toFixed(1)} MiB (limit ${limitMiB})`, hex: '' }] };
  }
  if (report.conservation.counted !== report.conservation.received) {
    return { ...report, violationCount: violationCount + 1, violations: [...violations, { frame, check: 'conservation', setup: '-', made: '-', detail: `${report.conservation.counted} counted for ${report.conservation.received} received`, hex: '' }] };
  }
  return report;
}

/** The report as text: the figures the issue asks for, then any violations. */
export function formatReport(r: FuzzReport): string {
  const lines = [
    `fuzz: seed ${r.seed}, backend ${r.backend}, ${r.setups} setups (${r.setupsUsed} used): every cipher suite x validateFrames x replay (window 0, 32, off)`,
    `frames tried        ${r.framesTried} in ${(r.elapsedMs / 1000).toFixed(1)} s (${Math.round(r.framesPerSecond)} frames/s, stopped by ${r.stoppedBy})`,
    `  by class          legitimate ${r.classes.legitimate}, ICV-covered octets unchanged ${r.classes.unchanged}, mutated ${r.classes.mutated}, foreign ${r.classes.foreign}`,
    `  largest frame     ${r.largestFrame} octets; slowest frame ${r.maxFrameMs.toFixed(2)} ms`,
    `  explained         ${r.explained.frames} (${r.explained.withKeys} with keys)`,
    `exceptions          ${r.exceptions}`,
    `conservation        ${r.conservation.counted} counted for ${r.conservation.received} received; ${r.conservation.frameViolations} frames not in exactly one counter`,
    `delivered           ${r.delivered.verified} verified, ${r.delivered.unverified} unverified (Check/Disabled only); ${r.rollovers} key rollovers`,
    'counters:',
    ...RECEIVE_PACKET_COUNTERS.map((k) => `  ${k.padEnd(22)}${r.counters[k]}`),
    `heap                before ${r.heap.beforeMiB.toFixed(1)} MiB, after ${r.heap.afterMiB.toFixed(1)} MiB; after warm-up ${r.heap.baselineMiB.toFixed(1)} -> ${r.heap.finalMiB.toFixed(1)} MiB (growth ${r.heap.growthMiB.toFixed(1)}, limit ${r.heap.limitMiB}; ${r.heap.samples} samples${r.heap.gcExposed ? ', gc before each' : ''})`,
    `violations          ${r.violationCount}`,
  ];
  for (const v of r.violations) {
    lines.push(`  frame ${v.frame}: ${v.check}: ${v.detail}`, `    setup ${v.setup}; made by ${v.made}`, ...(v.hex ? [`    ${v.hex}`] : []));
  }
  return lines.join('\n');
}
