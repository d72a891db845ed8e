/**
 * What the benchmark measures, as runnable cases over prepared frames: our burst and single-frame
 * paths per backend and thread count, the SecY's transmit and receive (burst and per frame) over the
 * same frames, and the baselines, (a) @noble/ciphers `gcm()` per frame and (b) node:crypto
 * `createCipheriv` per frame, and (c) the AES-GCM ceiling, node:crypto over one 16 KiB buffer. Shared by
 * the interleaved engine (runner.ts) and the benchmark.js suites (bench/).
 *
 * A frame of F octets is an Ethernet frame DA to FCS: the frame handed to `protect` is its first F - 4
 * octets (no FCS), so the user data is F - 16 octets. The SecTAG carries the SCI (16 octets), as in
 * PERFORMANCE.md. IMIX is 64, 576 and 1518 octets in the ratio 7:4:1, interleaved.
 */
import { createCipheriv } from 'node:crypto';
import { gcm } from '@noble/ciphers/aes.js';
import type { BackendName } from '../crypto/backend.js';
import { protectBurst, validateBurst } from '../crypto/burst.js';
import { protect, type BurstProtectOptions, type ProtectOptions } from '../crypto/macsec.js';
import { NativeGcm } from '../crypto/native.js';
import { PACKED_ROOM, packedOutcomes, protectPacked, validatePacked, type PackedOutcomes, type PackedReceiveControl, type PackedTransmitControl } from '../crypto/packed.js';
import type { BurstPool } from '../crypto/pool.js';
import { SaContext } from '../crypto/sa.js';
import { CIPHER_SUITES, type CipherSuiteName } from '../crypto/suite.js';
import { SecY } from '../secy/secy.js';
import { parseMacsecFrame, type MacsecFrame } from '../wire/frame.js';
import { packedFrames, type PackedFrames } from '../wire/packed.js';

export type BenchMode = 'integrity' | 'confidentiality';
export type BenchSize = number | 'imix';
/**
 *   burst                protectBurst, `burstFrames` frames a call (threaded: threadedCallFrames(size), split with a pool)
 *   frame                protect, one frame a call
 *   validate-burst       validateBurst over the same frames protected, `burstFrames` a call (layouts parsed ahead)
 *   secy-transmit-burst  SecY.transmitBurst, `burstFrames` frames a call: PNs, checks, counters and outcomes
 *                        around protectBurst
 *   secy-transmit        SecY.transmit, one frame a call
 *   secy-receive-burst   SecY.receiveBurst over the protected frames, `burstFrames` a call: parsing, SC and SA
 *                        lookup, PN and replay checks, counters and outcomes around validateBurst
 *   secy-receive         SecY.receive, one frame a call
 *   secy-transmit-packed SecY.transmitPacked over the frames packed in one buffer, `burstFrames` a call: the
 *                        transmitBurst work with protectPacked's kernel, outcomes as codes
 *   secy-receive-packed  SecY.receivePacked over the protected frames packed in one buffer, `burstFrames` a
 *                        call: the receiveBurst work with validatePacked's kernel, outcomes as codes
 *                        (both packed SecY rows threaded: the SecY's executor is the pool, every array on a
 *                        SharedArrayBuffer, threadedCallFrames(size) a call, each kernel call split)
 *   packed-transmit      protectPacked over the frames packed in one buffer, `burstFrames` a call: SecTAG, PNs,
 *                        refusal checks, protect, outcome codes (one C call on native)
 *   packed-receive       validatePacked over the protected frames packed in one buffer, `burstFrames` a call:
 *                        SecTAG checks, SCI/AN match, PN recovery and replay pre-check, validate, codes
 *   bare-seal            (d) native only: the engine's one-shot GCM call per frame (intel-ipsec-mb's
 *                        IMB_AES*_GCM_ENC, or EVP) in a C loop over the protected frames packed in one
 *                        buffer, sealed in place: the crypto limit of one core over the packed rows' frames
 *   noble-gcm            baseline (a): `gcm(key, iv, aad).encrypt(plaintext)` per frame
 *   node-gcm             baseline (b): createCipheriv + setAAD + update + final + getAuthTag per frame
 *   ceiling              baseline (c): createCipheriv over one 16 KiB buffer, counted as frames of this size
 */
