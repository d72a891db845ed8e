/** explainCapture: the frames of a capture explained in order, with an in-order receiver's verdicts and state. */
import { describe, expect, it } from 'vitest';
import type { CaptureRecord } from '../../src/capture/index.js';
import { transmitSecY } from '../../src/config/secy-builder.js';
import type { ExplainNode } from '../../src/explain/tree.js';
import { UsageError } from '../../src/util/errors.js';
import { checkFrameNumber, explainCapture, explainReceiver, isoTime, type ExplainCaptureOptions, type ExplainedFrame } from '../../src/runs/explain-capture.js';
import { protectCapture } from '../../src/runs/protect-capture.js';
import { toHex } from '../../src/util/hex.js';
import { key, SALT, SCI_A, SSCI_A } from '../secy/helpers.js';
import { capture, oneSa, plainCapture, record, recordingProgress } from './fixtures.js';

const STRICT = { validateFrames: 'strict', replayWindow: 0, replayProtect: true } as const;

/** Frames 1-4 protected with `sa`, then frame 1 again (a replay). */
function wire(sa = oneSa()): CaptureRecord[] {
  const sent = protectCapture(transmitSecY(sa), plainCapture(4)).written.map((w) => record(w.data, w.timestampNs));
  return [...sent, record(sent[0]!.data, sent[3]!.timestampNs + 1000n)];
}

function explainAll(records: readonly CaptureRecord[], options: ExplainCaptureOptions) {
  const frames: ExplainedFrame[] = [];
  const summary = explainCapture(capture(records), options, (f) => frames.push(f));
  return { frames, summary };
}

const lastNode = (tree: readonly ExplainNode[]): ExplainNode => tree[tree.length - 1]!;

describe('explainCapture', () => {
  it('with a receiver: every frame in order, each tree ending with its verdict, then the receiver\'s state', () => {
    const sa = oneSa();
    const { frames, summary } = explainAll(wire(sa), { receiver: explainReceiver(sa, STRICT, 'noble', 'sa.json') });
    expect(frames.map((f) => [f.frame, f.total, f.receiver?.result, f.receiver?.counter])).toEqual([
      [1, 5, 'delivered', 'InPktsOK'],
      [2, 5, 'delivered', 'InPktsOK'],
      [3, 5, 'delivered', 'InPktsOK'],
      [4, 5, 'delivered', 'InPktsOK'],
      [5, 5, 'dropped', 'InPktsLate'],
    ]);
    expect(lastNode(frames[0]!.tree)).toEqual({
      label: 'Receiver',
      value: 'InPktsOK: delivered to the Controlled Port',
      status: 'ok',
      note: 'a SecY receiving the capture in order (validateFrames Strict, replayWindow 0); SCI 02000000000a0001, AN 1, PN 100',
    });
    expect(lastNode(frames[4]!.tree)).toMatchObject({ value: 'InPktsLate: dropped', status: 'bad' });
    expect(summary.receiver).toMatchObject({ afterFrame: 5, sas: [{ sci: '02000000000a0001', an: 1, nextPN: 104n, lowestPN: 104n, inUse: true }] });
    expect(summary.receiver!.counters.receiveSCs[0]!.counters).toMatchObject({ InPktsOK: 4, InPktsLate: 1 });
  });

  it('frame N with a receiver: frames 1..N-1 go through it first, only N is handed over', () => {
    const sa = oneSa();
    const progress = recordingProgress();
    const receiver = explainReceiver(sa, { validateFrames: 'check', replayWindow: 2, replayProtect: false }, 'noble', 'sa.json');
    const { frames, summary } = explainAll(wire(sa), { frame: 5, receiver, progress: progress.progress });
    expect(frames.map((f) => f.frame)).toEqual([5]);
    // No replay protection: the replayed frame is delivered this time, counted late (InPktsDelayed).
    expect(frames[0]!.receiver).toMatchObject({ result: 'delivered', counter: 'InPktsDelayed', pn: 100n });
    expect(lastNode(frames[0]!.tree).note).toMatch(/^a SecY receiving the capture in order \(validateFrames Check, replayWindow 2, replayProtect off\)/);
    expect(summary.receiver?.afterFrame).toBe(5);
    expect(progress.calls).toEqual([{ frames: 5, updates: [], done: 1 }]);
  });

  it('without a receiver: frame N alone, no verdict, no state', () => {
    const progress = recordingProgress();
    const { frames, summary } = explainAll(wire(), { frame: 2, progress: progress.progress });
    expect(frames.map((f) => [f.frame, f.receiver])).toEqual([[2, undefined]]);
    expect(frames[0]!.tree.some((n) => n.label === 'Receiver')).toBe(false);
    expect(summary).toEqual({});
    expect(progress.calls).toEqual([{ frames: 1, updates: [], done: 1 }]);
  });

  it('a truncated frame is explained but never received', () => {
    const sa = oneSa();
    const records = wire(sa);
    records[1] = record(records[1]!.data, records[1]!.timestampNs, { truncated: true });
    const { frames } = explainAll(records, { receiver: explainReceiver(sa, STRICT, 'noble', 'sa.json') });
    const n = records[1];
    expect(frames[1]!.receiver).toEqual({ frame: 2, result: 'skipped', counter: undefined, reason: `truncated in the capture: ${n.data.length} of ${n.originalLength} octets captured` });
    expect(lastNode(frames[1]!.tree)).toMatchObject({ value: 'not received', status: 'bad' });
    expect(frames[2]!.receiver?.counter).toBe('InPktsOK');
  });

  it('XPN: a replay from below lowestPN is checked with the PN the receiver recovers, and says so', () => {
    const sa = oneSa({ cipherSuite: 'GCM-AES-XPN-128', key: toHex(key('GCM-AES-XPN-128', 1)), pn: '4294967294', ssci: toHex(SSCI_A), salt: toHex(SALT), sci: toHex(SCI_A) });
    const { frames } = explainAll(wire(sa), { frame: 5, receiver: explainReceiver(sa, STRICT, 'noble', 'sa.json') });
    const verdict = frames[0]!.receiver!;
    expect(verdict.pn).toBe(0x1_ffff_fffen);
    expect(lastNode(frames[0]!.tree).note).toContain('PN recovered from lowestPN as the frames before left it (10.6.2), not 4294967294 as from the SA file\'s pn');
  });

  it('a frame number the capture does not have is a UsageError', () => {
    expect(() => explainAll(wire(), { frame: 6 })).toThrow(new UsageError('--frame: expected a frame number 1-5 (frames in the capture), got 6'));
  });
});

describe('helpers', () => {
  it('checkFrameNumber: 1 to the frame count, whole numbers only', () => {
    expect(() => checkFrameNumber(undefined, 0, 'x.pcap')).not.toThrow();
    expect(() => checkFrameNumber(3, 3, 'x.pcap')).not.toThrow();
    for (const bad of [0, 4, 1.5, Number.NaN]) expect(() => checkFrameNumber(bad, 3, 'x.pcap')).toThrow(new UsageError(`--frame: expected a frame number 1-3 (frames in x.pcap), got ${bad}`));
  });

  it('isoTime: UTC with nine fractional digits', () => {
    expect(isoTime(1_767_225_600_000_000_007n)).toBe('2026-01-01T00:00:00.000000007Z');
    expect(isoTime(0n)).toBe('1970-01-01T00:00:00.000000000Z');
  });
});
