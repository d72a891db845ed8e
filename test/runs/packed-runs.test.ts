/**
 * protect and validate over the SecY's packed path give what the single-frame path gives, frame by frame:
 * the rows, the output octets, the counters (the packed path is a specialisation, this its differential test).
 */
import { describe, expect, it, vi } from 'vitest';
import { CaptureReader, writePcap, type ByteSource, type CaptureRecord, type WritableRecord } from '../../src/capture/index.js';
import { transmitSecY } from '../../src/config/secy-builder.js';
import { protectCapture } from '../../src/runs/protect-capture.js';
import { buildReceiveSecY, frameResult } from '../../src/runs/receiver.js';
import { validateStream } from '../../src/runs/validate-capture.js';
import { ethFrame } from '../secy/helpers.js';
import { capture, recordingSink, oneSa, record, T0 } from './fixtures.js';

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

/** A source handing out the octets in reads of at most 64 KiB, as a file might. */
function source(bytes: Uint8Array): ByteSource {
  let at = 0;
  return {
    read: async (into, offset, length) => {
      const n = Math.min(length, 65536, bytes.length - at);
      into.set(bytes.subarray(at, at + n), offset);
      at += n;
      return n;
    },
  };
}

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
    const run = await validateStream(secy, await CaptureReader.open(source(writePcap(wire)), 'f'), sink, { keep: { rows: false, listed: 0 } });
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