export type BenchMethod =
  | 'burst'
  | 'frame'
  | 'validate-burst'
  | 'secy-transmit-burst'
  | 'secy-transmit'
  | 'secy-receive-burst'
  | 'secy-receive'
  | 'secy-transmit-packed'
  | 'secy-receive-packed'
  | 'packed-transmit'
  | 'packed-receive'
  | 'bare-seal'
  | 'noble-gcm'
  | 'node-gcm'
  | 'ceiling';

/** The SecY rows, and the bare burst each is set against (same direction, backend and frames; packed against the packed kernel). */
export const SECY_METHODS = ['secy-transmit-burst', 'secy-transmit', 'secy-transmit-packed', 'secy-receive-burst', 'secy-receive', 'secy-receive-packed'] as const;
export type SecYMethod = (typeof SECY_METHODS)[number];
export const BARE_BURST_OF: Readonly<Record<SecYMethod, BenchMethod>> = {
  'secy-transmit-burst': 'burst',
  'secy-transmit': 'burst',
  'secy-transmit-packed': 'packed-transmit',
  'secy-receive-burst': 'validate-burst',
  'secy-receive': 'validate-burst',
  'secy-receive-packed': 'packed-receive',
};
/** The packed SecY rows, and the SecY burst row each is set against. */
export const SECY_BURST_OF: Readonly<Partial<Record<BenchMethod, BenchMethod>>> = {
  'secy-transmit-packed': 'secy-transmit-burst',
  'secy-receive-packed': 'secy-receive-burst',
};
export const isSecYMethod = (m: BenchMethod): m is SecYMethod => (SECY_METHODS as readonly string[]).includes(m);

export interface CaseSpec {
  readonly suite: CipherSuiteName;
  readonly mode: BenchMode;
  readonly size: BenchSize;
  readonly method: BenchMethod;
  /** Our backend, for `burst` and `frame`. */
  readonly backend?: BackendName | undefined;
  /** Threads working: 1, or 1 + the pool's workers. */
  readonly threads: number;
}

export interface BenchCase {
  readonly spec: CaseSpec;
  /** Processes a fixed amount of work; returns how many frames (of this case's size) that was. */
  run(): number;
  /** Wipes the case's SA. */
  close(): void;
}

export const IMIX_SIZES = [64, 576, 1518] as const;
export const IMIX_WEIGHTS = [7, 4, 1] as const;
/** One IMIX period, the sizes spread out: 7 × 64, 4 × 576, 1 × 1518. */
const IMIX_PATTERN = [64, 576, 64, 64, 576, 64, 1518, 64, 576, 64, 64, 576];

export const SECTAG_OCTETS = 16;
export const FCS_OCTETS = 4;
/** DA ‖ SA ‖ SecTAG with SCI: the AAD before any user data. */
const HEADER_AAD = 12 + SECTAG_OCTETS;
const CEILING_OCTETS = 16 * 1024;
/** Frames per call of the per-frame methods, so the harness's own cost stays out of the figures. */
const FRAMES_PER_CALL = 128;

/** Average frame octets (DA to FCS) of a size: the size itself, or IMIX's weighted mean. */
export function averageFrameOctets(size: BenchSize): number {
  if (size !== 'imix') return size;
  return IMIX_PATTERN.reduce((a, b) => a + b, 0) / IMIX_PATTERN.length;
}

/** Deterministic filler: the figures must not depend on the run's random numbers. */
function fill(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x;
  }
  return out;
}

/**
 * Threaded calls: THREADED_BURST_FRAMES frames, fewer where they would pass THREADED_BURST_OCTETS. With their
 * output they then stay in the caches of the cores splitting them, as the one-thread rows' bursts do: measured
 * at 1518 octets on the 2-vCPU machine, SecY.transmitPacked in calls of 4096 frames (12 MiB with their output)
 * ran 0.83 of calls of 1024 (receive: the same).
 */
export const THREADED_BURST_FRAMES = 4096;
export const THREADED_BURST_OCTETS = 1.5 * 2 ** 20;

