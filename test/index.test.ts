import { describe, expect, it } from 'vitest';
import * as lib from '../src/index.js';

describe('the library entry point', () => {
  it('exposes every layer', () => {
    for (const name of ['parseMacsecFrame', 'emitSecTag', 'SaContext', 'protect', 'validate', 'SecY', 'simulate', 'explainFrame', 'runVector', 'decodeSaFile']) {
      expect(typeof (lib as Record<string, unknown>)[name], name).toBe('function');
    }
    expect(typeof lib.capture.readCapture).toBe('function');
    expect(typeof lib.mka.kdf).toBe('function');
  });
  it('round-trips a frame through two SecYs using only the public API', () => {
    const key = lib.fromHex('ad7a2bd03eac835a6f620fdcb506b345');
    const a = new lib.SecY({ sci: '020000000001' + '0001', alwaysIncludeSCI: true });
    const b = new lib.SecY({ sci: '020000000002' + '0001' });
    a.createTransmitSA({ an: 0, sak: key, enable: true });
    b.createReceiveSC(a.sci);
    b.createReceiveSA(a.sci, { an: 0, sak: key, enable: true });
    const frame = lib.fromHex('020000000002 020000000001 0800 45000014000000004011f97ac0a80001c0a80002');
    const sent = a.transmit(frame);
    expect(sent.kind).toBe('transmitted');
    if (sent.kind !== 'transmitted') return;
    const got = b.receive(sent.frame);
    expect(got.kind === 'controlled' && lib.toHex(got.frame)).toBe(lib.toHex(frame));
    expect(b.counters().secy.InPktsOK).toBe(1);
  });
});
