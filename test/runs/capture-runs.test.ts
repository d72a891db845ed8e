/** protectCapture and validateCapture: which records go through the SecY, the rows, the output frames, the counts. */
import { describe, expect, it } from 'vitest';
import { RecordBatch } from '../../src/capture/index.js';
import { decodeSaFile } from '../../src/config/sa-file.js';
import { transmitSecY } from '../../src/config/secy-builder.js';
import { runRecords, truncatedReason } from '../../src/runs/capture-run.js';
import { UsageError } from '../../src/util/errors.js';
import { protectCapture } from '../../src/runs/protect-capture.js';
import { buildReceiveSecY, frameResult, originText } from '../../src/runs/receiver.js';
import { validateCapture } from '../../src/runs/validate-capture.js';
import { SecY } from '../../src/secy/index.js';
import { ethFrame, SCI_A } from '../secy/helpers.js';
import { capture, oneSa, plainCapture, record, recordingProgress, T0 } from './fixtures.js';

const STRICT = { validateFrames: 'strict', replayWindow: 0, replayProtect: true } as const;

describe('runRecords', () => {
  it('skips what the step refuses, runs the rest in order, and keeps each output frame\'s timestamp', () => {
    const cap = plainCapture(5);
    const seen: number[] = [];
    const run = runRecords(
      new SecY({ sci: SCI_A, cipherSuite: 'GCM-AES-128' }),
      cap,
      {
        skip: (records, i) => (records.lengths[i] === 61 ? 'odd one' : undefined),
        process: (frames) => frames.map((f) => (seen.push(f.length), f.length)),
        result: (frame, n) => ({ frame, result: n % 2 === 0 ? 'even' : 'odd' }),
        output: (n) => (n % 2 === 0 ? new Uint8Array(n) : undefined),
        passed: (r) => r.result === 'even',
      },
    );
    expect(seen).toEqual([60, 62, 63, 64]);
    expect(run.results).toEqual([
      { frame: 1, result: 'even' },
      { frame: 2, result: 'skipped', counter: undefined, reason: 'odd one' },
      { frame: 3, result: 'even' },
      { frame: 4, result: 'odd' },
      { frame: 5, result: 'even' },
    ]);
    expect(run.written.map((w) => [w.data.length, w.timestampNs])).toEqual([
      [60, cap.records[0]!.timestampNs],
      [62, cap.records[2]!.timestampNs],
      [64, cap.records[4]!.timestampNs],
    ]);
    expect(run.failed.map((r) => r.frame)).toEqual([2, 4]);
    expect(run.skipped).toBe(1);
  });

  it('truncatedReason names what was captured', () => {
    const batch = new RecordBatch(2);
    batch.load([record(ethFrame(46), T0), record(ethFrame(46), T0, { truncated: true })]);
    expect(truncatedReason(batch, 0)).toBeUndefined();
    expect(truncatedReason(batch, 1)).toBe('truncated in the capture: 30 of 60 octets captured, so it cannot be processed whole');
  });
});

describe('protectCapture', () => {
  it('protects every frame: PNs from the file\'s pn, timestamps kept, next PN after the last', () => {
    const sa = oneSa();
    const cap = plainCapture(3, true);
    const run = protectCapture(transmitSecY(sa), cap);
    expect(run.results).toEqual([1, 2, 3].map((frame) => ({ frame, result: 'protected', counter: 'OutPktsEncrypted', an: 1, pn: 99n + BigInt(frame), length: 60 + frame - 1 + 32 })));
    expect(run.written.map((w) => w.timestampNs)).toEqual(cap.records.map((r) => r.timestampNs));
    expect(run).toMatchObject({ failed: [], refused: 0, skipped: 0, pns: { first: 100n, last: 102n }, sci: '02000000000a0001', an: 1, nextPN: 103n });
    expect(run.counters.transmitSC.counters['OutPktsEncrypted']).toBe(3);
  });

  it('skips truncated and too-short records, lists refusals, and counts each kind', () => {
    const sa = oneSa({ pn: '4294967294' });
    const cap = capture([
      record(ethFrame(46, 1), T0),
      record(ethFrame(46, 2), T0 + 1n, { truncated: true }),
      record(new Uint8Array(10), T0 + 2n),
      record(ethFrame(46, 3), T0 + 3n),
      record(ethFrame(46, 4), T0 + 4n), // PN 2^32 - 1 was the last: refused
    ]);
    const progress = recordingProgress();
    const run = protectCapture(transmitSecY(sa), cap, progress);
    expect(run.results.map((r) => r.result)).toEqual(['protected', 'skipped', 'skipped', 'protected', 'refused']);
    expect(run.failed).toEqual([
      { frame: 2, result: 'skipped', counter: undefined, reason: 'truncated in the capture: 30 of 60 octets captured, so it cannot be processed whole' },
      { frame: 3, result: 'skipped', counter: undefined, reason: '10 octets: shorter than 14 (addresses and EtherType)' },
      { frame: 5, result: 'refused', counter: 'SimOutPktsPNExhausted', reason: 'transmit SA 1 has used its last PN' },
    ]);
    expect(run).toMatchObject({ refused: 1, skipped: 2, pns: { first: 4294967294n, last: 4294967295n } });
    expect(run.written.map((w) => w.timestampNs)).toEqual([T0, T0 + 3n]);
    // The progress display hears of the 3 frames sent, not the 5 records.
    expect(progress.calls).toEqual([{ frames: 3, updates: [1], done: 1 }]);
  });

  it('an empty capture: nothing sent, no PN range', () => {
    const run = protectCapture(transmitSecY(oneSa()), capture([]));
    expect(run).toMatchObject({ results: [], written: [], failed: [], pns: undefined, nextPN: 100n });
  });
});