/** Frames a threaded call of this size holds, at most `frames` and `octets` (at least 2, so that it splits). */
export const threadedCallFrames = (size: BenchSize, frames = THREADED_BURST_FRAMES, octets = THREADED_BURST_OCTETS): number =>
  Math.min(frames, Math.max(2, Math.floor(octets / averageFrameOctets(size))));

/** A pool's minFrames for threaded calls of these sizes: every one of them is split, the smallest included. */
export const poolMinFrames = (sizes: readonly BenchSize[], frames?: number, octets?: number): number =>
  Math.min(2048, ...sizes.map((s) => threadedCallFrames(s, frames, octets)));

/** The frames, keys and per-frame inputs one (suite, mode, size) group shares between its cases. */
export class Fixture {
  readonly key: Uint8Array;
  readonly ssci: Uint8Array | undefined;
  readonly salt: Uint8Array | undefined;
  readonly sci = fill(3, 8);
  /** Frames without FCS, as `protect` takes them; as many as the largest burst. */
  readonly frames: Uint8Array[];
  readonly options: BurstProtectOptions;
  /** For the baselines: per frame the IV, the AAD and the plaintext as MACsec would have them. */
  readonly ivs: Uint8Array[];
  readonly aads: Uint8Array[];
  readonly plaintexts: Uint8Array[];

  constructor(
    readonly suite: CipherSuiteName,
    readonly mode: BenchMode,
    readonly size: BenchSize,
    frames: number,
  ) {
    const s = CIPHER_SUITES[suite];
    this.key = fill(1, s.keyLength);
    this.ssci = s.xpn ? fill(4, 4) : undefined;
    this.salt = s.xpn ? fill(5, 12) : undefined;
    const confidentiality = mode === 'confidentiality';
    this.options = { an: 0, sci: this.sci, includeSci: true, endStation: false, scb: false, confidentiality, confidentialityOffset: 0 };
    this.frames = [];
    this.ivs = [];
    this.aads = [];
    this.plaintexts = [];
    for (let i = 0; i < frames; i++) {
      const octets = size === 'imix' ? IMIX_PATTERN[i % IMIX_PATTERN.length]! : size;
      const frame = fill(100 + i, octets - FCS_OCTETS);
      this.frames.push(frame);
      if (i < FRAMES_PER_CALL) {
        const user = frame.length - 12;
        this.ivs.push(fill(10_000 + i, 12));
        this.aads.push(fill(20_000 + i, HEADER_AAD + (confidentiality ? 0 : user)));
        this.plaintexts.push(confidentiality ? frame.subarray(12).slice() : new Uint8Array(0));
      }
    }
  }

  sa(backend: BackendName): SaContext {
    return new SaContext({ suite: CIPHER_SUITES[this.suite], key: this.key, ssci: this.ssci, salt: this.salt }, backend);
  }

  private received: { mpdus: Uint8Array[]; layouts: MacsecFrame[] } | undefined;

  /** The frames protected with PNs 1, 2, ... (as a SecY with alwaysIncludeSCI sends them) and parsed, made once. */
  protectedFrames(): { mpdus: Uint8Array[]; layouts: MacsecFrame[] } {
    if (this.received === undefined) {
      const sa = this.sa('node');
      const n = this.frames.length;
      const pnLow = Uint32Array.from({ length: n }, (_, i) => i + 1);
      // Copied out of the burst's buffer: each frame its own, as frames from a network would be.
      const mpdus = protectBurst(sa, this.frames, this.options, new Uint32Array(n), pnLow).map((m) => m.slice());
      sa.wipe();
      const layouts = mpdus.map((m) => {
        const parsed = parseMacsecFrame(m, { allowZeroPN: CIPHER_SUITES[this.suite].xpn });
        if (!parsed.ok) throw new Error(`bench fixture: ${parsed.error.message}`);
        return parsed.value;
      });
      this.received = { mpdus, layouts };
    }
    return this.received;
  }

