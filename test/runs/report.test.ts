/** What protect, validate and explain --in print: text reports and JSON documents built from their runs. */
import { describe, expect, it } from 'vitest';
import { transmitSecY } from '../../src/config/secy-builder.js';
import { protectCapture } from '../../src/runs/protect-capture.js';
import { explainReceiver, explainCapture } from '../../src/runs/explain-capture.js';
import { buildReceiveSecY } from '../../src/runs/receiver.js';
import {
  explainedFrameJson,
  LISTED_FRAMES,
  protectReportJson,
  renderExplainedFrame,
  renderExplainReport,
  renderProtectReport,
  renderValidateReport,
  validateReportJson,
} from '../../src/runs/report.js';
import { validateCapture } from '../../src/runs/validate-capture.js';
import { ethFrame } from '../secy/helpers.js';
import { capture, oneSa, plainCapture, record, T0 } from './fixtures.js';

const STRICT = { validateFrames: 'strict', replayWindow: 0, replayProtect: true } as const;
const keys = { text: '', rows: 1, skipped: ['one SAK left out'] };

describe('protect', () => {
  it('text: counters, then the frames not protected (at most LISTED_FRAMES), the summary, the next PN, the keys', () => {
    const sa = oneSa({ includeSci: false, confidentialityOffset: 30 });
    const records = [record(ethFrame(), T0), ...Array.from({ length: LISTED_FRAMES + 3 }, (_, i) => record(new Uint8Array(8), T0 + BigInt(i)))];
    const run = protectCapture(transmitSecY(sa), capture(records, 'pcapng'));
    const text = renderProtectReport(run, { input: 'in.pcapng', format: 'pcapng', output: 'out.pcap', saFile: sa, wiresharkKeys: { file: 'psk', keys } });
    const lines = text.split('\n');
    expect(lines[0]).toBe('SecY 02000000000a0001');
    expect(text).not.toContain('RXSC');
    const listed = lines.filter((l) => l.startsWith('skipped: '));
    expect(listed).toHaveLength(LISTED_FRAMES);
    expect(listed[0]).toBe('skipped: frame 2: 8 octets: shorter than 14 (addresses and EtherType)');
    expect(lines.slice(lines.indexOf(listed.at(-1)!) + 1)).toEqual([
      '... and 3 more (--json lists every frame)',
      'protect: 24 frames from in.pcapng (pcapng): 1 protected, 23 not -> out.pcap (GCM-AES-128, encrypted, offset 30, SCI 02000000000a0001, AN 1, PN 100-100)',
      'next PN of AN 1: 101 (start the next run there: a PN must never repeat under one SAK)',
      'Wireshark keys: 1 written to psk (Wireshark 4.6 or newer, MACsec "Pre-Shared Key List")',
      '  one SAK left out',
      '  install: cp psk ~/.config/wireshark/psk_config_data   (a named profile: ~/.config/wireshark/profiles/NAME/), then restart Wireshark',
      '  note: these frames carry no SCI (includeSci false), and Wireshark tries its keys only on frames whose SCI it knows',
      '  note: Wireshark decrypts with offset 0 only: these frames will not verify there',
      '',
    ]);
  });

  it('text: integrity only, nothing sent: no PN range and no next PN', () => {
    const sa = oneSa({ confidentiality: false });
    const run = protectCapture(transmitSecY(sa), capture([record(new Uint8Array(4), T0)]));
    const text = renderProtectReport(run, { input: 'a', format: 'pcap', output: 'b', saFile: sa });
    expect(text.endsWith('protect: 1 frame from a (pcap): 0 protected, 1 not -> b (GCM-AES-128, integrity only, SCI 02000000000a0001, AN 1)\n')).toBe(true);
  });

  it('JSON: the fields in their order, the Wireshark keys only when written', () => {
    const sa = oneSa();
    const run = protectCapture(transmitSecY(sa), plainCapture(2));
    const context = { input: 'in.pcap', format: 'pcap', output: 'out.pcap', saFile: sa } as const;
    const doc = protectReportJson(run, context);
    expect(Object.keys(doc)).toEqual(['input', 'output', 'cipherSuite', 'sci', 'an', 'nextPN', 'protected', 'refused', 'skipped', 'counters', 'frames']);
    expect(doc).toMatchObject({ input: { file: 'in.pcap', format: 'pcap', frames: 2 }, output: { file: 'out.pcap', frames: 2 }, protected: 2, refused: 0, skipped: 0, nextPN: 102n });
    expect(protectReportJson(run, { ...context, wiresharkKeys: { file: 'psk', keys } })['wiresharkKeys']).toEqual({ file: 'psk', rows: 1, skipped: ['one SAK left out'], install: '~/.config/wireshark/psk_config_data' });
  });
});

