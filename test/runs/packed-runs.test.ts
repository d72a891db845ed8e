/**
 * protect and validate over the SecY's packed path give what the single-frame path gives, frame by frame:
 * the rows, the output octets, the counters (the packed path is a specialisation, this its differential test).
 */
import { describe, expect, it, vi } from 'vitest';
import { CaptureReader, writePcap, type CaptureRecord, type WritableRecord } from '../../src/capture/index.js';
import { source } from '../capture/build.js';
import { decodeSaFile } from '../../src/config/sa-file.js';
import { backendNames } from '../../src/crypto/backend.js';
import { BURST_FRAMES, transmitSecY } from '../../src/config/secy-builder.js';
import { protectCapture } from '../../src/runs/protect-capture.js';
import { buildReceiveSecY, frameResult } from '../../src/runs/receiver.js';
import { validateCapture, validateStream } from '../../src/runs/validate-capture.js';
import type { SecY } from '../../src/secy/index.js';
import { toHex } from '../../src/util/hex.js';
import { ethFrame, key, SCI_A } from '../secy/helpers.js';
import { capture, oneSa, record, recordingSink, T0 } from './fixtures.js';

const STRICT = { validateFrames: 'strict', replayWindow: 0, replayProtect: true } as const;

/** `n` plain frames of sizes spread over 60 to 1474 octets, each with one `long` octets long at frame `at`. */
function records(n: number, long?: { at: number; octets: number }): CaptureRecord[] {
  return Array.from({ length: n }, (_, i) => record(ethFrame(i === long?.at ? long.octets - 14 : 46 + ((i * 37) % 1415), i & 0xff), T0 + BigInt(i) * 1000n));
}

/** Protect frame by frame (SecY.transmit): the rows protectCapture gives, and the frames sent. */
function oneByOne(recs: readonly CaptureRecord[]): { rows: unknown[]; sent: Uint8Array[]; counters: unknown } {
  const secy = transmitSecY(oneSa());
  const sent: Uint8Array[] = [];
  const rows = recs.map((r, i) => {
    const o = secy.transmit(r.data);
    if (o.kind !== 'transmitted') return { frame: i + 1, result: 'refused', counter: o.counter, reason: o.reason };
    sent.push(o.frame);
    return { frame: i + 1, result: 'protected', counter: o.counter, an: o.an, pn: o.pn, length: o.frame.length };
  });
  return { rows, sent, counters: secy.counters() };
}

describe('protect over transmitPacked', () => {
  it.each([
    ['every burst packed', undefined],
    ['a burst with a frame too long once protected takes transmitBurst', { at: 1500, octets: transmitSecY(oneSa()).controls.maxFrameSize - 20 }],
  ])('%s: rows, output octets and counters as frame by frame', (_name, long) => {
    const recs = records(2100, long);
    const secy = transmitSecY(oneSa());
    const packed = vi.spyOn(secy, 'transmitPacked');
    const run = protectCapture(secy, capture(recs));
    expect(packed).toHaveBeenCalled();
    const expected = oneByOne(recs);
    expect(run.results).toEqual(expected.rows);
    expect(run.written.map((w) => w.data)).toEqual(expected.sent);
    expect(run.written.map((w) => w.timestampNs)).toEqual(recs.filter((_, i) => i !== long?.at).map((r) => r.timestampNs));
    expect(run.counters).toEqual(expected.counters);
    expect(run.pns).toEqual({ first: 100n, last: 100n + BigInt(expected.sent.length) - 1n });
  });
});

