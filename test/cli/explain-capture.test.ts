/**
 * `macsec explain --in`: the field-by-field view for the frames of a capture, and with --sa the verdict of
 * a receive SecY that took the frames in capture order (so XPN PN recovery and replay checks carry over).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readCapture, writePcap } from '../../src/capture/index.js';
import { toHex } from '../../src/util/hex.js';
import { macsec } from '../support/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'macsec-explain-'));
/** examples/plain.pcap protected by station A (XPN, PNs 4294967290-4294967329: frame 7 has PN 2^32). */
const wire = join(tmp, 'wire.pcap');
const PEER = 'examples/sa-channels-peer.json';

beforeAll(() => {
  expect(macsec(['protect', '--sa', 'examples/sa-channels.json', '--in', 'examples/plain.pcap', '--out', wire]).status).toBe(0);
});

const frames = (file: string): Uint8Array[] => readCapture(new Uint8Array(readFileSync(file)), file, { fcsMode: 'absent' }).records.map((r) => r.data);

interface Explained {
  frame: number;
  time: string;
  receiver?: { result: string; counter: string; pn?: string };
  tree: { label: string; value?: string; children?: { label: string; note?: string }[] }[];
}

describe('macsec explain --in', () => {
  it('explains every frame of a plain capture, numbered from 1 with its time', () => {
    const r = macsec(['explain', '--in', 'examples/plain.pcap']);
    expect(r.status).toBe(0);
    const headers = r.stdout.split('\n').filter((l) => l.startsWith('Frame ') && l.includes(' of 40: '));
    expect(headers).toHaveLength(40);
    expect(headers[0]).toBe('Frame 1 of 40: 42 octets, 2026-01-01T00:00:00.000000000Z');
    expect(r.stdout).toMatch(/no SecTAG: not protected by MACsec/);
  });

  it('frame N as a receiver saw it after frames 1..N-1: frame 7 carries PN 2^32 (low half 0)', () => {
    const r = macsec(['explain', '--in', wire, '--sa', PEER, '--frame', '7']);
    expect(r.status).toBe(0);
    // Reading stops at frame 7, so the header does not say how many frames follow.
    expect(r.stdout).toMatch(/^Frame 7: 92 octets, 2026-01-01T00:00:00\.008014000Z\n/);
    expect(r.stdout).toMatch(/PN {2}packet number: 0 \(0x00000000\)/);
    expect(r.stdout).toMatch(/✓ Validation: ICV verifies/);
    expect(r.stdout).toMatch(/full PN 4294967296/);
    expect(r.stdout).toMatch(/✓ Receiver: InPktsOK: delivered to the Controlled Port {2}a SecY receiving the capture in order \(validateFrames Strict, replayWindow 0\); SCI 02005e1000010001, AN 0, PN 4294967296$/m);
    expect(r.stdout.match(/^Frame /gm)).toHaveLength(1);
    // The receiver's state after frame 7: nextPN one past 2^32, and its counters.
    expect(r.stdout).toMatch(/^Receiver state after frame 7:\n {2}receive SC 02005e1000010001, SA 0: nextPN 4294967297, lowestPN 4294967297$/m);
    expect(r.stdout).toMatch(/^ {2}RXSC: 02005e1000010001$/m);
  });

  it('--frame N stops reading at frame N: a capture broken after it still explains frame N (and fails for a frame past the break)', () => {
    const bytes = new Uint8Array(readFileSync(wire));
    const records = readCapture(bytes, wire, { fcsMode: 'absent' }).records;
    const keep = writePcap(records.slice(0, 7));
    const broken = join(tmp, 'broken.pcap');
    writeFileSync(broken, Buffer.concat([keep, Buffer.from('this is not a pcap record header, and far too short')]));
    const seven = macsec(['explain', '--in', broken, '--sa', PEER, '--frame', '7']);
    expect(seven.status).toBe(0);
    expect(seven.stdout).toMatch(/✓ Receiver: InPktsOK: delivered to the Controlled Port/);
    const eight = macsec(['explain', '--in', broken, '--frame', '8']);
    expect(eight.status).toBe(2);
    expect(eight.stderr).toMatch(/broken\.pcap: pcap record at offset \d+ captures \d+ octets, over the limit/);
  });

  it('--json: one object per frame with the receiver\'s verdict', () => {
    const r = macsec(['explain', '--in', wire, '--sa', PEER, '--json']);
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as Explained[];
    expect(list.map((f) => f.frame)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(list.every((f) => f.receiver?.counter === 'InPktsOK')).toBe(true);
    expect(list.map((f) => f.receiver?.pn)).toEqual(Array.from({ length: 40 }, (_, i) => String(4294967290 + i)));
    expect(list[0]!.time).toBe('2026-01-01T00:00:00.000000000Z');
    expect(list[0]!.tree.find((n) => n.label === 'Validation')?.value).toBe('ICV verifies');
  });

  /** Frames 1-5 of `capture`, then frame 3 again. */
  const replayOf = (capture: string): string => {
    const f = frames(capture);
    const file = join(tmp, `replayed-${Math.random().toString(36).slice(2)}.pcap`);
    writeFileSync(file, writePcap([...f.slice(0, 5), f[2]!].map((data, i) => ({ data, timestampNs: BigInt(i) * 1000n }))));
    return file;
  };

  it('a replayed frame (GCM-AES-128): its ICV verifies, and the receiver drops it as late', () => {
    const plainSuite = join(tmp, 'aes128.pcap');
    expect(macsec(['protect', '--sa', 'examples/sa.json', '--in', 'examples/plain.pcap', '--out', plainSuite]).status).toBe(0);
    const r = macsec(['explain', '--in', replayOf(plainSuite), '--sa', 'examples/sa.json', '--frame', '6']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✓ Validation: ICV verifies/);
    expect(r.stdout).toMatch(/✗ Receiver: InPktsLate: dropped .*PN 1993627631; PN 1993627631 below lowestPN 1993627634$/m);
  });

  it('a replayed frame (XPN): recovered into the next 2^32 span from lowestPN, so its ICV fails; a replay window takes it', () => {
    const replayed = replayOf(wire);
    const r = macsec(['explain', '--in', replayed, '--sa', PEER, '--frame', '6']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/✗ Validation: ICV does not verify/);
    expect(r.stdout).toMatch(/full PN 8589934588/);
    expect(r.stdout).toMatch(/✗ Receiver: InPktsNotValid: dropped .*PN 8589934588; ICV check failed \(C=1\); PN recovered from lowestPN .* not 4294967292 as from the SA file's pn/);
    const windowed = macsec(['explain', '--in', replayed, '--sa', PEER, '--frame', '6', '--replay-window', '8']);
    expect(windowed.stdout).toMatch(/✓ Validation: ICV verifies/);
    expect(windowed.stdout).toMatch(/✓ Receiver: InPktsOK: delivered .*replayWindow 8\); SCI 02005e1000010001, AN 0, PN 4294967292$/m);
  });

  it('bad usage: exit 2, one line', () => {
    for (const args of [
      ['explain', '--in', wire, '--frame', '0'],
      ['explain', '--in', wire, '--frame', '41'],
      ['explain', '--frame', '1', '00'],
      ['explain', '00', '--in', wire],
      ['explain', '--in', join(tmp, 'missing.pcap')],
      ['explain', '--in', 'examples/sa.json'],
    ]) {
      const r = macsec(args);
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^macsec: [^\n]+\n$/);
    }
    expect(macsec(['explain', '--in', wire, '--frame', '41']).stderr).toBe(`macsec: --frame: expected a frame number 1-40 (frames in ${wire}), got 41\n`);
  });

  it('keeps explain HEX and --file', () => {
    const hex = toHex(frames(wire)[0]!);
    expect(macsec(['explain', hex]).stdout).toMatch(/^SecTAG: 16 octets/m);
    const file = join(tmp, 'frame.hex');
    writeFileSync(file, hex);
    expect(macsec(['explain', '--file', file, '--json']).status).toBe(0);
  });
});