  /** A SecY that sends as `options` says (SC=1, confidentiality as the mode), with a transmit SA under the key; its bursts on `pool`, if given. */
  transmitter(backend: BackendName, pool?: BurstPool): SecY {
    const secy = new SecY({
      sci: this.sci,
      cipherSuite: this.suite,
      backend,
      ...(pool === undefined ? {} : { executor: pool }),
      alwaysIncludeSCI: true,
      confidentialityProtect: this.options.confidentiality,
      confidentialityOffset: this.options.confidentialityOffset,
    });
    secy.createTransmitSA({ an: 0, sak: this.key, ssci: this.ssci, salt: this.salt, enable: true });
    return secy;
  }

  /**
   * A SecY receiving from this fixture's SCI, replayProtect on (the default). Its replay window covers
   * every PN of the protected frames, so the same frames can be received again and again, each time
   * InPktsOK (inside [lowestPN, nextPN) a repeat is accepted, 10.6.5): the work of a fresh frame but
   * nextPN's move.
   */
  receiver(backend: BackendName, pool?: BurstPool): SecY {
    const secy = new SecY({ sci: fill(6, 8), cipherSuite: this.suite, backend, replayWindow: this.frames.length + 1, ...(pool === undefined ? {} : { executor: pool }) });
    secy.createReceiveSC(this.sci);
    secy.createReceiveSA(this.sci, { an: 0, sak: this.key, ssci: this.ssci, salt: this.salt, enable: true });
    return secy;
  }
}

/** Room for `frames` frames of `octets` octets, every array over a SharedArrayBuffer (threaded packed rows) or not. */
function packedRoom(frames: number, octets: number, shared: boolean): PackedFrames {
  if (!shared) return packedFrames(frames, octets);
  return { data: new Uint8Array(new SharedArrayBuffer(octets)), offsets: new Uint32Array(new SharedArrayBuffer(4 * frames)), lengths: new Uint32Array(new SharedArrayBuffer(4 * frames)), count: 0 };
}

function outcomesFor(frames: number, shared: boolean): PackedOutcomes {
  if (!shared) return packedOutcomes(frames);
  return { codes: new Uint8Array(new SharedArrayBuffer(frames)), pnHigh: new Uint32Array(new SharedArrayBuffer(4 * frames)), pnLow: new Uint32Array(new SharedArrayBuffer(4 * frames)) };
}

/** `frames` back to back in one buffer, each in its own place, as a capture reader would leave them. */
function pack(frames: readonly Uint8Array[], shared = false): PackedFrames {
  const p = packedRoom(frames.length, frames.reduce((a, f) => a + f.length, 0), shared);
  let at = 0;
  for (const f of frames) {
    p.data.set(f, at);
    p.offsets[p.count] = at;
    p.lengths[p.count++] = f.length;
    at += f.length;
  }
  return p;
}

/** How many frames a transmitting SecY sends before a fresh SA: far from the rekey threshold and the last PN. */
const SECY_SA_FRAMES = 2 ** 30;

/** Which node:crypto GCM cipher a key length asks for. */
const gcmName = (keyLength: number): 'aes-128-gcm' | 'aes-256-gcm' => (keyLength === 32 ? 'aes-256-gcm' : 'aes-128-gcm');

/** The backend of a case that runs ours (burst, frame, the SecY rows); the baselines have none. */
function backendOf(spec: CaseSpec): BackendName {
  if (spec.backend === undefined) throw new Error(`bench: a ${spec.method} case needs a backend`);
  return spec.backend;
}

function poolOf(pool: BurstPool | undefined): BurstPool {
  if (pool === undefined) throw new Error('bench: a threaded case without a pool');
  return pool;
}

