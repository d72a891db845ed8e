import { describe, expect, it } from 'vitest';
import { SaContext } from '../../src/crypto/sa.js';
import { CIPHER_SUITES } from '../../src/crypto/suite.js';
import { validate } from '../../src/crypto/macsec.js';
import { parseMacsecFrame } from '../../src/wire/frame.js';
import { SecY, type SecYControls } from '../../src/secy/index.js';
import { ConfigError } from '../../src/util/errors.js';
import { MAC_A, SCI_A, SCI_C, TCI_OFFSET, delivered, ethFrame, key, pair, readPN, sent } from './helpers.js';

const txOnly = (controls: Partial<SecYControls> = {}): SecY => {
  const a = new SecY({ sci: SCI_A, ...controls });
  a.createTransmitSA({ an: 0, sak: key('GCM-AES-128', 1), enable: true });
  return a;
};

describe('transmit: PN assignment (10.5.2)', () => {
  it('uses exactly the configured PN first, then increments nextPN', () => {
    const { a } = pair({ pn: 1000n });
    const pns = [0, 1, 2].map(() => readPN(sent(a.transmit(ethFrame()))));
    expect(pns).toEqual([1000, 1001, 1002]);
    expect(a.getTransmitNextPN(0)).toBe(1003n);
  });

  it('never moves nextPN back: a PN is not reused under one SAK', () => {
    const { a } = pair({ pn: 10n });
    a.transmit(ethFrame());
    expect(() => a.setTransmitNextPN(0, 10n)).toThrow(ConfigError);
    a.setTransmitNextPN(0, 500n);
    expect(readPN(sent(a.transmit(ethFrame())))).toBe(500);
  });

  it('plain suite: sends PN 2^32-1, then refuses (counted), never wraps; the SecY goes not operational', () => {
    const { a } = pair({ pn: 0xffff_fffen });
    const exhausted: bigint[] = [];
    a.on('pnExhausted', (e) => exhausted.push(e.lastPN));
    expect(a.operational).toBe(true);
    expect(readPN(sent(a.transmit(ethFrame())))).toBe(0xffff_fffe);
    expect(exhausted).toEqual([]);
    expect(readPN(sent(a.transmit(ethFrame())))).toBe(0xffff_ffff);
    expect(exhausted).toEqual([0xffff_ffffn]);
    const refused = a.transmit(ethFrame());
    expect(refused).toMatchObject({ kind: 'dropped', counter: 'SimOutPktsPNExhausted' });
    expect(a.transmit(ethFrame()).kind).toBe('dropped');
    expect(a.counters().secy.SimOutPktsPNExhausted).toBe(2);
    expect(a.counters().secy.OutPktsEncrypted).toBe(2);
    expect(a.transmitSAState(0)).toMatchObject({ inUse: false, exhausted: true, enableTransmit: true });
    expect(a.operational).toBe(false);
  });

  it('with protectFrames off an exhausted SA leaves the SecY operational', () => {
    const { a } = pair({ pn: 0xffff_ffffn });
    a.transmit(ethFrame());
    expect(a.operational).toBe(false);
    a.setControls({ protectFrames: false });
    expect(a.operational).toBe(true);
  });

  it('XPN carries on past 2^32 (SecTAG shows the low 32 bits) and stops only after 2^64-1', () => {
    const { a, b } = pair({ suite: 'GCM-AES-XPN-128', pn: 0xffff_ffffn });
    b.setReceiveNextPN(SCI_A, 0, 0xffff_ffffn);
    const m1 = sent(a.transmit(ethFrame()));
    const m2 = sent(a.transmit(ethFrame()));
    expect([readPN(m1), readPN(m2)]).toEqual([0xffff_ffff, 0]);
    expect(a.getTransmitNextPN(0)).toBe(0x1_0000_0001n);
    expect(delivered(b.receive(m1))).toEqual(ethFrame());
    expect(delivered(b.receive(m2))).toEqual(ethFrame());

    const max = CIPHER_SUITES['GCM-AES-XPN-128'].maxPN;
    a.setTransmitNextPN(0, max);
    const last = a.transmit(ethFrame());
    expect(last).toMatchObject({ kind: 'transmitted', pn: max });
    expect(a.transmit(ethFrame())).toMatchObject({ kind: 'dropped', counter: 'SimOutPktsPNExhausted' });
    expect(a.operational).toBe(false);
  });
});

