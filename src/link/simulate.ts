/**
 * Runs a scenario: two ports, each with its SecY, on a simulated full-duplex link, with traffic,
 * actors on the wire and key rollover, on a deterministic clock. The same scenario and seed give the
 * same frames, byte for byte (keys included: they come from the seeded generator, fine for a
 * simulation, never for a real link).
 */
import { SequenceSet } from './sequence-set.js';
import type { BackendName } from '../crypto/backend.js';
import { protect, transmitTci } from '../crypto/macsec.js';
import { SaContext } from '../crypto/sa.js';
import { SecY, type ReceiveSAState, type TransmitSAState, type TransmitSAParams } from '../secy/secy.js';
import { PACKED_CODE_NAMES, PACKED_ROOM, packedOutcomes, type PackedOutcomes } from '../crypto/packed.js';
import { packedFrames, type PackedFrames } from '../wire/packed.js';
import { RECEIVE_PACKET_COUNTERS, TRANSMIT_PACKET_COUNTERS, type SecYCounters } from '../secy/counters.js';
import { PACKED_DELIVERED, PACKED_SENT } from '../secy/outcome.js';
import { KaY, type KayEvent, type KayStatus, type NoPeerPolicy } from '../mka/kay.js';
import { EtherType, readU16, readU32 } from '../wire/ethernet.js';
import { parseMacsecFrame } from '../wire/frame.js';
import { makeSci } from '../wire/sci.js';
import { Corrupt, Drop, Duplicate, Inject, Jitter, Reorder, Replay, Tamper, Tap, type Side, type WireActor, type WireFrame } from './actors.js';
import { Clock, PS_PER_S } from './clock.js';
import { LatencyHistogram } from './histogram.js';
import { Link, type Endpoint } from './link.js';
import { macsecOverhead, maxFrameRate, PREAMBLE_SFD_IFG, serializationPs, wireOctets } from './linerate.js';
import { Rng } from '../util/rng.js';
import type { ActorSpec, Scenario, TrafficFlow } from './scenario.js';
import { buildFrame, buildFrameAt, builtLength, frameSize, IMIX, trafficHeaderAt, trafficSentAt } from './traffic.js';

export const PORT_MAC: Readonly<Record<Side, Uint8Array>> = {
  a: Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00, 0x0a),
  b: Uint8Array.of(0x02, 0x00, 0x00, 0x00, 0x00, 0x0b),
};
const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');

export interface SimulateOptions {
  readonly seed?: number;
  readonly backend?: BackendName;
  /** Both SecYs' maxFrameSize (10.7), for jumbo frames; the SecY's default (1996) when undefined. */
  readonly maxFrameSize?: number | undefined;
  /** Called now and then with the share done, 0-1: of the duration when the scenario has one, else of the offered frames. */
  readonly onProgress?: (done: number) => void;
  /** Each captured frame as the run makes it (pcaps streamed as the run goes); without it no frame is kept. */
  readonly capture?: (name: CaptureName, atPs: number, data: Uint8Array) => void;
  /** Checked between events: true ends the run early, with the summary so far. */
  readonly shouldStop?: () => boolean;
  /** Sees the run as it happens (the link lab's timeline); without it the run does no extra work. */
  readonly onEvent?: (event: SimEvent) => void;
  /**
   * Frames sent and received together go through their SecY in packed bursts (the default); false sends and
   * receives each frame alone. The two give the same frames, counters and summary (a test checks it).
   * Without MKA and without `onEvent` only: otherwise every frame goes alone.
   */
  readonly bursts?: boolean;
}

/** The captures of a run: the wire as the receiver got it, and each side's plain frames sent and received. */
export type CaptureName = 'wire' | 'a-sent' | 'a-received' | 'b-sent' | 'b-received';
export const CAPTURE_NAMES: readonly CaptureName[] = ['wire', 'a-sent', 'a-received', 'b-sent', 'b-received'];
/** By its index in CAPTURE_NAMES (counted per frame): the wire, a side's frames sent, and the frames it sent as the other side received them. */
const WIRE = 0;
const SENT_BY: Readonly<Record<Side, number>> = { a: 1, b: 3 };
const RECEIVED_BY: Readonly<Record<Side, number>> = { a: 4, b: 2 };

/** One port's SecY at the moment of an event. */
export interface PortView {
  readonly counters: Readonly<SecYCounters>;
  readonly encodingAN: number;
  readonly transmitSAs: readonly TransmitSAState[];
  readonly receiveSAs: readonly (ReceiveSAState & { readonly sci: string })[];
}

/**
 * What `onEvent` sees, in the order it happens, with both ports as they are just after it. `bytes` are the
 * frame as on the wire (not to be changed). `sa` reports an SA created (with its key, for tools that open a
 * frame elsewhere) or deleted.
 */
export type SimEvent = { readonly atPs: number; readonly ports: Readonly<Record<Side, PortView>> } & (
  | { readonly kind: 'sent'; readonly from: Side; readonly id: number; readonly bytes: Uint8Array; readonly mkpdu: boolean }
  | { readonly kind: 'refused'; readonly side: Side; readonly reason: string; readonly mkpdu: boolean }
  | { readonly kind: 'touched'; readonly from: Side; readonly id: number; readonly actor: string; readonly action: string }
  | { readonly kind: 'arrived'; readonly from: Side; readonly id: number; readonly bytes: Uint8Array; readonly madeBy: string | undefined; readonly outcome: string; readonly mkpdu: boolean; readonly kay: string | undefined }
  | { readonly kind: 'sa'; readonly side: Side; readonly op: 'transmit SA created' | 'transmit SA deleted'; readonly an: number; readonly sak?: Uint8Array; readonly ssci?: Uint8Array; readonly salt?: Uint8Array }
  | { readonly kind: 'kay'; readonly side: Side; readonly event: KayEvent }
);
type SimEventBody = SimEvent extends infer E ? (E extends SimEvent ? Omit<E, 'atPs' | 'ports'> : never) : never;

export interface CapturedFrame {
  readonly atPs: number;
  readonly data: Uint8Array;
}