describe('validateCapture', () => {
  const protectedCapture = (n: number) => {
    const sa = oneSa();
    const run = protectCapture(transmitSecY(sa), plainCapture(n));
    return { sa, records: run.written.map((w) => record(w.data, w.timestampNs)) };
  };

  it('delivers what protect sent: the plain frames with their timestamps', () => {
    const { sa, records } = protectedCapture(4);
    const run = validateCapture(buildReceiveSecY(sa, STRICT, 'noble', 'sa.json'), capture(records));
    const plain = plainCapture(4);
    expect(run.written.map((w) => [...w.data])).toEqual(plain.records.map((r) => [...r.data]));
    expect(run.written.map((w) => w.timestampNs)).toEqual(plain.records.map((r) => r.timestampNs));
    expect(run).toMatchObject({ failed: [], dropped: 0, uncontrolled: 0, skipped: 0, deliveredBy: [['InPktsOK', 4]] });
    expect(run.results[2]).toEqual({ frame: 3, result: 'delivered', counter: 'InPktsOK', sci: '02000000000a0001', an: 1, pn: 102n });
  });

  it('drops a tampered frame and a replay, skips a truncated one, and counts them', () => {
    const { sa, records } = protectedCapture(4);
    const tampered = new Uint8Array(records[1]!.data);
    tampered[tampered.length - 1]! ^= 1;
    const cap = capture([records[0]!, record(tampered, T0 + 1n), records[2]!, records[0]!, record(records[3]!.data, T0 + 9n, { truncated: true })]);
    const progress = recordingProgress();
    const run = validateCapture(buildReceiveSecY(sa, STRICT, 'noble', 'sa.json'), cap, progress);
    expect(run.results.map((r) => [r.result, r.counter])).toEqual([
      ['delivered', 'InPktsOK'],
      ['dropped', 'InPktsNotValid'],
      ['delivered', 'InPktsOK'],
      ['dropped', 'InPktsLate'],
      ['skipped', undefined],
    ]);
    expect(run.failed.map((r) => r.frame)).toEqual([2, 4, 5]);
    expect(run).toMatchObject({ dropped: 2, uncontrolled: 0, skipped: 1, deliveredBy: [['InPktsOK', 2]] });
    expect(run.written).toHaveLength(2);
    expect(progress.calls).toEqual([{ frames: 4, updates: [1], done: 1 }]);
  });

  it('--validate-frames check: a frame failing with C=0 is delivered, counted InPktsInvalid', () => {
    const sa = oneSa({ confidentiality: false });
    const sent = protectCapture(transmitSecY(sa), plainCapture(2)).written.map((w) => record(w.data, w.timestampNs));
    const bad = new Uint8Array(sent[1]!.data);
    bad[bad.length - 1]! ^= 1;
    const run = validateCapture(buildReceiveSecY(sa, { ...STRICT, validateFrames: 'check' }, 'noble', 'sa.json'), capture([sent[0]!, record(bad, T0)]));
    expect(run.deliveredBy).toEqual([['InPktsOK', 1], ['InPktsInvalid', 1]]);
    expect(run.failed).toEqual([]);
  });
});

describe('the receiver', () => {
  it('buildReceiveSecY sets the controls the options name', () => {
    const secy = buildReceiveSecY(oneSa(), { validateFrames: 'disabled', replayWindow: 7, replayProtect: false }, 'noble', 'sa.json');
    expect(secy.controls).toMatchObject({ validateFrames: 'Disabled', replayWindow: 7, replayProtect: false });
  });

  it('bad options are UsageErrors in the options\' words; a bad file stays a ConfigError', () => {
    expect(() => buildReceiveSecY(oneSa(), { ...STRICT, validateFrames: 'Strict' }, 'noble', 'sa.json')).toThrow(new UsageError('--validate-frames: expected strict, check or disabled, got "Strict"'));
    expect(() => buildReceiveSecY(oneSa(), { ...STRICT, replayWindow: -1 }, 'noble', 'sa.json')).toThrow(new UsageError('--replay-window: expected an integer 0 to 4294967295, got -1'));
    const transmitOnly = decodeSaFile({ channels: [{ sci: '02005e1000010001', direction: 'transmit', sas: [{ an: 0, key: '00'.repeat(16), pn: '1' }] }] });
    expect(() => buildReceiveSecY(transmitOnly, STRICT, 'noble', 'mine.json')).toThrow(/^mine\.json: channels: expected a channel with direction "receive" or "both"/);
  });

  it('frameResult: an E=1 C=0 frame is uncontrolled, with the reserved-bits reason and no origin', () => {
    expect(frameResult(3, { kind: 'uncontrolled', counter: 'SimInPktsUncontrolled', frame: new Uint8Array(0) })).toEqual({
      frame: 3,
      result: 'uncontrolled',
      counter: 'SimInPktsUncontrolled',
      reason: 'E=1 with C=0 (reserved, 9.5): to the Uncontrolled Port only',
    });
  });

  it('originText: SCI, AN and PN where known', () => {
    expect(originText({ sci: '02000000000a0001', an: 2, pn: 5n })).toBe('SCI 02000000000a0001, AN 2, PN 5');
    expect(originText({ sci: '02000000000a0001', an: 2, pn: undefined })).toBe('SCI 02000000000a0001, AN 2');
    expect(originText({})).toBeUndefined();
  });
});