describe('transmit: refusals and untagged frames', () => {
  it('a too-long MPDU counts OutPktsTooLong and takes no PN', () => {
    const a = txOnly({ maxFrameSize: 100 });
    // 14 + 54 = 68 octets of frame, + 8 SecTAG + 16 ICV = 92 <= 100
    expect(sent(a.transmit(ethFrame(54))).length).toBe(92);
    const o = a.transmit(ethFrame(55 + 8)); // 77 + 24 = 101
    expect(o).toMatchObject({ kind: 'dropped', counter: 'OutPktsTooLong' });
    expect(a.counters().secy.OutPktsTooLong).toBe(1);
    expect(a.getTransmitNextPN(0)).toBe(2n);
  });

  it('protectFrames off: OutPktsUntagged, the frame passes unmodified', () => {
    const a = txOnly({ protectFrames: false });
    const f = ethFrame(30);
    const o = a.transmit(f);
    expect(o).toMatchObject({ kind: 'transmitted', counter: 'OutPktsUntagged', an: undefined, pn: undefined });
    expect(sent(o)).toEqual(f);
    expect(a.counters().secy.OutPktsUntagged).toBe(1);
    expect(a.getTransmitNextPN(0)).toBe(1n);
  });

  it('no encoding SA, or one not enabled: refused and counted (SimOutPktsNoSA), not operational', () => {
    const a = new SecY({ sci: SCI_A });
    expect(a.transmit(ethFrame())).toMatchObject({ kind: 'dropped', counter: 'SimOutPktsNoSA' });
    a.createTransmitSA({ an: 0, sak: key('GCM-AES-128', 1) });
    expect(a.transmit(ethFrame())).toMatchObject({ kind: 'dropped', counter: 'SimOutPktsNoSA' });
    expect(a.operational).toBe(false);
    a.enableTransmitSA(0);
    expect(a.operational).toBe(true);
    expect(a.transmit(ethFrame()).kind).toBe('transmitted');
    a.disableTransmitSA(0);
    expect(a.transmit(ethFrame()).kind).toBe('dropped');
    expect(a.counters().secy.SimOutPktsNoSA).toBe(3);
  });

  it('a frame without an EtherType is a caller error (ConfigError), before any state changes', () => {
    const a = txOnly();
    expect(() => a.transmit(new Uint8Array(13))).toThrow(ConfigError);
    expect(() => a.transmitBurst([ethFrame(), new Uint8Array(12)])).toThrow(ConfigError);
    expect(a.getTransmitNextPN(0)).toBe(1n);
  });
});

describe('transmit: counters (10.7)', () => {
  it('OutPktsEncrypted / OutOctetsEncrypted with confidentiality, OutPktsProtected / OutOctetsProtected without', () => {
    const a = txOnly();
    a.transmit(ethFrame(46)); // user data: EtherType + 46 = 48 octets
    a.setControls({ confidentialityProtect: false });
    a.transmit(ethFrame(10));
    a.transmit(ethFrame(10));
    const v = a.counters();
    expect(v.transmitSC.counters).toEqual({ OutPktsProtected: 2, OutPktsEncrypted: 1, OutOctetsProtected: 24, OutOctetsEncrypted: 48 });
    expect(v.transmitSC.sas).toEqual([{ an: 0, inUse: true, counters: { OutPktsProtected: 2, OutPktsEncrypted: 1 } }]);
    expect(v.secy).toMatchObject({ OutPktsProtected: 2, OutPktsEncrypted: 1, OutOctetsProtected: 24, OutOctetsEncrypted: 48 });
  });
});

