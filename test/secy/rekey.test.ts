import { afterEach, describe, expect, it, vi } from 'vitest';
import { SaContext } from '../../src/crypto/sa.js';
import { SecY, type RekeyNeededEvent } from '../../src/secy/index.js';
import { SCI_A, SCI_B, delivered, ethFrame, expectConserved, key, pair, sent } from './helpers.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('key rollover', () => {
  it('a new SA under the next AN: the transmitter switches, the receiver takes both, no frame lost', () => {
    const { a, b } = pair();
    const inFlight = [1, 2, 3].map((i) => sent(a.transmit(ethFrame(40, i))));
    // the KaY installs SAK 2 under AN 1: receive side first, then transmit
    b.createReceiveSA(SCI_A, { an: 1, sak: key('GCM-AES-128', 2), enable: true });
    a.createTransmitSA({ an: 1, sak: key('GCM-AES-128', 2) });
    expect(a.encodingSA).toBe(0);
    a.enableTransmitSA(1);
    expect(a.encodingSA).toBe(1);
    const after = [4, 5, 6].map((i) => a.transmit(ethFrame(40, i)));
    expect(after.map((o) => (o.kind === 'transmitted' ? [o.an, o.pn] : o.counter))).toEqual([[1, 1n], [1, 2n], [1, 3n]]);
    // old-key frames still arriving, interleaved with new-key ones
    const order = [sent(after[0]!), inFlight[0]!, sent(after[1]!), inFlight[1]!, inFlight[2]!, sent(after[2]!)];
    const got = order.map((m) => delivered(b.receive(m)));
    expect(got.map((f) => f[14])).toEqual([4, 1, 5, 2, 3, 6]);
    expectConserved(b, 6);
  });

  it('counters carry on across the rekey: SC and SecY totals absorb a deleted SA', () => {
    const { a, b } = pair();
    for (let i = 0; i < 3; i++) b.receive(sent(a.transmit(ethFrame())));
    a.createTransmitSA({ an: 1, sak: key('GCM-AES-128', 2), enable: true });
    b.createReceiveSA(SCI_A, { an: 1, sak: key('GCM-AES-128', 2), enable: true });
    for (let i = 0; i < 2; i++) b.receive(sent(a.transmit(ethFrame())));
    b.receive(sent(a.transmit(ethFrame()))); // one more so the replay below is late
    a.deleteTransmitSA(0);
    b.deleteReceiveSA(SCI_A, 0);
    const rx = b.counters();
    expect(rx.receiveSCs[0]!.counters.InPktsOK).toBe(6);
    expect(rx.receiveSCs[0]!.sas.map((s) => [s.an, s.counters.InPktsOK])).toEqual([[1, 3]]);
    expect(rx.secy.InPktsOK).toBe(6);
    const tx = a.counters();
    expect(tx.transmitSC.counters.OutPktsEncrypted).toBe(6);
    expect(tx.transmitSC.sas.map((s) => s.an)).toEqual([1]);
    // and frames for the deleted AN now find no SA
    a.createTransmitSA({ an: 0, sak: key('GCM-AES-128', 3), enable: true });
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsNotUsingSA');
    expect(b.counters().receiveSCs[0]!.counters).toMatchObject({ InPktsOK: 6, InPktsNotUsingSA: 1 });
  });

  it('deleting a receive SC keeps its counts in the SecY totals', () => {
    const { a, b } = pair();
    b.receive(sent(a.transmit(ethFrame())));
    b.deleteReceiveSC(SCI_A);
    expect(b.receiveSCIs()).toEqual([]);
    expect(b.counters().secy.InPktsOK).toBe(1);
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsNoSCI');
    expectConserved(b, 2);
  });

  it('keys are wiped when an SA is deleted, and when its receive SC is', () => {
    const wipe = vi.spyOn(SaContext.prototype, 'wipe');
    const { a, b } = pair();
    b.createReceiveSA(SCI_A, { an: 2, sak: key('GCM-AES-128', 5) });
    a.deleteTransmitSA(0);
    expect(wipe).toHaveBeenCalledTimes(1);
    expect((wipe.mock.contexts[0] as SaContext).isWiped).toBe(true);
    b.deleteReceiveSA(SCI_A, 0);
    expect(wipe).toHaveBeenCalledTimes(2);
    b.deleteReceiveSC(SCI_A);
    expect(wipe).toHaveBeenCalledTimes(3);
    expect(wipe.mock.contexts.every((c) => (c as SaContext).isWiped)).toBe(true);
  });

  it('destroy() wipes every key', () => {
    const wipe = vi.spyOn(SaContext.prototype, 'wipe');
    const { a } = pair();
    a.createTransmitSA({ an: 3, sak: key('GCM-AES-128', 4) });
    a.createReceiveSA(SCI_B, { an: 0, sak: key('GCM-AES-128', 4) });
    a.destroy();
    expect(wipe).toHaveBeenCalledTimes(3);
    expect(a.transmitSAState(3)).toBeUndefined();
  });
});

