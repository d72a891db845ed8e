/**
 * The link lab's engine: runs a scenario with macsec-sim's own `simulate` (same seed, same bytes as
 * `macsec simulate`), keeps the run as a list of steps and answers the page's "show step n".
 *
 * Stepping back: every kept step holds both ports as they were just after it (the observer's snapshot), so
 * any step is shown at once, back or forward, without running anything again. Memory stays bounded: past
 * MAX_STEPS the list keeps every second step and then only every `stride`-th event (stride doubling each
 * time it fills), the end of the run always kept, so a long run is sampled, not held whole.
 */
import { decodeScenario, PORT_MAC, simulate, type PortView, type Scenario, type SimEvent, type Side } from 'macsec-sim/link';
import { decodeMkpdu, ParameterSetType } from 'macsec-sim/mka';
import { DEFAULT_REKEY_THRESHOLD, DEFAULT_REKEY_THRESHOLD_XPN } from 'macsec-sim/secy';
import { parseMacsecFrame, toHex } from 'macsec-sim/wire';
import type { Fate, InFlight, MkpduRow, Reply, Request, Row, RunSummary, Strip, StripCell, StepView } from './protocol.js';

const MAX_STEPS = 20_000;
/** Side lists (MKPDUs, key events) keep at most this many rows. */
const MAX_SIDE_ROWS = 2_000;
const LIST_BEFORE = 12;
const LIST_AFTER = 12;
const STRIP_CELLS = 40;

interface KeyRec {
  readonly sak: string;
  readonly ssci: string | undefined;
  readonly salt: string | undefined;
}

interface Step {
  /** Index of the event in the whole run (0: the start, before any event). */
  readonly seq: number;
  readonly atPs: number;
  readonly text: string;
  readonly fate: Fate;
  readonly ports: Readonly<Record<Side, PortView>>;
  readonly sak: Readonly<Record<Side, string>>;
  /** The latest election as the KaYs reported it. */
  readonly election: string;
  readonly frameLab?: string;
  /** For arrivals of MACsec frames: receiver, AN, the PN's low 32 bits and the counter it landed in. */
  readonly arrival?: { readonly to: Side; readonly an: number; readonly pn: number; readonly outcome: string };
  /** For every arrival: when the frame left its port (or an actor made it), for the wire's in-flight view. */
  readonly flight?: { readonly from: Side; readonly sentAtPs: number; readonly fate: Fate; readonly label: string };
}

const other = (s: Side): Side => (s === 'a' ? 'b' : 'a');
const sciHex = (side: Side): string => `${toHex(PORT_MAC[side])}0001`;
const post = (r: Reply): void => postMessage(r);

function fateOf(outcome: string): Fate {
  if (/OK|Unchecked|Delayed|^controlled$/.test(outcome)) return 'ok';
  if (/Late/.test(outcome)) return 'late';
  if (/NotValid|Invalid|BadTag|NoSA|NoTag|Untagged|Overrun|Unknown/.test(outcome)) return 'bad';
  return 'other';
}

const SET_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ParameterSetType).map(([k, v]) => [v, k]));

function mkpduSets(bytes: Uint8Array): string[] {
  const m = decodeMkpdu(bytes);
  if (!m.ok) return [`undecodable: ${m.error.message}`];
  const p = m.value;
  const b = p.basic;
  const out = [`Basic: priority ${b.keyServerPriority}${b.keyServer ? ', key server' : ''}, MI ${toHex(b.mi).slice(0, 8)}…, MN ${b.mn}`];
  if (p.livePeers) out.push(`Live Peer List: ${p.livePeers.peers.map((x) => `MI ${toHex(x.mi).slice(0, 8)}… MN ${x.mn}`).join(', ') || 'empty'}`);
  if (p.potentialPeers) out.push(`Potential Peer List: ${p.potentialPeers.peers.map((x) => `MI ${toHex(x.mi).slice(0, 8)}… MN ${x.mn}`).join(', ') || 'empty'}`);
  if (p.sakUse) {
    const u = p.sakUse;
    out.push(u.keys ? `SAK Use: latest KN ${u.keys.latestKi.kn} AN ${u.latestAn}${u.latestTx ? ' tx' : ''}${u.latestRx ? ' rx' : ''}, lowest acceptable PN ${u.keys.latestLowestPn}` : 'SAK Use: no SAK yet');
  }
  if (p.distributedSak) {
    const d = p.distributedSak;
    out.push(d.key ? `Distributed SAK: KN ${d.key.kn}, AN ${d.an}, wrapped under the KEK (${d.key.wrappedSak.length} octets)` : 'Distributed SAK: MACsec not to be used');
  }
  if (p.xpn) out.push('XPN: upper halves of the lowest acceptable PNs');
  for (const o of p.others) out.push(`${SET_NAMES[o.type] ?? `type ${o.type}`} (not decoded)`);
  return out;
}