export interface DirectionStats {
  /** Frames the user offered to the sending port. */
  offered: number;
  /** Refused before the wire, by reason (a SecY counter, or "queue full"). */
  refused: Record<string, number>;
  /** Frames the transmitter put on the wire. */
  sent: number;
  /** Frames that reached the receiver (actors may add or remove frames on the way). */
  arrived: number;
  /** Arrivals by the counter they landed in at the receiver. */
  outcomes: Record<string, number>;
  /** Distinct test frames delivered to the controlled port. */
  deliveredUnique: number;
  /** Test frames delivered a second time (duplicates or accepted replays). */
  deliveredAgain: number;
  /** Offered test frames never delivered, and not still on their way when the run ended. */
  lost: number;
  /** Test frames still queued or on the wire when the run ended (a duration ends a run mid-flow). */
  inFlight: number;
  /** Deliveries of a frame older than one delivered before it. */
  outOfOrder: number;
  /** Min, mean and max exact; p50 and p99 exact up to 4096 deliveries, then at most 0.4 % low (see LatencyHistogram). */
  latency: { minPs: number; meanPs: number; p50Ps: number; p99Ps: number; maxPs: number } | undefined;
  /** User bits delivered per second (frames as offered, FCS included), over the run. */
  goodputBps: number;
  /** Goodput as a share of the line rate. */
  goodputShare: number;
  /**
   * The most goodput a MACsec link allows for this traffic, on goodput's basis: frame octets (FCS included)
   * over the octets the protected frames take on the wire. With `preambleShare` and `macsecShare` it
   * makes up the whole wire, so a link at full load reads full.
   */
  macsecEfficiency: number;
  /** Share of this traffic's wire time taken by preamble, SFD and inter-frame gap. */
  preambleShare: number;
  /** Share of this traffic's wire time taken by MACsec's SecTAG and ICV. */
  macsecShare: number;
}

export interface ActorReport {
  readonly side: Side;
  readonly name: string;
  readonly touched: number;
  /** What became of the frames it touched, by receiver counter ("not delivered" when it dropped them). */
  readonly fate: Record<string, number>;
  /** A few of its actions, for the reader. */
  readonly examples: readonly string[];
}

export interface RekeyEvent {
  readonly atPs: number;
  readonly side: Side;
  readonly fromAN: number;
  readonly toAN: number;
  readonly reason: string;
}

export interface TimelinePoint {
  readonly atPs: number;
  readonly a: Readonly<SecYCounters>;
  readonly b: Readonly<SecYCounters>;
}

/** One port's key agreement at the end of the run. */
export interface MkaSideSummary {
  /** The KaY: its MI, peers, elected key server, keys and counters. */
  readonly kay: KayStatus;
  /** When its KaY went silent (scenario `mka.silence`). */
  readonly silencedAtPs: number | undefined;
  /** When it first transmitted with an agreed SAK. */
  readonly securedAtPs: number | undefined;
  /** MKPDUs it sent that reached the other port, by what the receiving SecY counted them as (its Controlled Port). */
  readonly controlledPort: Record<string, number>;
  /** The same MKPDUs by what the receiving KaY (on the Uncontrolled Port) made of them. */
  readonly atPeerKay: Record<string, number>;
  /** Its SecY at the end: encoding AN, transmit SAs, receive SAs by SCI, and the controls the KaY set. */
  readonly secy: {
    readonly encodingAN: number;
    readonly transmitANs: readonly number[];
    readonly receiveSAs: readonly { readonly sci: string; readonly an: number }[];
    readonly protectFrames: boolean;
    readonly validateFrames: string;
  };
}

/** A SAK the key server distributed. */
export interface SakDistribution {
  readonly atPs: number;
  readonly side: Side;
  readonly kn: number;
  readonly an: number;
  readonly reason: string;
}

export interface MkaSummary {
  readonly policy: NoPeerPolicy;
  readonly sides: Readonly<Record<Side, MkaSideSummary>>;
  readonly distributed: readonly SakDistribution[];
  /** What the KaYs did, in time order. */
  readonly events: readonly (KayEvent & { readonly side: Side })[];
}

/** A run's result; its captures went to the `capture` option as the run went, so here they are counts. */
export interface SimulationSummary {
  readonly scenario: string;
  readonly seed: number;
  readonly stoppedEarly: boolean;
  readonly elapsedPs: number;
  readonly lineRateBps: number;
  readonly propagationPs: number;
  readonly directions: Readonly<Record<'a->b' | 'b->a', DirectionStats>>;
  readonly actors: readonly ActorReport[];
  readonly rekeys: readonly RekeyEvent[];
  readonly timeline: readonly TimelinePoint[];
  readonly counters: Readonly<Record<Side, Readonly<SecYCounters>>>;
  /** How long the packet numbers last at line rate with the run's smallest frames. */
  readonly pnBudget: { readonly frameOctets: number; readonly framesPerSecond: number; readonly plainSeconds: number; readonly xpnSeconds: number };
  readonly lessons: readonly string[];
  /** Frames captured, per capture. */
  readonly captures: Readonly<Record<CaptureName, number>>;
  /** Key agreement, when the scenario has an `mka` section. */
  readonly mka?: MkaSummary;
}

/** `simulate`'s result: the summary with every captured frame kept (for small runs and tests). */
export interface SimulationResult extends Omit<SimulationSummary, 'captures'> {
  /** Frames as captured: on the wire as the receiver got them, and each side's plain frames. */
  readonly captures: Readonly<Record<CaptureName, readonly CapturedFrame[]>>;
}

/** An EAPOL frame (untagged, EtherType 0x888E): what a KaY sends and hears, on the Uncontrolled Port. */
export const isEapolFrame = (frame: Uint8Array): boolean => frame.length >= 14 && readU16(frame, 12) === EtherType.EAPOL;

function makeActor(spec: ActorSpec, forge: (like: WireFrame, rng: Rng) => Uint8Array): WireActor {
  switch (spec.type) {
    case 'tap':
      return new Tap();
    case 'drop':
      return new Drop(spec.rate, spec.burst);
    case 'duplicate':
      return new Duplicate(spec.rate);
    case 'reorder':
      return new Reorder(spec.rate, spec.depth);
    case 'corrupt':
      return new Corrupt(spec.rate, spec.bits);
    case 'jitter':
      return new Jitter(spec.maxPs);
    case 'replay':
      return new Replay(spec.rate, spec.window, spec.after);
    case 'tamper':
      return new Tamper(spec.field, spec.rate);
    case 'inject':
      return new Inject(spec.rate, forge);
  }
}

const emptyStats = (): DirectionStats => ({
  offered: 0,
  refused: {},
  sent: 0,
  arrived: 0,
  outcomes: {},
  deliveredUnique: 0,
  deliveredAgain: 0,
  lost: 0,
  inFlight: 0,
  outOfOrder: 0,
  latency: undefined,
  goodputBps: 0,
  goodputShare: 0,
  macsecEfficiency: 1,
  preambleShare: 0,
  macsecShare: 0,
});