describe('validate over receivePacked', () => {
  it('once no failure is listed any more: counts and delivered octets as frame by frame', async () => {
    const sent = oneByOne(records(2100)).sent;
    // Tampered frames, replays and an untagged frame spread over the bursts.
    const wire: WritableRecord[] = sent.map((data, i) => {
      const f = data.slice();
      if (i % 97 === 5) f[f.length - 1]! ^= 1;
      return { data: i % 211 === 7 ? sent[i - 3]! : i % 503 === 9 ? ethFrame(50) : f, timestampNs: T0 + BigInt(i) * 1000n };
    });
    const secy = buildReceiveSecY(oneSa(), STRICT, 'noble', 'sa.json');
    const packed = vi.spyOn(secy, 'receivePacked');
    const out: WritableRecord[] = [];
    const sink = recordingSink(out);
    const run = await validateStream(secy, await CaptureReader.open(source(writePcap(wire), 65536), 'f'), sink, { keep: { rows: false, listed: 0 } });
    expect(packed).toHaveBeenCalled();

    const plain = buildReceiveSecY(oneSa(), STRICT, 'noble', 'sa.json');
    const outcomes = wire.map((w) => plain.receive(w.data));
    const rows = outcomes.map((o, i) => frameResult(i + 1, o));
    const delivered = wire.flatMap((w, i) => { const o = outcomes[i]!; return o.kind === 'controlled' ? [{ data: o.frame, timestampNs: w.timestampNs }] : []; });
    expect(out).toEqual(delivered);
    expect(run.counters).toEqual(plain.counters());
    expect(run.failedCount).toBe(rows.filter((r) => r.result !== 'delivered').length);
    expect(run.dropped).toBe(rows.filter((r) => r.result === 'dropped').length);
    expect(run.writtenCount).toBe(delivered.length);
    const by = new Map<string, number>();
    for (const r of rows) if (r.result === 'delivered' && r.counter !== undefined) by.set(r.counter, (by.get(r.counter) ?? 0) + 1);
    expect(run.deliveredBy).toEqual([...by]);
  });
});

/** The fastest backend here: the differential runs on what validate uses by default. */
const FAST = backendNames().includes('native') ? 'native' : 'node';

/** Two receive SCs: SCI_A's AN 1 (oneSa's) and SCI_D's AN 0. */
const SCI_D = Uint8Array.from([0x02, 0, 0, 0, 0, 0x0d, 0, 1]);
const twoScs = decodeSaFile({
  cipherSuite: 'GCM-AES-128',
  channels: [
    { sci: toHex(SCI_A), direction: 'receive', sas: [{ an: 1, key: toHex(key('GCM-AES-128', 1)), pn: '100' }] },
    { sci: toHex(SCI_D), direction: 'receive', sas: [{ an: 0, key: toHex(key('GCM-AES-128', 4)), pn: '1' }] },
  ],
});

/**
 * A wire of `n` records from SCI_A and SCI_D interleaved, every `every`-th one turned into a failure of
 * each kind in turn: a replay (InPktsLate), V=1 (InPktsBadTag), a flipped ICV (InPktsNotValid), an unknown
 * SCI (InPktsNoSCI), AN 3 (InPktsNotUsingSA), untagged (InPktsNoTag), E=1 with C=0 (Uncontrolled Port
 * only), cut short in the capture (skipped).
 */
function failingWire(n: number, every: number): CaptureRecord[] {
  const a = transmitSecY(oneSa(), { backend: FAST });
  const d = transmitSecY(oneSa({ sci: toHex(SCI_D), an: 0, pn: '1', key: toHex(key('GCM-AES-128', 4)) }), { backend: FAST });
  const unknown = transmitSecY(oneSa({ sci: toHex(Uint8Array.from([2, 0, 0, 0, 0, 0x0e, 0, 1])) }), { backend: FAST });
  const an3 = transmitSecY(oneSa({ an: 3 }), { backend: FAST });
  const protect = (secy: SecY, i: number): Uint8Array => {
    const o = secy.transmit(ethFrame(46 + ((i * 37) % 1400), i & 0xff));
    if (o.kind !== 'transmitted') throw new Error(o.reason);
    return o.frame;
  };
  const sent: Uint8Array[] = [];
  return Array.from({ length: n }, (_, i) => {
    const f = protect(i % 3 === 2 ? d : a, i);
    sent.push(f);
    const ts = T0 + BigInt(i) * 1000n;
    if (i % every !== every - 1) return record(f, ts);
    const kind = Math.floor(i / every) % 8;
    const g = f.slice();
    switch (kind) {
      case 0:
        return record(sent[Math.max(0, i - 6)]!, ts);
      case 1:
        g[14]! |= 0x80;
        return record(g, ts);
      case 2:
        g[g.length - 1]! ^= 1;
        return record(g, ts);
      case 3:
        return record(protect(unknown, i), ts);
      case 4:
        return record(protect(an3, i), ts);
      case 5:
        return record(ethFrame(60, i), ts);
      case 6:
        g[14] = (g[14]! | 0x08) & ~0x04;
        return record(g, ts);
      default:
        return record(f, ts, { truncated: true });
    }
  });
}