/** What a tap on the wire learns from one protected frame, and what stays hidden. */
function tapView(bytes: Uint8Array, xpn: boolean): string[] {
  const parsed = parseMacsecFrame(bytes, { allowZeroPN: xpn, clearTags: 'auto' });
  if (!parsed.ok) return [`frames in clear (${bytes.length} octets): everything, addresses and payload alike`];
  const f = parsed.value;
  const t = f.secTag;
  const data = bytes.subarray(f.secureDataOffset, f.secureDataOffset + f.secureDataLength);
  const text = new TextDecoder().decode(data).match(/[ -~]{16,}/)?.[0];
  return [
    `seen: DA ${toHex(bytes.subarray(0, 6))}, SA ${toHex(bytes.subarray(6, 12))}, frame length ${bytes.length} octets, timing`,
    `seen: the SecTAG: AN ${t.an}, PN ${t.pn}${t.sci ? `, SCI ${toHex(t.sci)}` : ''}, E=${t.tci.e ? 1 : 0} C=${t.tci.c ? 1 : 0}`,
    text !== undefined ? `seen: the payload, in clear (integrity only): "${text.slice(0, 48)}…"` : 'hidden: the payload (ciphertext) and the inner EtherType',
    'hidden: the SAK, the salt and, for XPN, the upper half of the PN; the ICV proves the frame, it reveals nothing',
  ];
}

let steps: Step[] = [];
let mkpdus: (MkpduRow & { seq: number })[] = [];
let keyRows: (Row & { seq: number })[] = [];
let summary: RunSummary | undefined;
let scenario: Scenario | undefined;

