import { describe, expect, it } from 'vitest';
import { SecY, type SecYOptions } from '../../src/secy/index.js';
import { MAC_A, MAC_C, SCI_A, SCI_B, SCI_C, TCI_OFFSET, delivered, ethFrame, key, sent } from './helpers.js';

/** A's SCI with port 5: not derivable from the source address. */
const SCI_A5 = Uint8Array.from([...MAC_A, 0, 5]);

function sender(sci: Uint8Array, controls: Omit<SecYOptions, 'sci'> = {}): SecY {
  const s = new SecY({ sci, ...controls });
  s.createTransmitSA({ an: 0, sak: key('GCM-AES-128', 7), enable: true });
  return s;
}

function receiver(scis: readonly Uint8Array[]): SecY {
  const r = new SecY({ sci: SCI_B });
  for (const sci of scis) {
    r.createReceiveSC(sci);
    r.createReceiveSA(sci, { an: 0, sak: key('GCM-AES-128', 7), enable: true });
  }
  return r;
}

describe('receive: which SC a frame belongs to (10.6.1)', () => {
  it('SC=1: the SecTAG SCI picks the SC among several', () => {
    const r = receiver([SCI_A, SCI_C, SCI_A5]);
    const m = sent(sender(SCI_A5, { alwaysIncludeSCI: true }).transmit(ethFrame()));
    expect(r.receive(m)).toMatchObject({ counter: 'InPktsOK', origin: { sci: '02000000000a0005' } });
  });

  it('ES=1: source address ‖ port 1', () => {
    const s = sender(SCI_A, { useES: true });
    s.createReceiveSC(SCI_B);
    s.createReceiveSC(SCI_C); // not point-to-point: the SCI would otherwise be sent
    const m = sent(s.transmit(ethFrame()));
    expect(m[TCI_OFFSET]! & 0x70).toBe(0x40);
    expect(receiver([SCI_C, SCI_A]).receive(m)).toMatchObject({ counter: 'InPktsOK', origin: { sci: '02000000000a0001' } });
  });

  it('ES=1 with SCB=1: source address ‖ port 0 (9.5; Linux takes port 1)', () => {
    const SCI_A0 = Uint8Array.from([...MAC_A, 0, 0]);
    const s = sender(SCI_A0, { useES: true, useSCB: true });
    s.createReceiveSC(SCI_B);
    s.createReceiveSC(SCI_C);
    const m = sent(s.transmit(ethFrame()));
    expect(m[TCI_OFFSET]! & 0x70).toBe(0x50);
    expect(receiver([SCI_C, SCI_A, SCI_A0]).receive(m)).toMatchObject({ counter: 'InPktsOK', origin: { sci: '02000000000a0000' } });
    expect(receiver([SCI_C, SCI_A]).receive(m).counter).toBe('InPktsNoSCI');
  });

  it('SCB=1 with ES=0: no SCI implied; a point-to-point receiver uses its one SC', () => {
    const s = sender(SCI_A, { useSCB: true });
    s.createReceiveSC(SCI_B);
    s.createReceiveSC(SCI_C);
    const m = sent(s.transmit(ethFrame()));
    expect(m[TCI_OFFSET]! & 0x70).toBe(0x10);
    expect(receiver([SCI_A]).receive(m).counter).toBe('InPktsOK');
    expect(receiver([SCI_C, SCI_A]).receive(m)).toMatchObject({ counter: 'InPktsNoSCI', origin: { sci: undefined } });
  });

  it('SC=0, ES=0: a point-to-point receiver (one receive SC) uses that SC, whatever its port', () => {
    const m = sent(sender(SCI_A5).transmit(ethFrame())); // no receive SC at A: SCI left out
    expect(m[TCI_OFFSET]! & 0x70).toBe(0);
    expect(delivered(receiver([SCI_A5]).receive(m))).toEqual(ethFrame());
  });

  it('SC=0, ES=0 with several receive SCs: no SC (Linux would try source address ‖ port 1)', () => {
    const fromA1 = sent(sender(SCI_A).transmit(ethFrame()));
    expect(receiver([SCI_C, SCI_A]).receive(fromA1)).toMatchObject({ counter: 'InPktsNoSCI', origin: { sci: undefined, an: 0 } });
    const r = receiver([SCI_C, SCI_A]);
    r.setControls({ validateFrames: 'Check' });
    const intact = sent(sender(SCI_A, { confidentialityProtect: false }).transmit(ethFrame()));
    expect(r.receive(intact)).toMatchObject({ kind: 'controlled', counter: 'InPktsUnknownSCI', frame: ethFrame() });
  });

  it('ES=1 from a source whose address is not in any SC: unknown SCI', () => {
    const s = sender(SCI_C, { useES: true });
    s.createReceiveSC(SCI_A);
    s.createReceiveSC(SCI_B);
    const m = sent(s.transmit(ethFrame(46, 1, 0x0800, MAC_C)));
    expect(receiver([SCI_A]).receive(m).counter).toBe('InPktsNoSCI');
  });
});