describe('rekey needed (PN threshold)', () => {
  it('is raised once per SA, when the PN reaches the threshold', () => {
    const { a } = pair({ tx: { rekeyThreshold: 5n }, pn: 3n });
    const events: RekeyNeededEvent[] = [];
    a.on('rekeyNeeded', (e) => events.push(e));
    for (let i = 0; i < 2; i++) a.transmit(ethFrame());
    expect(events).toEqual([]);
    for (let i = 0; i < 4; i++) a.transmit(ethFrame());
    expect(events).toEqual([{ sci: '02000000000a0001', an: 0, pn: 5n, threshold: 5n }]);
    // a new SA gets its own event
    a.createTransmitSA({ an: 1, sak: key('GCM-AES-128', 2), nextPN: 5n, enable: true });
    a.transmit(ethFrame());
    a.transmit(ethFrame());
    expect(events.map((e) => [e.an, e.pn])).toEqual([[0, 5n], [1, 5n]]);
  });

  it('defaults to 0xC0000000 (wpa_supplicant), before exhaustion', () => {
    const { a } = pair({ pn: 0xbfff_ffffn });
    expect(a.controls.rekeyThreshold).toBe(0xc000_0000n);
    const seen: bigint[] = [];
    a.on('rekeyNeeded', (e) => seen.push(e.pn));
    a.transmit(ethFrame());
    expect(seen).toEqual([]);
    a.transmit(ethFrame());
    expect(seen).toEqual([0xc000_0000n]);
    expect(new SecY({ sci: SCI_A, cipherSuite: 'GCM-AES-XPN-128' }).controls.rekeyThreshold).toBe(0xc000_0000_0000_0000n);
  });

  it('a listener may switch SAs at once (the KaY reacting); unsubscribing stops the calls', () => {
    const { a, b } = pair({ tx: { rekeyThreshold: 2n } });
    b.createReceiveSA(SCI_A, { an: 1, sak: key('GCM-AES-128', 2), enable: true });
    let calls = 0;
    const off = a.on('rekeyNeeded', () => {
      calls++;
      a.createTransmitSA({ an: 1, sak: key('GCM-AES-128', 2), enable: true });
    });
    const out = a.transmitBurst([ethFrame(), ethFrame(), ethFrame()]);
    expect(out.map((o) => (o.kind === 'transmitted' ? o.an : -1))).toEqual([0, 0, 1]);
    expect(out.every((o) => b.receive(sent(o)).counter === 'InPktsOK')).toBe(true);
    off();
    a.setTransmitNextPN(1, 10n);
    a.transmit(ethFrame());
    expect(calls).toBe(1);
  });

  it('PN exhaustion is an event too, and the SecY is then not operational', () => {
    const { a } = pair({ pn: 0xffff_ffffn });
    const ex: number[] = [];
    a.on('pnExhausted', (e) => ex.push(e.an));
    a.transmit(ethFrame());
    expect(ex).toEqual([0]);
    expect(a.operational).toBe(false);
  });
});