function run(doc: unknown, seedParam: number | undefined): void {
  const sc = decodeScenario(doc, 'scenario');
  scenario = sc;
  const suite = sc.secy.cipherSuite;
  steps = [];
  mkpdus = [];
  keyRows = [];
  let stride = 1;
  let seq = 0;
  const keys = new Map<string, KeyRec>();
  const noKey = sc.mka === undefined ? 'no KaY (static SAs)' : 'none';
  const sak: Record<Side, string> = { a: noKey, b: noKey };
  let election = '';
  let last: Readonly<Record<Side, PortView>> | undefined;
  let eavesdropper: string[] = [];
  /** When each frame on its way left (by wire id); deleted on arrival, so it holds only frames in flight. */
  const leftAt = new Map<number, number>();

  /** The frame lab's hash for a frame, with the receiver's lowestPN just before it arrives (XPN recovers the PN's upper half from it). */
  const labHash = (from: Side, bytes: Uint8Array, ports: Readonly<Record<Side, PortView>> | undefined): { hash?: string; an: number; pn: number } | undefined => {
    const parsed = parseMacsecFrame(bytes, { allowZeroPN: suite.xpn, clearTags: 'auto' });
    if (!parsed.ok) return undefined;
    const { an, pn } = parsed.value.secTag;
    const lowest = ports?.[other(from)].receiveSAs.find((r) => r.sci === sciHex(from) && r.an === an)?.lowestPN;
    const k = keys.get(`${from}:${an}`);
    if (k === undefined) return { an, pn };
    const s = sc.secy;
    const xpn = k.ssci !== undefined && k.salt !== undefined ? `&ssci=${k.ssci}&salt=${k.salt}` : '';
    const low = lowest !== undefined ? `&lowest=${lowest}` : '';
    const hash =
      `protected=${toHex(bytes)}&suite=${suite.name}&key=${k.sak}&sci=${sciHex(from)}&an=${an}${xpn}` +
      `&offset=${s.confidentialityOffset}&validate=${s.validateFrames.toLowerCase()}&replayProtect=${s.replayProtect ? 1 : 0}&window=${s.replayWindow}${low}`;
    return { hash, an, pn };
  };

  const keep = (step: Step): void => {
    if (steps.length >= MAX_STEPS) {
      steps = steps.filter((_, i) => i % 2 === 0);
      stride *= 2;
    }
    if (step.seq % stride === 0) steps.push(step);
  };
  const side = <T>(list: T[], row: T): void => {
    if (list.length < MAX_SIDE_ROWS) list.push(row);
  };

  const onEvent = (e: SimEvent): void => {
    seq++;
    const before = last;
    last = e.ports;
    let text: string;
    let fate: Fate;
    let frameLab: string | undefined;
    let arrival: Step['arrival'];
    let flight: Step['flight'];
    switch (e.kind) {
      case 'sent': {
        leftAt.set(e.id, e.atPs);
        const to = other(e.from);
        if (e.mkpdu) {
          text = `${e.from} → ${to}: MKPDU on the wire (${e.bytes.length} octets, EAPOL, never protected)`;
          fate = 'mka';
          break;
        }
        const lab = labHash(e.from, e.bytes, before);
        text = `${e.from} → ${to}: frame ${e.id} on the wire, ${lab ? `AN ${lab.an}, PN ${lab.pn}, ` : 'in clear, '}${e.bytes.length} octets`;
        fate = 'wire';
        frameLab = lab?.hash;
        if (eavesdropper.length === 0) eavesdropper = tapView(e.bytes, suite.xpn);
        break;
      }
      case 'arrived': {
        const to = other(e.from);
        const copy = e.madeBy !== undefined ? ` (${e.madeBy}'s copy)` : '';
        const sentAtPs = leftAt.get(e.id) ?? e.atPs;
        leftAt.delete(e.id);
        if (e.mkpdu) {
          text = `${to} got an MKPDU from ${e.from}${copy}: its KaY ${e.kay ?? 'did not hear it'}; Controlled Port ${e.outcome}`;
          fate = 'mka';
          const m = decodeMkpdu(e.bytes);
          const wrapped = m.ok ? m.value.distributedSak?.key?.wrappedSak : undefined;
          flight = { from: e.from, sentAtPs, fate: 'mka', label: 'MKPDU' };
          side(mkpdus, { index: seq, seq, atPs: e.atPs, from: e.from, sets: mkpduSets(e.bytes), verdict: e.kay ?? '', ...(wrapped ? { wrapped: toHex(wrapped) } : {}) });
          break;
        }
        const lab = labHash(e.from, e.bytes, before);
        text = `${to} got frame ${e.id} from ${e.from}${copy}${lab ? ` (AN ${lab.an}, PN ${lab.pn})` : ''}: ${e.outcome}`;
        fate = fateOf(e.outcome);
        frameLab = lab?.hash;
        if (lab) arrival = { to, an: lab.an, pn: lab.pn, outcome: e.outcome };
        flight = { from: e.from, sentAtPs, fate, label: `frame ${e.id}${lab ? ` PN ${lab.pn}` : ''}: ${e.outcome}` };
        break;
      }
      case 'refused':
        text = `${e.side} refused ${e.mkpdu ? 'an MKPDU' : 'a frame'} before the wire: ${e.reason}`;
        fate = 'bad';
        break;
      case 'touched':
        if (!leftAt.has(e.id)) leftAt.set(e.id, e.atPs);
        text = `${e.actor} on ${e.from} → ${other(e.from)}: frame ${e.id} ${e.action}`;
        fate = 'actor';
        break;
      case 'sa':
        if (e.op === 'transmit SA created' && e.sak !== undefined) {
          keys.set(`${e.side}:${e.an}`, { sak: toHex(e.sak), ssci: e.ssci && toHex(e.ssci), salt: e.salt && toHex(e.salt) });
          e.sak.fill(0);
        }
        text = `${e.side}: ${e.op} under AN ${e.an}${e.op === 'transmit SA created' ? ` (its peer's receive SA ${sc.mka ? 'comes with the same SAK' : 'was installed first'})` : ''}`;
        fate = 'key';
        side(keyRows, { index: seq, seq, atPs: e.atPs, text, fate });
        break;
      case 'kay': {
        const k = e.event;
        if (k.kind === 'transmit' && k.kn !== undefined && k.an !== undefined) sak[e.side] = `KN ${k.kn}, AN ${k.an}`;
        if (k.kind === 'no-live-peer') sak[e.side] = noKey;
        if (k.kind === 'key-server') election = `${e.side}: ${k.text}`;
        text = `${e.side} KaY: ${k.text}`;
        fate = 'key';
        side(keyRows, { index: seq, seq, atPs: e.atPs, text, fate });
        break;
      }
    }
    keep({ seq, atPs: e.atPs, text, fate, ports: e.ports, sak: { ...sak }, election, ...(frameLab ? { frameLab } : {}), ...(arrival ? { arrival } : {}), ...(flight ? { flight } : {}) });
  };

  let lastProgress = 0;
  const result = simulate(sc, {
    ...(seedParam !== undefined ? { seed: seedParam } : {}),
    backend: 'noble',
    onEvent,
    onProgress: (done) => {
      if (done - lastProgress >= 0.05 || done === 1) post({ type: 'progress', done: (lastProgress = done) });
    },
  });
  const zero = Object.fromEntries(Object.keys(result.counters.a).map((k) => [k, 0])) as unknown as PortView['counters'];
  const empty: PortView = { counters: zero, encodingAN: 0, transmitSAs: [], receiveSAs: [] };
  steps.unshift({ seq: 0, atPs: 0, text: 'start: nothing has happened yet', fate: 'other', ports: { a: empty, b: empty }, sak: { a: noKey, b: noKey }, election: '' });
  const end = last ?? { a: empty, b: empty };
  steps.push({
    seq: seq + 1,
    atPs: result.elapsedPs,
    text: `end of the run${result.stoppedEarly ? ' (stopped at its duration)' : ''}: the counters as macsec simulate --json reports them`,
    fate: 'other',
    ports: { a: { ...end.a, counters: result.counters.a }, b: { ...end.b, counters: result.counters.b } },
    sak: steps.at(-1)!.sak,
    election: steps.at(-1)!.election,
  });
  summary = {
    name: result.scenario,
    seed: result.seed,
    total: steps.length,
    events: seq,
    stride,
    elapsedPs: result.elapsedPs,
    counters: result.counters,
    actors: result.actors,
    lessons: result.lessons,
    pnBudget: result.pnBudget,
    xpn: suite.xpn,
    delivery: {
      'a->b': { offered: result.directions['a->b'].offered, delivered: result.directions['a->b'].deliveredUnique, lost: result.directions['a->b'].lost },
      'b->a': { offered: result.directions['b->a'].offered, delivered: result.directions['b->a'].deliveredUnique, lost: result.directions['b->a'].lost },
    },
    rekeyAtPN: sc.keys.rekeyAtPN ?? (suite.xpn ? DEFAULT_REKEY_THRESHOLD_XPN : DEFAULT_REKEY_THRESHOLD),
    suite: suite.name,
    mka: sc.mka !== undefined,
    kayCounters: result.mka && { a: { ...result.mka.sides.a.kay.counters }, b: { ...result.mka.sides.b.kay.counters } },
    eavesdropper,
  };
  post({ type: 'ran', summary });
}

const row = (s: Step, index: number): Row => ({ index, atPs: s.atPs, text: s.text, fate: s.fate, ...(s.frameLab ? { frameLab: s.frameLab } : {}) });

/** The receive SA frames of the busier direction land in, around its lowestPN, with the PNs that arrived. */
function strip(at: number): Strip | undefined {
  const sc = scenario!;
  const from: Side = sc.traffic.filter((f) => f.from === 'a').reduce((n, f) => n + f.frames, 0) >= sc.traffic.filter((f) => f.from === 'b').reduce((n, f) => n + f.frames, 0) ? 'a' : 'b';
  const to = other(from);
  const s = steps[at]!;
  const an = s.ports[from].encodingAN;
  const sa = s.ports[to].receiveSAs.find((r) => r.sci === sciHex(from) && r.an === an);
  if (sa === undefined) return undefined;
  const seen = new Map<number, string>();
  for (let i = at; i >= 0 && i > at - 2000 && seen.size < STRIP_CELLS; i--) {
    const a = steps[i]!.arrival;
    if (a && a.to === to && a.an === an && !seen.has(a.pn)) seen.set(a.pn, a.outcome);
  }
  const mask = 0xffff_ffffn;
  const lowest = Number(sa.lowestPN & mask);
  const next = Number(sa.nextPN & mask);
  const first = Math.max(0, next - STRIP_CELLS + 8);
  const cell = (pn: number, current: boolean): StripCell => {
    const zone = pn < lowest ? 'late' : pn < next ? 'window' : 'fresh';
    const o = seen.get(pn);
    return { pn, zone, ...(o !== undefined ? { seen: o } : {}), ...(current ? { current } : {}) };
  };
  const now = s.arrival?.to === to && s.arrival.an === an ? s.arrival.pn : undefined;
  const cells: StripCell[] = [];
  // The frame that just arrived, when its PN is older than the strip (a replayed copy): shown first, then a gap.
  if (now !== undefined && now < first) cells.push(cell(now, true), { pn: -1, zone: 'late', gap: true });
  for (let pn = first; pn < first + STRIP_CELLS; pn++) cells.push(cell(pn, pn === now));
  return { receiver: to, an, lowestPN: sa.lowestPN, nextPN: sa.nextPN, replayWindow: sc.secy.replayWindow, cells };
}

/** The last step at or before a simulated time. */
function stepAt(atPs: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (steps[mid]!.atPs <= atPs) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

function view(requested: number): StepView {
  const at = Math.max(0, Math.min(steps.length - 1, requested));
  const s = steps[at]!;
  const rows: Row[] = [];
  for (let i = Math.max(0, at - LIST_BEFORE); i <= Math.min(steps.length - 1, at + LIST_AFTER); i++) rows.push(row(steps[i]!, i));
  // Frames on the wire at this moment: their arrivals lie ahead in the list, their departures at or before now.
  const inFlight: InFlight[] = [];
  for (let i = at + 1; i < steps.length && i <= at + 400; i++) {
    const f = steps[i]!.flight;
    if (f && f.sentAtPs <= s.atPs) {
      const span = Math.max(1, steps[i]!.atPs - f.sentAtPs);
      inFlight.push({ from: f.from, progress: (s.atPs - f.sentAtPs) / span, fate: f.fate, label: f.label });
    }
  }
  const wire: Row[] = [];
  for (let i = at; i >= 0 && wire.length < 10; i--) if (steps[i]!.arrival !== undefined || steps[i]!.fate === 'mka') wire.push(row(steps[i]!, i));
  const stepOf = (seqNo: number): number => {
    let lo = 0;
    let hi = steps.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (steps[mid]!.seq < seqNo) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return {
    step: at,
    total: steps.length,
    atPs: s.atPs,
    current: row(s, at),
    ports: s.ports,
    rows,
    wire,
    inFlight,
    strip: strip(at),
    sak: s.sak,
    election: s.election,
    mkpdus: mkpdus.filter((m) => m.seq <= s.seq).slice(-40).map(({ seq, ...m }) => ({ ...m, index: stepOf(seq) })),
    keyEvents: keyRows.filter((k) => k.seq <= s.seq).slice(-12).map(({ seq, ...k }) => ({ ...k, index: stepOf(seq) })),
  };
}

onmessage = (m: MessageEvent<Request>) => {
  const r = m.data;
  try {
    if (r.type === 'run') run(r.doc, r.seed);
    else if (summary !== undefined) post({ type: 'view', token: r.token, view: view(r.atPs === undefined ? r.step : stepAt(r.atPs)) });
  } catch (e) {
    post({ type: 'error', message: e instanceof Error ? e.message : String(e) });
  }
};