/** Frames a burst holds: sent ahead of their times, or received after theirs. */
const BURST_FRAMES = 256;

/** A port's frames off the wire waiting for its SecY: copied into one reused packed input. */
class ReceiveBurst {
  input: PackedFrames = packedFrames(BURST_FRAMES, BURST_FRAMES * 128);
  octets = 0;
  readonly ats = new Float64Array(BURST_FRAMES);
  readonly outOffsets = new Uint32Array(BURST_FRAMES);
  readonly outLengths = new Uint32Array(BURST_FRAMES);
  readonly outcomes: PackedOutcomes = packedOutcomes(BURST_FRAMES);
  private frames: WireFrame[] = [];

  /** Adds a frame; true when the burst is full. */
  add(frame: WireFrame, at: number): boolean {
    const len = frame.bytes.length;
    if (this.octets + len > this.input.data.length) {
      const data = new Uint8Array(Math.max(2 * this.input.data.length, this.octets + len));
      data.set(this.input.data.subarray(0, this.octets));
      this.input = { ...this.input, data };
    }
    const i = this.input.count++;
    this.input.data.set(frame.bytes, this.octets);
    this.input.offsets[i] = this.octets;
    this.input.lengths[i] = len;
    this.octets += len;
    this.ats[i] = at;
    this.frames.push(frame);
    return this.input.count === BURST_FRAMES;
  }

  /** The frames added, in order; the burst is empty after. */
  take(): WireFrame[] {
    const frames = this.frames;
    this.frames = [];
    this.input.count = 0;
    this.octets = 0;
    return frames;
  }
}

/** data[off, off + length) as a view: what subarray gives, made more cheaply (once per frame). */
const octetsAt = (data: Uint8Array, off: number, length: number): Uint8Array => new Uint8Array(data.buffer, data.byteOffset + off, length);

const bump = (m: Record<string, number>, k: string, n = 1): void => {
  m[k] = (m[k] ?? 0) + n;
};

/** Runs a scenario to the end, keeping every captured frame. */
export function simulate(scenario: Scenario, options: Omit<SimulateOptions, 'capture'> = {}): SimulationResult {
  const captures: Record<CaptureName, CapturedFrame[]> = { wire: [], 'a-sent': [], 'a-received': [], 'b-sent': [], 'b-received': [] };
  const steps = simulationSteps(scenario, { ...options, capture: (name, atPs, data) => captures[name].push({ atPs, data }) });
  for (;;) {
    const step = steps.next();
    if (step.done) return { ...step.value, captures };
  }
}

/** Most points a run's counter timeline holds (see the timeline tick). */
export const MAX_TIMELINE_POINTS = 1000;

/** Events run between two yields of `simulationSteps`. */
const SLICE_EVENTS = 20_000;

/**
 * The same run in slices: yields the share of offered frames done after every slice of events, so a
 * caller can keep its event loop turning (a progress bar, Ctrl-C); returns the result.
 */