/** validate's reference: receiveBurst over the same bursts (BURST_FRAMES records), frameResult each outcome. */
function byReceiveBurst(secy: SecY, recs: readonly CaptureRecord[]): { rows: unknown[]; written: Uint8Array[] } {
  const rows: unknown[] = [];
  const written: Uint8Array[] = [];
  for (let at = 0; at < recs.length; at += BURST_FRAMES) {
    const burst = recs.slice(at, at + BURST_FRAMES);
    const outcomes = secy.receiveBurst(burst.filter((r) => !r.truncated).map((r) => r.data));
    let k = 0;
    burst.forEach((r, i) => {
      if (r.truncated) {
        rows.push({ frame: at + i + 1, result: 'skipped', counter: undefined, reason: `truncated in the capture: ${r.data.length} of ${r.originalLength} octets captured, so it cannot be processed whole` });
        return;
      }
      const o = outcomes[k++]!;
      rows.push(frameResult(at + i + 1, o));
      if (o.kind === 'controlled') written.push(o.frame.slice());
    });
  }
  return { rows, written };
}

describe('validate over receivePacked, every burst, rows listed', () => {
  const CHECK = { validateFrames: 'check', replayWindow: 0, replayProtect: true } as const;
  it.each([
    ['few failures (one of each kind), strict', 1100, 136, STRICT, Infinity],
    ['many failures, strict', 1100, 5, STRICT, Infinity],
    ['many failures, check, receiveCapacity (overruns)', 1100, 5, CHECK, 600],
  ] as const)('%s: every row (reasons, origins), the frames delivered and the counters as receiveBurst', (_name, n, every, controls, capacity) => {
    const recs = failingWire(n, every);
    const plain = buildReceiveSecY(twoScs, controls, FAST, 'sa.json');
    const secy = buildReceiveSecY(twoScs, controls, FAST, 'sa.json');
    plain.setControls({ receiveCapacity: capacity });
    secy.setControls({ receiveCapacity: capacity });
    const expected = byReceiveBurst(plain, recs);
    const counters = new Set(expected.rows.map((r) => (r as { counter?: string }).counter));
    for (const c of ['InPktsLate', 'InPktsBadTag', 'InPktsNotValid', 'InPktsNoSCI', 'InPktsNotUsingSA', controls === STRICT ? 'InPktsNoTag' : 'InPktsUntagged', 'SimInPktsUncontrolled']) expect(counters).toContain(c);
    if (capacity !== Infinity) expect(counters).toContain('InPktsOverrun');
    const burst = vi.spyOn(secy, 'receiveBurst');
    const run = validateCapture(secy, capture(recs));
    expect(burst).not.toHaveBeenCalled();
    expect(run.results).toEqual(expected.rows);
    expect(run.failed).toEqual(expected.rows.filter((r) => (r as { result: string }).result !== 'delivered'));
    expect(run.written.map((w) => w.data)).toEqual(expected.written);
    expect(run.counters).toEqual(plain.counters());
  });

  it.each([3, 100, 100_000])('streamed, the first %i failures listed: as receiveBurst lists them', async (listed) => {
    const recs = failingWire(1100, 5);
    const wire = writePcap(recs.map((r) => ({ data: r.data, timestampNs: r.timestampNs, ...(r.truncated ? { originalLength: r.originalLength } : {}) })));
    const plain = buildReceiveSecY(twoScs, STRICT, FAST, 'sa.json');
    const expected = byReceiveBurst(plain, (await CaptureReader.open(source(wire, 65536), 'f').then((r) => r.next(1e6, false))));
    const secy = buildReceiveSecY(twoScs, STRICT, FAST, 'sa.json');
    const burst = vi.spyOn(secy, 'receiveBurst');
    const run = await validateStream(secy, await CaptureReader.open(source(wire, 65536), 'f'), undefined, { keep: { rows: false, listed } });
    expect(burst).not.toHaveBeenCalled();
    const failed = expected.rows.filter((r) => (r as { result: string }).result !== 'delivered');
    expect(run.failed).toEqual(failed.slice(0, listed));
    expect(run.failedCount).toBe(failed.length);
    expect(run.counters).toEqual(plain.counters());
  });
});