describe('transmit: the SecTAG (10.5.3)', () => {
  const tci = (m: Uint8Array): number => m[TCI_OFFSET]!;

  it('E and C follow confidentialityProtect; AN is the encoding SA', () => {
    const { a } = pair({ an: 2 });
    expect(tci(sent(a.transmit(ethFrame())))).toBe(0x0c | 2);
    a.setControls({ confidentialityProtect: false });
    expect(tci(sent(a.transmit(ethFrame())))).toBe(0x00 | 2);
  });

  it('alwaysIncludeSCI sets SC and carries the SCI', () => {
    const { a } = pair({ tx: { alwaysIncludeSCI: true } });
    const m = sent(a.transmit(ethFrame()));
    expect(tci(m) & 0x70).toBe(0x20);
    expect(m.subarray(20, 28)).toEqual(SCI_A);
  });

  it('point-to-point (one receive SC) leaves the SCI out; a second receive SC brings it back', () => {
    const { a } = pair();
    expect(tci(sent(a.transmit(ethFrame()))) & 0x70).toBe(0);
    a.createReceiveSC(SCI_C);
    expect(tci(sent(a.transmit(ethFrame()))) & 0x70).toBe(0x20);
  });

  it('useES sets ES (no SCI) when the SCI is the source address ‖ port 1, and not otherwise', () => {
    const { a } = pair({ tx: { useES: true } });
    a.createReceiveSC(SCI_C); // not point-to-point
    expect(tci(sent(a.transmit(ethFrame()))) & 0x70).toBe(0x40);
    const otherSource = ethFrame(46, 0, 0x0800, SCI_C.subarray(0, 6));
    expect(tci(sent(a.transmit(otherSource))) & 0x70).toBe(0x20);
  });

  it('useSCB sets SCB without SCI; with useES, ES needs the SCI source address ‖ port 0 (9.5); alwaysIncludeSCI wins', () => {
    const { a } = pair({ tx: { useSCB: true, useES: true } });
    a.createReceiveSC(SCI_C);
    expect(tci(sent(a.transmit(ethFrame()))) & 0x70).toBe(0x10); // SCI_A has port 1: no ES
    a.setControls({ alwaysIncludeSCI: true });
    expect(tci(sent(a.transmit(ethFrame()))) & 0x70).toBe(0x20);
    const b = new SecY({ sci: Uint8Array.from([...MAC_A, 0, 0]), useSCB: true, useES: true });
    b.createTransmitSA({ an: 0, sak: key('GCM-AES-128', 1), enable: true });
    expect(tci(sent(b.transmit(ethFrame()))) & 0x70).toBe(0x50);
  });

  it('confidentialityOffset leaves that many octets of user data in clear', () => {
    const { a, b } = pair({ tx: { confidentialityOffset: 30, alwaysIncludeSCI: true }, rx: { confidentialityOffset: 30 } });
    const f = ethFrame(80);
    const m = sent(a.transmit(f));
    // SecTAG with SCI is 16 octets after DA SA: user data begins at 28
    expect(m.subarray(28, 28 + 30)).toEqual(f.subarray(12, 42));
    expect(m.subarray(28 + 30, 28 + 40)).not.toEqual(f.subarray(42, 52));
    expect(delivered(b.receive(m))).toEqual(f);
  });

  it('clear VLAN tags (extension) stay in front of the SecTAG, outside the ICV', () => {
    const { a, b } = pair({ tx: { clearTags: 1 }, rx: { clearTags: 1 } });
    const f = new Uint8Array(14 + 4 + 40);
    f.set(ethFrame(44));
    f.copyWithin(16, 12); // make room for the tag
    f.set([0x81, 0x00, 0x00, 0x64], 12);
    const m = sent(a.transmit(f));
    expect(m.subarray(12, 18)).toEqual(Uint8Array.from([0x81, 0x00, 0x00, 0x64, 0x88, 0xe5]));
    expect(delivered(b.receive(m))).toEqual(f);
  });

  it('the MPDU verifies with the stateless validate() under the SCI and PN the SecY chose', () => {
    const { a } = pair({ tx: { alwaysIncludeSCI: true }, pn: 77n });
    const m = sent(a.transmit(ethFrame()));
    const ctx = new SaContext({ suite: CIPHER_SUITES['GCM-AES-128'], key: key('GCM-AES-128', 1) });
    const layout = parseMacsecFrame(m);
    if (!layout.ok) throw layout.error;
    expect(layout.value.secTag.pn).toBe(77);
    expect(validate(ctx, m, layout.value, { sci: SCI_A, pnHigh: 0, confidentialityOffset: 0 })).toEqual(ethFrame());
  });

  it('transmitBurst assigns PNs in order, as transmit would', () => {
    const { a } = pair({ pn: 5n });
    const out = a.transmitBurst([ethFrame(1), ethFrame(2), ethFrame(3)]);
    expect(out.map((o) => (o.kind === 'transmitted' ? o.pn : undefined))).toEqual([5n, 6n, 7n]);
  });

  it('the source address of the frame is kept (MAC_A) and the SCI is the SecY sci', () => {
    const { a } = pair();
    const m = sent(a.transmit(ethFrame()));
    expect(m.subarray(6, 12)).toEqual(MAC_A);
    expect(a.sci).toEqual(SCI_A);
    expect(a.counters().transmitSC.sci).toBe('02000000000a0001');
  });
});
