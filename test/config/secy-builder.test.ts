/** SecYs built from SA files: what each side installs, and the errors that name the file's fields. */
import { describe, expect, it } from 'vitest';
import { decodeSaFile, type SaFile } from '../../src/config/sa-file.js';
import { BURST_FRAMES, receiveAll, receiveSecY, transmitAll, transmitSecY } from '../../src/config/secy-builder.js';
import { ConfigError } from '../../src/util/errors.js';

const SCI_A = '02005e1000010001';
const SCI_B = '02005e1000020001';
const SCI_C = '02005e1000030001';
const SALT = '2b7894ade460774c493e06e0';
const k = (n: number, octets = 16): string => n.toString(16).padStart(2, '0').repeat(octets);

const oneSa = (extra: Record<string, unknown> = {}): SaFile =>
  decodeSaFile({ cipherSuite: 'GCM-AES-128', key: k(1), sci: SCI_A, an: 3, pn: '100', ...extra });

/** A station: transmit channel A with SAs under AN 2 (listed first) and 0, receive channels as given. */
const station = (receive: string[], extra: Record<string, unknown> = {}): SaFile =>
  decodeSaFile({
    cipherSuite: 'GCM-AES-XPN-128',
    channels: [
      {
        sci: SCI_A,
        direction: 'transmit',
        sas: [
          { an: 2, key: k(2), pn: '4294967290', ssci: '00000001', salt: SALT },
          { an: 0, key: k(3), pn: '7', ssci: '00000001', salt: SALT },
        ],
      },
      ...receive.map((sci, i) => ({ sci, direction: 'receive', sas: [{ an: 1, key: k(10 + i), pn: '0', ssci: `0000000${i + 2}`, salt: SALT }] })),
    ],
    ...extra,
  });

/** DA ‖ SA ‖ EtherType ‖ payload. */
const frame = (n: number, length = 60): Uint8Array => Uint8Array.from({ length }, (_, i) => (i === 12 ? 0x08 : i === 13 ? 0 : (i * 7 + n) & 0xff));