describe('validate', () => {
  const sa = oneSa();
  const sent = () => protectCapture(transmitSecY(sa), plainCapture(3)).written.map((w) => record(w.data, w.timestampNs));

  it('text: each frame not delivered with its origin, and delivered frames by counter', () => {
    const s = sent();
    const run = validateCapture(buildReceiveSecY(sa, STRICT, 'noble', 'sa.json'), capture([...s, s[0]!]));
    const lines = renderValidateReport(run, { input: 'w.pcap', format: 'pcap', output: undefined }).split('\n');
    expect(lines.slice(-3)).toEqual([
      'dropped: frame 4: InPktsLate: PN 100 below lowestPN 103 [SCI 02000000000a0001, AN 1, PN 100]',
      'validate: 4 frames from w.pcap (pcap): 3 delivered (InPktsOK 3), 1 not',
      '',
    ]);
    expect(renderValidateReport(run, { input: 'w.pcap', format: 'pcap', output: 'p.pcap' })).toContain(', 1 not -> p.pcap\n');
  });

  it('JSON: output null without --out', () => {
    const run = validateCapture(buildReceiveSecY(sa, STRICT, 'noble', 'sa.json'), capture(sent()));
    const doc = validateReportJson(run, { input: 'w.pcap', format: 'pcap', output: undefined, saFile: sa });
    expect(Object.keys(doc)).toEqual(['input', 'output', 'cipherSuite', 'delivered', 'dropped', 'uncontrolled', 'skipped', 'counters', 'frames']);
    expect(doc).toMatchObject({ output: null, delivered: 3, dropped: 0, uncontrolled: 0, skipped: 0 });
  });
});

describe('explain --in', () => {
  it('a frame: header with length, truncation, FCS and time, then its tree; JSON with the record\'s fields', () => {
    const r = { ...record(ethFrame(), T0 + 5n, { truncated: true }), fcs: 'stripped' as const };
    const frames: string[] = [];
    const docs: Record<string, unknown>[] = [];
    explainCapture(capture([r]), {}, (f) => {
      frames.push(renderExplainedFrame(f, false));
      docs.push(explainedFrameJson(f));
    });
    expect(frames[0]!.split('\n')[0]).toBe('Frame 1 of 1: 60 octets, 30 of 60 captured (FCS removed), 2026-01-01T00:00:00.000000005Z');
    expect(frames[0]!.endsWith('\n')).toBe(true);
    expect(Object.keys(docs[0]!)).toEqual(['frame', 'time', 'timestampNs', 'length', 'originalLength', 'fcs', 'tree']);
    expect(docs[0]).toMatchObject({ frame: 1, time: '2026-01-01T00:00:00.000000005Z', timestampNs: T0 + 5n, length: 30, originalLength: 60, fcs: 'stripped' });
  });

  it('the report: frames a blank line apart, then the receiver state', () => {
    expect(renderExplainReport(['a\n', 'b\n'], {})).toBe('a\n\nb\n');
    const sa = oneSa();
    const summary = explainCapture(capture([]), { receiver: explainReceiver(sa, STRICT, 'noble', 'sa.json') }, () => undefined);
    const text = renderExplainReport(['a\n'], summary);
    expect(text.startsWith('a\n\nReceiver state after frame 0:\n  receive SC 02000000000a0001, SA 1: nextPN 100, lowestPN 100\nSecY 02000000000a0001\n')).toBe(true);
    expect(text.endsWith('\n')).toBe(true);
  });
});