export function* simulationSteps(scenario: Scenario, options: SimulateOptions = {}): Generator<number, SimulationSummary> {
  const seed = options.seed ?? scenario.seed;
  const rng = new Rng(seed);
  const keyRng = rng.fork('keys');
  const clock = new Clock();
  const s = scenario.secy;
  const suite = s.cipherSuite;

  // ------------------------------------------------------------------ the two SecYs and their keys
  const sci = { a: makeSci(PORT_MAC.a, 1), b: makeSci(PORT_MAC.b, 1) };
  const secy: Record<Side, SecY> = {
    a: newSecY('a'),
    b: newSecY('b'),
  };
  function newSecY(side: Side): SecY {
    return new SecY({
      sci: sci[side],
      cipherSuite: suite,
      backend: options.backend,
      protectFrames: s.protectFrames,
      validateFrames: s.validateFrames,
      replayProtect: s.replayProtect,
      replayWindow: s.replayWindow,
      confidentialityProtect: s.confidentialityProtect,
      confidentialityOffset: s.confidentialityOffset,
      alwaysIncludeSCI: s.alwaysIncludeSCI,
      useES: s.useES,
      useSCB: s.useSCB,
      ...(scenario.keys.rekeyAtPN !== undefined ? { rekeyThreshold: scenario.keys.rekeyAtPN } : {}),
      ...(options.maxFrameSize !== undefined ? { maxFrameSize: options.maxFrameSize } : {}),
    });
  }
  const ssci = { a: Uint8Array.of(0, 0, 0, 1), b: Uint8Array.of(0, 0, 0, 2) };
  const observe = options.onEvent;
  const bursts = (options.bursts ?? true) && observe === undefined && scenario.mka === undefined;
  const view = (side: Side): PortView => {
    const y = secy[side];
    return {
      counters: y.counters().secy,
      encodingAN: y.encodingSA,
      transmitSAs: [0, 1, 2, 3].flatMap((an) => y.transmitSAState(an) ?? []),
      receiveSAs: y.receiveSCIs().flatMap((s) => [0, 1, 2, 3].flatMap((an) => { const r = y.receiveSAState(s, an); return r ? [{ ...r, sci: s }] : []; })),
    };
  };
  const emit = observe === undefined ? undefined : (body: SimEventBody): void => observe({ ...body, atPs: clock.now, ports: { a: view('a'), b: view('b') } });
  const saCreated = (side: Side, p: TransmitSAParams): void =>
    emit?.({ kind: 'sa', side, op: 'transmit SA created', an: p.an, sak: p.sak.slice(), ...(p.ssci ? { ssci: p.ssci.slice() } : {}), ...(p.salt ? { salt: p.salt.slice() } : {}) });
  const currentAN: Record<Side, number> = { a: 0, b: 0 };
  const rekeys: RekeyEvent[] = [];
  const rekeying: Record<Side, boolean> = { a: false, b: false };

  /** A new SA from `side` to its peer: receive side first, then the transmitter switches (as a KaY does). */
  function installSA(side: Side, an: number, nextPN: bigint): void {
    const sak = keyRng.fill(new Uint8Array(suite.keyLength));
    const xpn = suite.xpn ? { ssci: ssci[side], salt: keyRng.fill(new Uint8Array(12)) } : {};
    const peer = secy[other(side)];
    peer.createReceiveSA(sci[side], { an, sak, nextPN, enable: true, ...xpn });
    secy[side].createTransmitSA({ an, sak, nextPN, enable: true, ...xpn });
    secy[side].setEncodingSA(an);
    saCreated(side, { an, sak, ...xpn });
    sak.fill(0);
  }
  function rekey(side: Side, reason: string): void {
    if (rekeying[side]) return;
    rekeying[side] = true;
    const from = currentAN[side];
    const to = (from + 1) % 4;
    installSA(side, to, 1n);
    currentAN[side] = to;
    rekeys.push({ atPs: clock.now, side, fromAN: from, toAN: to, reason });
    // The receiver keeps the old SA until frames still on their way have arrived.
    clock.after(
      scenario.keys.retireAfterPs,
      () => {
        secy[other(side)].deleteReceiveSA(sci[side], from);
        secy[side].deleteTransmitSA(from);
        rekeying[side] = false;
        emit?.({ kind: 'sa', side, op: 'transmit SA deleted', an: from });
      },
      true,
    );
  }
  // With MKA the KaYs install every SA (below); otherwise static SAs from the seeded generator.
  if (scenario.mka === undefined) {
    for (const side of ['a', 'b'] as const) {
      secy[other(side)].createReceiveSC(sci[side]);
      installSA(side, 0, scenario.keys.initialPN);
      secy[side].on('rekeyNeeded', (e) => {
        const reason = `PN ${e.pn} reached the threshold ${e.threshold}`;
        // A burst goes through the SecY ahead of its frames' times: the rekey waits for its frame (offerNext).
        if (preparing !== undefined) preparing.rekeys.push({ pn: e.pn, reason });
        else clock.after(0, () => rekey(side, reason), true);
      });
    }
  }
  if (scenario.keys.rekeyEveryPs !== undefined) {
    const every = scenario.keys.rekeyEveryPs;
    const tick = (): void => {
      for (const side of ['a', 'b'] as const) rekey(side, `every ${every} ps`);
      if (!finished()) clock.after(every, tick, true);
    };
    clock.after(every, tick, true);
  }

  // ------------------------------------------------------------------ bookkeeping
  const stats: Record<Side, DirectionStats> = { a: emptyStats(), b: emptyStats() };
  const captured = new Float64Array(CAPTURE_NAMES.length);
  /** A frame for capture `which` (an index in CAPTURE_NAMES). */
  const capture = (which: number, atPs: number, data: Uint8Array): void => {
    captured[which]!++;
    options.capture?.(CAPTURE_NAMES[which]!, atPs, data);
  };
  /** The frame at data[off], `length` octets (a view made only when there is someone to take it). */
  const captureAt = (which: number, atPs: number, data: Uint8Array, off: number, length: number): void => {
    captured[which]!++;
    options.capture?.(CAPTURE_NAMES[which]!, atPs, octetsAt(data, off, length));
  };
  const delivered: Record<Side, SequenceSet> = { a: new SequenceSet(), b: new SequenceSet() };
  const highest: Record<Side, number> = { a: -1, b: -1 };
  const latencies: Record<Side, LatencyHistogram> = { a: new LatencyHistogram(), b: new LatencyHistogram() };
  const plainBits: Record<Side, { plain: number; wire: number }> = { a: { plain: 0, wire: 0 }, b: { plain: 0, wire: 0 } };
  const touched = new Map<number, { actor: string; side: Side }[]>();
  const actorStats = new Map<string, { side: Side; name: string; touched: number; fate: Record<string, number>; examples: string[] }>();
  const actorKey = (side: Side, name: string) => `${side}:${name}`;
  /** What an actor that touched a frame did to it, by outcome (every actor has its entry from the start). */
  const fateOf = (t: { readonly side: Side; readonly actor: string }): Record<string, number> => {
    const stats = actorStats.get(actorKey(t.side, t.actor));
    if (stats === undefined) throw new Error(`simulate: no statistics for actor ${t.actor} on side ${t.side}`);
    return stats.fate;
  };
  let lastDelivery = 0;
  /** Traffic frames past their transmit queue that have neither arrived nor been dropped on the wire. */
  const onTheWire: Record<Side, SequenceSet> = { a: new SequenceSet(), b: new SequenceSet() };
  /** Traffic frames queued or on the wire: what a run ended by its duration leaves in flight. */
  const inFlight = (side: Side): number => onTheWire[side].size + link.waiting(side);

  // ------------------------------------------------------------------ key agreement (declared here, made below)
  const kay: Partial<Record<Side, KaY>> = {};
  /** MKPDUs the KaYs sent: they take the Uncontrolled Port, past the SecY, never protected (802.1X 6.5). */
  const kayFrames = new WeakSet<Uint8Array>();
  const silencedAt: Record<Side, number | undefined> = { a: undefined, b: undefined };
  /** What the receiving KaY made of the MKPDU the link is delivering now (read by onArrival). */
  let kayVerdict = '';

  const endpoint = (side: Side): Endpoint => ({
    // Only MKPDUs are offered to the link as they are (the Uncontrolled Port, past the SecY); traffic goes
    // through the SecY in bursts (offerNext) and into the queue with link.enqueue.
    transmit: (frame) => ({ frame }),
    receive(frame) {
      // Every frame goes through the SecY (a Strict one counts an MKPDU InPktsNoTag on the Controlled Port);
      // an EAPOL frame also reaches the KaY through the Uncontrolled Port.
      const o = secy[side].receive(frame);
      if (isEapolFrame(frame)) kayVerdict = deliverToKay(side, frame);
      return o.kind === 'dropped' ? { dropped: o.counter } : { port: o.kind, frame: o.frame, counter: o.counter };
    },
    ...(bursts ? { arrive: (frame: WireFrame, at: number) => held(side, frame, at) } : {}),
  });

  const forge = (like: WireFrame, r: Rng): Uint8Array => {
    // A frame like the real one (same addresses, SCI, AN, a fresh PN) under a key the link does not use.
    const parsed = parseMacsecFrame(like.bytes, { allowZeroPN: suite.xpn });
    const plain = buildFrame({ da: like.bytes.subarray(0, 6), sa: like.bytes.subarray(6, 12), size: 128, sequence: 0xffff_ffff, sentAt: clock.now, payload: 'text' }, r);
    const key = r.fill(new Uint8Array(suite.keyLength));
    const sa = new SaContext({ suite, key, ...(suite.xpn ? { ssci: r.fill(new Uint8Array(4)), salt: r.fill(new Uint8Array(12)) } : {}) });
    const tag = parsed.ok ? parsed.value.secTag : undefined;
    const out = protect(sa, plain, {
      ...transmitTci(tag?.an ?? 0, { includeSci: tag?.tci.sc ?? true, endStation: tag?.tci.es ?? false, scb: tag?.tci.scb ?? false, confidentiality: tag?.tci.e ?? true }),
      pn: BigInt(Math.min((tag?.pn ?? 1) + 1, 0xffff_ffff)),
      sci: sci[like.from],
      confidentialityOffset: 0,
    });
    sa.wipe();
    return out;
  };

  const actors: Record<Side, WireActor[]> = {
    a: scenario.actors.a.map((spec) => makeActor(spec, forge)),
    b: scenario.actors.b.map((spec) => makeActor(spec, forge)),
  };

  function refused(side: Side, reason: string, frame: Uint8Array): void {
    if (kayFrames.has(frame)) bump(mkaWire[side].refused, reason);
    else bump(stats[side].refused, reason);
    emit?.({ kind: 'refused', side, reason, mkpdu: kayFrames.has(frame) });
  }
  const link = new Link(clock, { a: endpoint('a'), b: endpoint('b') }, scenario.link, actors, rng.fork('wire'), {
    onRefused: refused,
    onWire(frame) {
      if (frame.madeBy === undefined && (scenario.mka === undefined || !kayFrames.has(frame.bytes))) {
        stats[frame.from].sent++;
        onTheWire[frame.from].add(frame.id);
      }
      emit?.({ kind: 'sent', from: frame.from, id: frame.id, bytes: frame.bytes, mkpdu: kayFrames.has(frame.bytes) });
    },
    onTouch(actor, frame, action) {
      emit?.({ kind: 'touched', from: frame.from, id: frame.id, actor, action });
      const key = actorKey(frame.from, actor);
      const a = actorStats.get(key) ?? { side: frame.from, name: actor, touched: 0, fate: {}, examples: [] };
      actorStats.set(key, a);
      a.touched++;
      if (a.examples.length < 5) a.examples.push(`frame ${frame.id}: ${action}`);
      const list = touched.get(frame.id) ?? [];
      list.push({ actor, side: frame.from });
      touched.set(frame.id, list);
      if (action === 'dropped') {
        bump(a.fate, 'not delivered (dropped on the wire)');
        onTheWire[frame.from].delete(frame.id);
      }
    },
    onArrival({ frame, at, result }) {
      const from = frame.from;
      onTheWire[from].delete(frame.id);
      capture(WIRE, at, frame.bytes);
      const counter = 'dropped' in result ? result.dropped : (result.counter ?? result.port);
      const mkpdu = scenario.mka !== undefined && isEapolFrame(frame.bytes);
      emit?.({ kind: 'arrived', from, id: frame.id, bytes: frame.bytes, madeBy: frame.madeBy, outcome: counter, mkpdu, kay: mkpdu ? kayVerdict : undefined });
      if (mkpdu) {
        // MKPDUs are the KaYs' business, kept out of the traffic statistics.
        bump(mkaWire[from].controlledPort, counter);
        bump(mkaWire[from].atPeerKay, kayVerdict);
        for (const t of touched.get(frame.id) ?? []) bump(fateOf(t), `MKPDU ${kayVerdict}`);
        touched.delete(frame.id);
        return;
      }
      const plain = 'dropped' in result || result.port !== 'controlled' ? undefined : result.frame;
      arrived(frame, at, counter, plain ?? frame.bytes, 0, plain === undefined ? -1 : plain.length);
    },
  });

  /**
   * What became of a traffic frame at the far port: the counter it landed in, and the frame delivered to the
   * Controlled Port at data[off], `length` octets (length -1 when none was).
   */
  function arrived(frame: WireFrame, at: number, counter: string, data: Uint8Array, off: number, length: number): void {
    const from = frame.from;
    const st = stats[from];
    st.arrived++;
    if (at > lastTrafficAt) lastTrafficAt = at; // receive bursts report after frames offered later
    bump(st.outcomes, counter);
    if (touched.size > 0) {
      for (const t of touched.get(frame.id) ?? []) bump(fateOf(t), counter);
      touched.delete(frame.id);
    }
    if (length < 0) return;
    captureAt(RECEIVED_BY[from], at, data, off, length);
    const o = trafficHeaderAt(data, off, length);
    if (o < 0) return;
    if (at > lastDelivery) lastDelivery = at;
    const sequence = readU32(data, o); // the traffic header's sequence number
    if (delivered[from].has(sequence)) {
      st.deliveredAgain++;
      return;
    }
    delivered[from].add(sequence);
    st.deliveredUnique++;
    if (sequence < highest[from]) st.outOfOrder++;
    highest[from] = Math.max(highest[from], sequence);
    latencies[from].add(at - trafficSentAt(data, o));
  }

  // ------------------------------------------------------------------ receive bursts
  /** Frames that reached `side` and wait for its SecY, received together at the next flush. */
  const waiting: Record<Side, ReceiveBurst> = { a: new ReceiveBurst(), b: new ReceiveBurst() };
  /** A frame reached `side` (with bursts): on the wire capture now, through the SecY with the frames that follow it. */
  function held(side: Side, frame: WireFrame, at: number): void {
    onTheWire[frame.from].delete(frame.id);
    capture(WIRE, at, frame.bytes);
    if (waiting[side].add(frame, at)) flushReceive(side);
  }
  /** Receives `side`'s waiting frames in one packed call, then counts each as it arrived. */
  function flushReceive(side: Side): void {
    const w = waiting[side];
    const n = w.input.count;
    if (n === 0) return;
    // Fresh output: a capture may keep the delivered frames.
    const output: PackedFrames = { data: new Uint8Array(w.octets + n * PACKED_ROOM), offsets: w.outOffsets, lengths: w.outLengths, count: 0 };
    secy[side].receivePacked(w.input, output, w.outcomes);
    const frames = w.take();
    const codes = w.outcomes.codes;
    for (let i = 0; i < n; i++) {
      const code = codes[i]!;
      arrived(frames[i]!, w.ats[i]!, PACKED_CODE_NAMES[code]!, output.data, output.offsets[i]!, PACKED_DELIVERED[code] === 1 ? output.lengths[i]! : -1);
    }
  }
  // Frames received late must be counted before anything reads or changes a SecY.
  clock.beforeBarrier = () => {
    flushReceive('a');
    flushReceive('b');
  };

  // ------------------------------------------------------------------ key agreement (MKA)
  const mkaWire: Record<Side, { refused: Record<string, number>; controlledPort: Record<string, number>; atPeerKay: Record<string, number> }> = {
    a: { refused: {}, controlledPort: {}, atPeerKay: {} },
    b: { refused: {}, controlledPort: {}, atPeerKay: {} },
  };
  const kayEvents: (KayEvent & { side: Side })[] = [];
  const distributed: SakDistribution[] = [];
  const securedAt: Record<Side, number | undefined> = { a: undefined, b: undefined };
  const timerAt: Record<Side, number | undefined> = { a: undefined, b: undefined };
  /** The last frame of traffic offered or arriving: once all is done the KaYs run one MKA Life Time more. */
  let lastTrafficAt = 0;
  function deliverToKay(side: Side, frame: Uint8Array): string {
    const k = kay[side];
    if (k === undefined) return 'no KaY';
    if (silencedAt[side] !== undefined) return 'unheard (KaY silent)';
    const r = k.receive(frame, clock.now);
    schedule(side);
    return r.accepted ? 'accepted' : `rejected ${r.reason}`;
  }
  /** A KaY event's KN or AN, which its kind always carries. */
  const eventNumber = (e: KayEvent, field: 'kn' | 'an'): number => {
    const v = e[field];
    if (v === undefined) throw new Error(`simulate: KaY event ${e.kind} without ${field}`);
    return v;
  };
  /** Keeps one clock event pending for each KaY, at its next timeout. */
  function schedule(side: Side): void {
    const k = kay[side];
    const mka = scenario.mka;
    if (k === undefined || mka === undefined || silencedAt[side] !== undefined) return;
    const t = Math.max(clock.now, k.nextTimeoutPs());
    if (scenario.durationPs === undefined && finished() && t > lastTrafficAt + mka.lifeTimePs) return;
    const pending = timerAt[side];
    if (pending !== undefined && pending <= t) return; // that event reschedules
    timerAt[side] = t;
    clock.at(
      t,
      () => {
        if (timerAt[side] !== t) return; // superseded by an earlier one
        timerAt[side] = undefined;
        if (silencedAt[side] !== undefined) return;
        k.tick(clock.now);
        schedule(side);
      },
      true,
    );
  }
  if (scenario.mka !== undefined) {
    const m = scenario.mka;
    for (const side of ['a', 'b'] as const) {
      const random = rng.fork(`mka-${side}`);
      kay[side] = new KaY({
        secy: emit === undefined ? secy[side] : observedSecY(secy[side], (p) => saCreated(side, p), (an) => emit({ kind: 'sa', side, op: 'transmit SA deleted', an })),
        cak: side === 'b' ? (m.cakB ?? m.cak) : m.cak,
        ckn: side === 'b' ? (m.cknB ?? m.ckn) : m.ckn,
        mac: PORT_MAC[side],
        keyServerPriority: m.keyServerPriority[side],
        random: (n) => random.fill(new Uint8Array(n)),
        send(frame) {
          kayFrames.add(frame);
          link.offer(side, frame);
        },
        wake: () => schedule(side),
        onEvent(e) {
          kayEvents.push({ ...e, side });
          emit?.({ kind: 'kay', side, event: e });
          if (e.kind === 'sak-distributed') distributed.push({ atPs: e.atPs, side, kn: eventNumber(e, 'kn'), an: eventNumber(e, 'an'), reason: e.reason ?? '' });
          if (e.kind === 'transmit') {
            securedAt[side] ??= e.atPs;
            if (e.fromAn !== undefined) {
              const why = distributed.find((d) => d.kn === e.kn)?.reason;
              rekeys.push({ atPs: e.atPs, side, fromAN: e.fromAn, toAN: eventNumber(e, 'an'), reason: `MKA: SAK KN ${e.kn} from the key server${why ? `, made because ${why}` : ''}` });
            }
          }
        },
        helloTimePs: m.helloTimePs,
        lifeTimePs: m.lifeTimePs,
        retireTimePs: m.retireTimePs,
        policy: m.policy,
        ...(m.confidentialityOffset !== undefined ? { confidentialityOffset: m.confidentialityOffset } : {}),
        firstTransmitPN: scenario.keys.initialPN < 1n ? 1n : scenario.keys.initialPN,
      });
      clock.at(0, () => schedule(side), true);
    }
    if (m.silence !== undefined) {
      const { side, atPs } = m.silence;
      clock.at(atPs, () => {
        silencedAt[side] = clock.now;
        const e: KayEvent = { atPs: clock.now, kind: 'silent', text: 'KaY silent from now on (scenario): it sends and hears no MKPDU; its SecY keeps its SAs' };
        kayEvents.push({ ...e, side });
        emit?.({ kind: 'kay', side, event: e });
      }, true);
    }
  }

  // ------------------------------------------------------------------ traffic
  const totalOffered = scenario.traffic.reduce((n, f) => n + f.frames, 0);
  let offeredSoFar = 0;
  const flowRng = rng.fork('traffic');
  const overhead = macsecOverhead(s.alwaysIncludeSCI);
  const sequence: Record<Side, number> = { a: 0, b: 0 };
  /**
   * A flow's frames go through their SecY a burst ahead of their times (built straight into the packed
   * input) and are offered each at its own time, so the events and their order are those of frame-by-frame
   * sending. A burst ends before the first event that could change or read a SecY (a barrier: rekeys,
   * retirement, the timeline, MKA) or share this flow's state (another flow of the same port, or one that
   * also draws from the traffic generator), at the run's end, and with the frame that raises rekeyNeeded.
   */
  interface FlowRun {
    readonly flow: TrafficFlow;
    readonly number: number;
    readonly usesRng: boolean;
    /** Room for one frame: the flow's largest. */
    readonly frameRoom: number;
    readonly params: { da: Uint8Array; sa: Uint8Array; size: number; sequence: number; sentAt: number; vlan: TrafficFlow['vlan']; payload: TrafficFlow['payload'] };
    /** Frames built and offered so far. */
    built: number;
    offered: number;
    input: PackedFrames;
    output: PackedFrames;
    readonly outcomes: PackedOutcomes;
    /** When the frame after burst frame j is offered. */
    readonly nextAt: Float64Array;
    /** The burst's frames, and the next to offer. */
    count: number;
    at: number;
    /** rekeyNeeded raised while the burst went through the SecY, and the burst frame that raised it (-1: none). */
    readonly rekeys: { pn: bigint; reason: string }[];
    rekeyAt: number;
    rekeyReason: string;
  }
  const largest = (size: TrafficFlow['size']): number => (typeof size === 'number' ? size : size === 'imix' ? Math.max(...IMIX.map((x) => x.size)) : size.sweep[1]);
  const flows: FlowRun[] = scenario.traffic.map((flow, number) => ({
    flow,
    number,
    usesRng: flow.size === 'imix' || flow.payload === 'random',
    frameRoom: builtLength({ size: largest(flow.size), vlan: flow.vlan }),
    params: { da: PORT_MAC[other(flow.from)], sa: PORT_MAC[flow.from], size: 0, sequence: 0, sentAt: 0, vlan: flow.vlan, payload: flow.payload },
    built: 0,
    offered: 0,
    input: packedFrames(BURST_FRAMES, 0),
    output: packedFrames(BURST_FRAMES, 0),
    outcomes: packedOutcomes(BURST_FRAMES),
    nextAt: new Float64Array(BURST_FRAMES),
    count: 0,
    at: 0,
    rekeys: [],
    rekeyAt: -1,
    rekeyReason: '',
  }));
  const rekeyThreshold = secy.a.controls.rekeyThreshold;
  /** Frames `side` may send up to and including the one that raises rekeyNeeded (Infinity when that is a burst or more away). */
  function rekeyRoom(side: Side): number {
    const y = secy[side];
    const sa = y.transmitSAState(y.encodingSA);
    if (sa === undefined) return Infinity;
    const left = rekeyThreshold - sa.nextPN;
    return left < 0n ? 1 : left >= BigInt(BURST_FRAMES) ? Infinity : Number(left) + 1;
  }
  /** The burst being prepared (its frames in the SecY): rekeyNeeded is noted on it. */
  let preparing: FlowRun | undefined;
  /** Frames through their SecY and not yet offered: the run may stop only at 0. */
  let ahead = 0;
  /** Frames a burst may hold now (1 once a stop is asked for). */
  let burstLimit = bursts ? BURST_FRAMES : 1;
  const until = scenario.durationPs ?? Number.MAX_SAFE_INTEGER;

  function prepare(f: FlowRun): void {
    const flow = f.flow;
    const from = flow.from;
    let limit = Math.min(burstLimit, flow.frames - f.built);
    let before = Infinity;
    if (limit > 1) {
      if (scenario.mka === undefined) limit = Math.min(limit, rekeyRoom(from));
      const conflicts = (kind: number, arg: number): boolean =>
        clock.isBarrier(kind) || (kind === sourceKind && arg !== f.number && (flows[arg]!.flow.from === from || (f.usesRng && flows[arg]!.usesRng)));
      before = Math.min(clock.firstTime(conflicts), until + 1);
    }
    // Fresh buffers: captures and the link's queue keep views of the frames.
    const data = new Uint8Array(limit * f.frameRoom);
    const { offsets, lengths } = f.input;
    const p = f.params;
    const burst = flow.burst;
    let t = clock.now;
    let octets = 0;
    let n = 0;
    while (n < limit && (n === 0 || t < before)) {
      p.size = frameSize(flow.size, f.built, flowRng);
      p.sequence = sequence[from]++;
      p.sentAt = t;
      const length = buildFrameAt(p, flowRng, data, octets);
      offsets[n] = octets;
      lengths[n] = length;
      octets += length;
      f.built++;
      // The gap keeps the offered load on the wire, counting the MACsec overhead the frame will carry.
      const onWire = serializationPs(length + (s.protectFrames ? overhead : 0), scenario.link.rate);
      const gap = burst && f.built % burst.frames === 0 ? onWire + burst.gapPs : burst ? onWire : onWire / flow.load;
      t = Math.round(t + gap);
      f.nextAt[n] = t;
      n++;
    }
    f.input = { data, offsets, lengths, count: n };
    f.output = { data: new Uint8Array(octets + n * PACKED_ROOM), offsets: f.output.offsets, lengths: f.output.lengths, count: 0 };
    f.rekeys.length = 0;
    preparing = f;
    try {
      secy[from].transmitPacked(f.input, f.output, f.outcomes);
    } finally {
      preparing = undefined;
    }
    f.rekeyAt = -1;
    for (const r of f.rekeys) {
      const { pnHigh, pnLow } = f.outcomes;
      for (let j = 0; j < n; j++) {
        if (((BigInt(pnHigh[j]!) << 32n) | BigInt(pnLow[j]!)) !== r.pn) continue;
        f.rekeyAt = j;
        f.rekeyReason = r.reason;
      }
    }
    f.count = n;
    f.at = 0;
    ahead += n;
  }

  /** The flow's next frame, offered now: what its SecY made of it goes into the queue or is refused. */
  function offerNext(f: FlowRun): void {
    if (f.offered >= f.flow.frames) return;
    if (f.at === f.count) prepare(f);
    const j = f.at++;
    ahead--;
    const from = f.flow.from;
    const { data, offsets, lengths } = f.input;
    const length = lengths[j]!;
    stats[from].offered++;
    plainBits[from].plain += wireOctets(length);
    plainBits[from].wire += wireOctets(length + (s.protectFrames ? overhead : 0));
    captureAt(SENT_BY[from], clock.now, data, offsets[j]!, length);
    lastTrafficAt = clock.now;
    if (j === f.rekeyAt) {
      const reason = f.rekeyReason;
      clock.after(0, () => rekey(from, reason), true);
    }
    const code = f.outcomes.codes[j]!;
    const out = f.output;
    const o = out.offsets[j]!;
    const mpdu = octetsAt(out.data, o, out.lengths[j]!);
    if (PACKED_SENT[code] === 1) link.enqueue(from, mpdu, mpdu);
    else refused(from, PACKED_CODE_NAMES[code]!, mpdu);
    f.offered++;
    offeredSoFar++;
    clock.atKind(f.nextAt[j]!, sourceKind, f.number);
  }
  const sourceKind = clock.kind((number) => offerNext(flows[number]!));
  for (const f of flows) clock.atKind(f.flow.startPs, sourceKind, f.number);

  // ------------------------------------------------------------------ run
  const timeline: TimelinePoint[] = [];
  const sample = (): void => {
    timeline.push({ atPs: clock.now, a: secy.a.counters().secy, b: secy.b.counters().secy });
  };
  function finished(): boolean {
    return offeredSoFar >= totalOffered && link.queueLength('a') === 0 && link.queueLength('b') === 0;
  }
  if (scenario.timelinePs !== undefined) {
    let every = scenario.timelinePs;
    const tick = (): void => {
      sample();
      // A bounded timeline: past MAX_TIMELINE_POINTS, every other point goes and the interval doubles.
      if (timeline.length > MAX_TIMELINE_POINTS) {
        let kept = 0;
        for (let i = 0; i < timeline.length; i += 2) timeline[kept++] = timeline[i]!;
        timeline.length = kept;
        every *= 2;
      }
      if (!finished()) clock.after(every, tick, true);
    };
    clock.at(0, tick, true);
  }
  let stoppedEarly = false;
  let stopAsked = false;
  let budget = 0;
  const stop = (): boolean => {
    if (!stopAsked && options.shouldStop?.() === true) {
      stopAsked = true;
      burstLimit = 1; // the frames already through a SecY are offered first
    }
    if (stopAsked && ahead === 0) stoppedEarly = true;
    return stoppedEarly || budget-- <= 0;
  };
  const runOut = function* (): Generator<number> {
    while (!stoppedEarly && clock.pending > 0 && clock.now <= until) {
      budget = SLICE_EVENTS;
      const ran = clock.run(until, stop);
      flushReceive('a');
      flushReceive('b');
      if (ran === 0) break;
      yield scenario.durationPs !== undefined ? Math.min(1, clock.now / scenario.durationPs) : offeredSoFar / Math.max(1, totalOffered);
    }
  };
  yield* runOut();
  if (!stoppedEarly) {
    link.flush();
    yield* runOut();
  }
  if (timeline.at(-1)?.atPs !== clock.now) sample();
  options.onProgress?.(1);

  // ------------------------------------------------------------------ summary
  const elapsed = Math.max(clock.now, 1);
  const direction = (from: Side): DirectionStats => {
    const st = stats[from];
    const l = latencies[from];
    st.latency = l.count === 0 ? undefined : { minPs: l.min, meanPs: Math.round(l.sum / l.count), p50Ps: l.quantile(0.5), p99Ps: l.quantile(0.99), maxPs: l.max };
    st.inFlight = inFlight(from);
    st.lost = st.offered - st.deliveredUnique - st.inFlight;
    // Goodput: user frames (as offered, FCS included) delivered, per second of the run so far.
    const deliveredShare = st.offered === 0 ? 0 : st.deliveredUnique / st.offered;
    const userBits = (plainBits[from].plain - 20 * st.offered) * 8 * deliveredShare;
    st.goodputBps = lastDelivery > 0 ? (userBits * PS_PER_S) / elapsed : 0;
    st.goodputShare = st.goodputBps / scenario.link.rate;
    const { plain, wire } = plainBits[from];
    st.macsecEfficiency = wire === 0 ? 1 : (plain - PREAMBLE_SFD_IFG * st.offered) / wire;
    st.preambleShare = wire === 0 ? 0 : (PREAMBLE_SFD_IFG * st.offered) / wire;
    st.macsecShare = wire === 0 ? 0 : (wire - plain) / wire;
    return st;
  };
  const smallest = Math.min(...scenario.traffic.map((f) => (typeof f.size === 'number' ? f.size : f.size === 'imix' ? 64 : f.size.sweep[0])));
  const fps = maxFrameRate(smallest - 4 + (s.protectFrames ? overhead : 0), scenario.link.rate);
  let mkaSummary: MkaSummary | undefined;
  if (scenario.mka !== undefined) {
    const side = (x: Side): MkaSideSummary => {
      const y = secy[x];
      const receiveSAs = y.receiveSCIs().flatMap((s) => [0, 1, 2, 3].filter((an) => y.receiveSAState(s, an) !== undefined).map((an) => ({ sci: s, an })));
      return {
        kay: kay[x]!.status(),
        silencedAtPs: silencedAt[x],
        securedAtPs: securedAt[x],
        controlledPort: mkaWire[x].controlledPort,
        atPeerKay: mkaWire[x].atPeerKay,
        secy: {
          encodingAN: y.encodingSA,
          transmitANs: [0, 1, 2, 3].filter((an) => y.transmitSAState(an) !== undefined),
          receiveSAs,
          protectFrames: y.controls.protectFrames,
          validateFrames: y.controls.validateFrames,
        },
      };
    };
    kayEvents.sort((x, y) => x.atPs - y.atPs); // stable: same-time events keep their order
    mkaSummary = { policy: scenario.mka.policy, sides: { a: side('a'), b: side('b') }, distributed, events: kayEvents };
  }
  const result: SimulationSummary = {
    scenario: scenario.name,
    seed,
    stoppedEarly,
    elapsedPs: clock.now,
    lineRateBps: scenario.link.rate,
    propagationPs: link.propagationPs,
    directions: { 'a->b': direction('a'), 'b->a': direction('b') },
    actors: [...actorStats.values()].map((a) => ({ side: a.side, name: a.name, touched: a.touched, fate: a.fate, examples: a.examples })),
    rekeys,
    timeline,
    counters: { a: secy.a.counters().secy, b: secy.b.counters().secy },
    pnBudget: { frameOctets: smallest, framesPerSecond: fps, plainSeconds: 2 ** 32 / fps, xpnSeconds: 2 ** 64 / fps },
    lessons: scenario.lessons,
    captures: { wire: captured[WIRE]!, 'a-sent': captured[SENT_BY.a]!, 'a-received': captured[RECEIVED_BY.b]!, 'b-sent': captured[SENT_BY.b]!, 'b-received': captured[RECEIVED_BY.a]! },
    ...(mkaSummary !== undefined ? { mka: mkaSummary } : {}),
  };
  kay.a?.destroy();
  kay.b?.destroy();
  secy.a.destroy();
  secy.b.destroy();
  return result;
}

/** The SecY as a KaY uses it, reporting the transmit SAs the KaY creates and deletes (only when observed). */
function observedSecY(y: SecY, created: (p: TransmitSAParams) => void, deleted: (an: number) => void): SecY {
  return new Proxy(y, {
    get(target, name) {
      if (name === 'createTransmitSA') return (p: TransmitSAParams) => (target.createTransmitSA(p), created(p));
      if (name === 'deleteTransmitSA') return (an: number) => (target.deleteTransmitSA(an), deleted(an));
      const v: unknown = Reflect.get(target, name, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** Every frame a SecY received is in exactly one receive counter; every frame given to transmit in one transmit counter. */
export function conservation(c: Readonly<SecYCounters>): { received: number; transmitted: number } {
  return {
    received: RECEIVE_PACKET_COUNTERS.reduce((n, k) => n + c[k], 0),
    transmitted: TRANSMIT_PACKET_COUNTERS.reduce((n, k) => n + c[k], 0),
  };
}