const configError = (body: () => unknown): ConfigError => {
  try {
    body();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no ConfigError');
};

describe('transmitSecY', () => {
  it('one SA: its AN is the encoding SA, its pn the first PN, the controls from the file', () => {
    const secy = transmitSecY(oneSa({ confidentiality: false, confidentialityOffset: 30, includeSci: false }));
    expect(secy.encodingSA).toBe(3);
    expect(secy.transmitSAState(3)).toMatchObject({ nextPN: 100n, enableTransmit: true, inUse: true });
    expect(secy.controls).toMatchObject({ confidentialityProtect: false, confidentialityOffset: 30, alwaysIncludeSCI: false, useES: false, useSCB: false });
    const out = secy.transmit(frame(1));
    expect(out).toMatchObject({ kind: 'transmitted', counter: 'OutPktsProtected', an: 3, pn: 100n });
    // includeSci false, one peer (the file's own "both" channel): no SCI in the SecTAG.
    expect(out.kind === 'transmitted' && out.frame[14]! & 0x20).toBe(0);
  });

  it('endStation and scb become useES and useSCB', () => {
    expect(transmitSecY(oneSa({ endStation: true, scb: true })).controls).toMatchObject({ alwaysIncludeSCI: false, useES: true, useSCB: true });
  });

  it('channels: every SA of the transmit channel installed, the first listed sends', () => {
    const secy = transmitSecY(station([SCI_B]));
    expect(secy.encodingSA).toBe(2);
    expect(secy.transmitSAState(2)?.nextPN).toBe(4294967290n);
    expect(secy.transmitSAState(0)?.nextPN).toBe(7n);
    expect(secy.transmit(frame(1))).toMatchObject({ an: 2, pn: 4294967290n });
  });

  it('includeSci false: the SCI is left out with one peer, put in with two (10.5.3)', () => {
    const sc = (s: SaFile): number => {
      const out = transmitSecY(s).transmit(frame(1));
      return out.kind === 'transmitted' ? out.frame[14]! & 0x20 : -1;
    };
    expect(sc(station([SCI_B], { includeSci: false }))).toBe(0);
    expect(sc(station([SCI_B, SCI_C], { includeSci: false }))).toBe(0x20);
  });

  it('errors name the file and the field', () => {
    const receiveOnly = decodeSaFile({ cipherSuite: 'GCM-AES-128', channels: [{ sci: SCI_B, direction: 'receive', sas: [{ an: 0, key: k(1), pn: '1' }] }] });
    expect(configError(() => transmitSecY(receiveOnly, { file: 'x.json' })).message).toBe(
      'x.json: channels: expected a channel with direction "transmit" or "both" to send on, got receive channels only',
    );
    const xpn0 = decodeSaFile({ cipherSuite: 'GCM-AES-XPN-256', key: k(1, 32), sci: SCI_A, an: 0, pn: '0', ssci: '00000001', salt: SALT });
    expect(configError(() => transmitSecY(xpn0)).field).toBe('SA file: pn');
    const s = station([]);
    const bad: SaFile = { ...s, channels: [{ ...s.channels[0]!, sas: [s.channels[0]!.sas[0]!, { ...s.channels[0]!.sas[1]!, pn: 0n }] }] };
    expect(configError(() => transmitSecY(bad, { file: 'y.json' })).field).toBe('y.json: channels[0].sas[1].pn');
    const none: SaFile = { ...s, channels: [{ ...s.channels[0]!, sas: [] }] };
    expect(configError(() => transmitSecY(none)).field).toBe('SA file: channels[0].sas');
  });
});

describe('receiveSecY', () => {
  it('every receive-capable channel a receive SC; pn is lowestPN (and nextPN, at least 1)', () => {
    const secy = receiveSecY(station([SCI_B, SCI_C]), { validateFrames: 'Check', replayWindow: 5, replayProtect: false });
    expect(secy.receiveSCIs()).toEqual([SCI_B, SCI_C]);
    expect(secy.receiveSAState(SCI_B, 1)).toEqual({ an: 1, nextPN: 1n, lowestPN: 0n, inUse: true });
    expect(secy.controls).toMatchObject({ validateFrames: 'Check', replayWindow: 5, replayProtect: false });
    expect(secy.sci).toEqual(Uint8Array.from(Buffer.from(SCI_A, 'hex')));
    const one = receiveSecY(oneSa());
    expect(one.receiveSCIs()).toEqual([SCI_A]);
    expect(one.receiveSAState(SCI_A, 3)).toMatchObject({ nextPN: 100n, lowestPN: 100n });
  });

  it('a file with only a transmit channel cannot receive', () => {
    expect(configError(() => receiveSecY(station([]))).field).toBe('SA file: channels');
  });

  it('the one-SA form round-trips: what transmitSecY sends, receiveSecY delivers, across bursts', () => {
    const file = oneSa();
    const frames = Array.from({ length: BURST_FRAMES + 300 }, (_, i) => frame(i, 60 + (i % 1400)));
    const progress: number[] = [];
    const sent = transmitAll(transmitSecY(file, { backend: 'node' }), frames, (d) => progress.push(d));
    expect(progress).toEqual([BURST_FRAMES / frames.length, 1]);
    expect(sent.map((o) => (o.kind === 'transmitted' ? o.pn : undefined))).toEqual(frames.map((_, i) => 100n + BigInt(i)));
    const received = receiveAll(receiveSecY(file), sent.map((o) => (o.kind === 'transmitted' ? o.frame : new Uint8Array(0))));
    expect(received.every((o) => o.counter === 'InPktsOK')).toBe(true);
    expect(received.map((o) => (o.kind === 'controlled' ? Buffer.from(o.frame).toString('hex') : ''))).toEqual(frames.map((f) => Buffer.from(f).toString('hex')));
  });

  it('a station and its peer: A sends on AN 2, the peer receives on A\'s channel', () => {
    const a = station([SCI_B]);
    // The peer's file: A's transmit channel as its receive channel (same SAs), B transmitting.
    const peer: SaFile = { ...a, channels: [{ ...a.channels[1]!, direction: 'transmit' }, { ...a.channels[0]!, direction: 'receive' }] };
    const sent = transmitAll(transmitSecY(a), [frame(1), frame(2), frame(3), frame(4), frame(5), frame(6), frame(7)]);
    expect(sent.map((o) => o.kind === 'transmitted' && o.pn)).toEqual([4294967290n, 4294967291n, 4294967292n, 4294967293n, 4294967294n, 4294967295n, 4294967296n]);
    const got = receiveAll(receiveSecY(peer), sent.map((o) => (o.kind === 'transmitted' ? o.frame : new Uint8Array(0))));
    expect(got.map((o) => o.counter)).toEqual(new Array(7).fill('InPktsOK'));
  });
});