/** One case over a fixture. `pool` is needed for threaded bursts. */
export function makeCase(f: Fixture, spec: CaseSpec, burstFrames: number, pool: BurstPool | undefined): BenchCase {
  const done = { close(): void {} };
  switch (spec.method) {
    case 'burst': {
      const sa = f.sa(backendOf(spec));
      const threaded = spec.threads > 1;
      if (threaded) {
        if (pool === undefined) throw new Error('threaded burst without a pool');
        pool.install(sa, f);
      }
      const frames = f.frames.slice(0, burstFrames);
      const n = frames.length;
      const pnHigh = new Uint32Array(n);
      const pnLow = new Uint32Array(n);
      let next = 1;
      const run = { executor: threaded ? pool : undefined };
      return {
        spec,
        run() {
          // Fresh PNs each burst, as a SecY assigns them; wrapping long before 2^32.
          if (next > 0x7fff_0000) next = 1;
          for (let i = 0; i < n; i++) pnLow[i] = next + i;
          next += n;
          protectBurst(sa, frames, f.options, pnHigh, pnLow, run);
          return n;
        },
        close: () => sa.wipe(),
      };
    }
    case 'frame': {
      const sa = f.sa(backendOf(spec));
      const frames = f.frames.slice(0, FRAMES_PER_CALL);
      // Options built ahead (a SecY would build one per frame too, but that is not the crypto's cost);
      // the PNs repeat from call to call: a benchmark, not a link.
      const options = frames.map((_, i): ProtectOptions => ({ ...f.options, pn: BigInt(i + 1) }));
      return {
        spec,
        run() {
          for (let i = 0; i < frames.length; i++) protect(sa, frames[i]!, options[i]!);
          return frames.length;
        },
        close: () => sa.wipe(),
      };
    }
    case 'validate-burst': {
      const sa = f.sa(backendOf(spec));
      const { mpdus, layouts } = f.protectedFrames();
      const frames = mpdus.slice(0, burstFrames);
      const n = frames.length;
      const lays = layouts.slice(0, n);
      const scis = frames.map(() => f.sci);
      const pnHigh = new Uint32Array(n);
      const o = { confidentialityOffset: f.options.confidentialityOffset };
      return {
        spec,
        run() {
          validateBurst(sa, frames, lays, scis, pnHigh, o);
          return n;
        },
        close: () => sa.wipe(),
      };
    }
    case 'secy-transmit-burst':
    case 'secy-transmit': {
      let secy = f.transmitter(backendOf(spec));
      const burst = spec.method === 'secy-transmit-burst';
      const frames = f.frames.slice(0, burst ? burstFrames : FRAMES_PER_CALL);
      let sent = 0;
      return {
        spec,
        run() {
          if ((sent += frames.length) > SECY_SA_FRAMES) {
            secy.destroy();
            secy = f.transmitter(backendOf(spec));
            sent = frames.length;
          }
          if (burst) secy.transmitBurst(frames);
          else for (let i = 0; i < frames.length; i++) secy.transmit(frames[i]!);
          return frames.length;
        },
        close: () => secy.destroy(),
      };
    }
    case 'secy-receive-burst':
    case 'secy-receive': {
      const secy = f.receiver(backendOf(spec));
      const burst = spec.method === 'secy-receive-burst';
      const frames = f.protectedFrames().mpdus.slice(0, burst ? burstFrames : FRAMES_PER_CALL);
      return {
        spec,
        run() {
          if (burst) secy.receiveBurst(frames);
          else for (let i = 0; i < frames.length; i++) secy.receive(frames[i]!);
          return frames.length;
        },
        close: () => secy.destroy(),
      };
    }
    case 'secy-transmit-packed': {
      // Threaded: the SecY's executor is the pool, which splits each kernel call; its arrays are shared.
      const executor = spec.threads > 1 ? poolOf(pool) : undefined;
      const shared = executor !== undefined;
      let secy = f.transmitter(backendOf(spec), executor);
      const input = pack(f.frames.slice(0, burstFrames), shared);
      const n = input.count;
      const output = packedRoom(n, input.data.length + PACKED_ROOM * n, shared);
      const outcomes = outcomesFor(n, shared);
      let sent = 0;
      return {
        spec,
        run() {
          if ((sent += n) > SECY_SA_FRAMES) {
            secy.destroy();
            secy = f.transmitter(backendOf(spec), executor);
            sent = n;
          }
          secy.transmitPacked(input, output, outcomes);
          return n;
        },
        close: () => secy.destroy(),
      };
    }
    case 'secy-receive-packed': {
      const executor = spec.threads > 1 ? poolOf(pool) : undefined;
      const shared = executor !== undefined;
      const secy = f.receiver(backendOf(spec), executor);
      const input = pack(f.protectedFrames().mpdus.slice(0, burstFrames), shared);
      const n = input.count;
      const output = packedRoom(n, input.data.length + PACKED_ROOM * n, shared);
      const outcomes = outcomesFor(n, shared);
      return {
        spec,
        run() {
          secy.receivePacked(input, output, outcomes);
          return n;
        },
        close: () => secy.destroy(),
      };
    }
    case 'packed-transmit': {
      const sa = f.sa(backendOf(spec));
      const input = pack(f.frames.slice(0, burstFrames));
      const n = input.count;
      const output = packedFrames(n, input.data.length + 32 * n);
      const outcomes = packedOutcomes(n);
      const c: PackedTransmitControl = { first: 0, count: n, outStart: 0, nextPnHigh: 0, nextPnLow: 1, lastPnHigh: 0, lastPnLow: 0xffff_ffff, maxFrameSize: 0xffff, outEnd: 0, pnsUsed: 0 };
      return {
        spec,
        run() {
          // Fresh PNs each burst, wrapping long before 2^32.
          if (c.nextPnLow > 0x7fff_0000) c.nextPnLow = 1;
          protectPacked(sa, f.options, input, output, outcomes, c);
          c.nextPnLow += c.pnsUsed;
          return n;
        },
        close: () => sa.wipe(),
      };
    }
    case 'packed-receive': {
      const sa = f.sa(backendOf(spec));
      const input = pack(f.protectedFrames().mpdus.slice(0, burstFrames));
      const n = input.count;
      const output = packedFrames(n, input.data.length + 32 * n);
      const outcomes = packedOutcomes(n);
      // lowestPN 1 throughout: every frame is InPktsOK every time (the SecY's bookkeeping is not this row's).
      const c: PackedReceiveControl = { first: 0, count: n, outStart: 0, lowestPnHigh: 0, lowestPnLow: 1, outEnd: 0, handled: 0, octetsValidated: 0, octetsDecrypted: 0 };
      const o = { sci: f.sci, an: 0, confidentialityOffset: f.options.confidentialityOffset, clearTags: 0, validateFrames: 'Strict', replayProtect: true, pointToPoint: false } as const;
      return {
        spec,
        run() {
          validatePacked(sa, o, input, output, outcomes, c);
          return n;
        },
        close: () => sa.wipe(),
      };
    }
    case 'bare-seal': {
      const gcm = new NativeGcm(f.key);
      const frames = pack(f.protectedFrames().mpdus.slice(0, burstFrames));
      return {
        spec,
        run() {
          gcm.sealBare(frames.data, frames.offsets, frames.lengths, frames.count, HEADER_AAD);
          return frames.count;
        },
        close: () => gcm.wipe(),
      };
    }
    case 'noble-gcm': {
      const { key, ivs, aads, plaintexts } = f;
      return {
        spec,
        run() {
          for (let i = 0; i < ivs.length; i++) gcm(key, ivs[i]!, aads[i]).encrypt(plaintexts[i]!);
          return ivs.length;
        },
        ...done,
      };
    }
    case 'node-gcm': {
      const { key, ivs, aads, plaintexts } = f;
      const name = gcmName(key.length);
      return {
        spec,
        run() {
          for (let i = 0; i < ivs.length; i++) {
            const c = createCipheriv(name, key, ivs[i]!);
            c.setAAD(aads[i]!);
            if (plaintexts[i]!.length > 0) c.update(plaintexts[i]!);
            c.final();
            c.getAuthTag();
          }
          return ivs.length;
        },
        ...done,
      };
    }
    case 'ceiling': {
      const buffer = fill(7, CEILING_OCTETS);
      const iv = fill(8, 12);
      const name = gcmName(f.key.length);
      const perCall = CEILING_OCTETS / averageFrameOctets(f.size);
      return {
        spec,
        run() {
          const c = createCipheriv(name, f.key, iv);
          c.update(buffer);
          c.final();
          c.getAuthTag();
          return perCall;
        },
        ...done,
      };
    }
  }
}
