import { describe, expect, it } from 'vitest';
import {
  RECEIVE_PACKET_COUNTERS,
  RECEIVE_SA_COUNTERS,
  RECEIVE_SC_COUNTERS,
  SECY_COUNTERS,
  TRANSMIT_PACKET_COUNTERS,
  TRANSMIT_SA_COUNTERS,
  TRANSMIT_SC_COUNTERS,
  formatCounters,
  receivedTotal,
  transmittedTotal,
  SecY,
  type ReceivePacketCounterName,
  type TransmitOutcome,
  type TransmitPacketCounterName,
} from '../../src/secy/index.js';
import { ethFrame, flip, key, pair, SCI_C, sent, TCI_OFFSET } from './helpers.js';

describe('counters()', () => {
  it('is a plain JSON-safe object: per SecY, per SC, per SA, under the IEEE names', () => {
    const { a, b } = pair();
    b.receive(sent(a.transmit(ethFrame())));
    b.receive(flip(sent(a.transmit(ethFrame())), -1));
    const v = b.counters();
    expect(JSON.parse(JSON.stringify(v))).toEqual(v);
    expect(Object.keys(v.secy).sort()).toEqual([...SECY_COUNTERS].sort());
    expect(Object.keys(v.receiveSCs[0]!.counters)).toEqual([...RECEIVE_SC_COUNTERS]);
    expect(Object.keys(v.receiveSCs[0]!.sas[0]!.counters)).toEqual([...RECEIVE_SA_COUNTERS]);
    expect(Object.keys(v.transmitSC.counters)).toEqual([...TRANSMIT_SC_COUNTERS]);
    const t = a.counters();
    expect(Object.keys(t.transmitSC.sas[0]!.counters)).toEqual([...TRANSMIT_SA_COUNTERS]);
    expect(v.receiveSCs[0]).toMatchObject({ sci: '02000000000a0001', counters: { InPktsOK: 1, InPktsNotValid: 1 }, sas: [{ an: 0, inUse: true, counters: { InPktsOK: 1, InPktsNotValid: 1 } }] });
    expect(Object.values(v.secy).every((n) => typeof n === 'number')).toBe(true);
  });

  it('a snapshot does not change afterwards', () => {
    const { a, b } = pair();
    const before = b.counters();
    b.receive(sent(a.transmit(ethFrame())));
    expect(before.secy.InPktsOK).toBe(0);
    expect(b.counters().secy.InPktsOK).toBe(1);
  });

  it('names the packet counters as 802.1AE 10.7.9 and 10.7.18 do, plus the simulator\'s Sim ones', () => {
    // 10.7.9: per SecY, then per receive SC; 10.7.18: per SecY, then per transmit SC.
    const standardReceive = ['InPktsUntagged', 'InPktsNoTag', 'InPktsBadTag', 'InPktsUnknownSCI', 'InPktsNoSCI', 'InPktsOverrun', 'InPktsOK', 'InPktsUnchecked', 'InPktsDelayed', 'InPktsLate', 'InPktsInvalid', 'InPktsNotValid', 'InPktsNotUsingSA', 'InPktsUnusedSA'];
    const standardTransmit = ['OutPktsUntagged', 'OutPktsTooLong', 'OutPktsProtected', 'OutPktsEncrypted'];
    expect([...RECEIVE_PACKET_COUNTERS].sort()).toEqual([...standardReceive, 'SimInPktsUncontrolled'].sort());
    expect([...TRANSMIT_PACKET_COUNTERS].sort()).toEqual([...standardTransmit, 'SimOutPktsNoSA', 'SimOutPktsPNExhausted'].sort());
  });

  it('each frame lands in exactly the one counter the standard names for its case', () => {
    const { a, b } = pair();
    const good = sent(a.transmit(ethFrame()));
    const badTag = good.slice();
    badTag[TCI_OFFSET]! |= 0x80; // V=1 (9.5)
    const eWithoutC = good.slice();
    eWithoutC[TCI_OFFSET] = (eWithoutC[TCI_OFFSET]! & ~0x04) | 0x08; // E=1, C=0 (9.5, reserved)
    const otherAN = good.slice();
    otherAN[TCI_OFFSET] = (otherAN[TCI_OFFSET]! & ~0x03) | 0x02; // AN 2: no receive SA
    const cases: readonly [Uint8Array, ReceivePacketCounterName][] = [
      [good, 'InPktsOK'],
      [good, 'InPktsLate'], // a replay, Strict, window 0 (10.6.2)
      [flip(sent(a.transmit(ethFrame())), -1), 'InPktsNotValid'], // ICV fails, Strict (10.6.5)
      [ethFrame(), 'InPktsNoTag'], // no SecTAG, Strict (10.6)
      [badTag, 'InPktsBadTag'], // 10.6.1
      [eWithoutC, 'SimInPktsUncontrolled'], // to the Uncontrolled Port only
      [otherAN, 'InPktsNotUsingSA'], // 10.6.1, C=1
    ];
    const outcomes = cases.map(([f]) => b.receive(f));
    expect(outcomes.map((o) => o.counter)).toEqual(cases.map(([, c]) => c));
    const secy = b.counters().secy;
    for (const name of RECEIVE_PACKET_COUNTERS) expect(secy[name], name).toBe(cases.filter(([, c]) => c === name).length);

    const t = new SecY({ sci: SCI_C, maxFrameSize: 100 });
    const tx: [() => TransmitOutcome, TransmitPacketCounterName][] = [
      [() => t.transmit(ethFrame()), 'SimOutPktsNoSA'], // no encoding SA yet
      [() => (t.createTransmitSA({ an: 0, sak: key('GCM-AES-128', 3), enable: true }), t.transmit(ethFrame())), 'OutPktsEncrypted'], // confidentiality on by default
      [() => t.transmit(ethFrame(100)), 'OutPktsTooLong'], // MPDU over maxFrameSize
      [() => (t.setControls({ confidentialityProtect: false }), t.transmit(ethFrame())), 'OutPktsProtected'],
      [() => (t.setControls({ protectFrames: false }), t.transmit(ethFrame())), 'OutPktsUntagged'],
    ];
    expect(tx.map(([send]) => send().counter)).toEqual(tx.map(([, c]) => c));
    const tc = t.counters().secy;
    for (const name of TRANSMIT_PACKET_COUNTERS) expect(tc[name], name).toBe(tx.filter(([, c]) => c === name).length);
  });

  it('receivedTotal and transmittedTotal add up the frames given, each once', () => {
    const { a, b } = pair();
    const frames = [ethFrame(), ethFrame(), ethFrame()].map((f) => sent(a.transmit(f)));
    a.setControls({ protectFrames: false });
    a.transmit(ethFrame());
    b.receiveBurst([...frames, frames[0]!, ethFrame()]);
    expect(receivedTotal(b.counters().secy)).toBe(5);
    expect(transmittedTotal(a.counters().secy)).toBe(4);
  });
});

describe('formatCounters', () => {
  it('prints the ip -s macsec layout: names with their values right below', () => {
    const { a, b } = pair();
    b.receive(sent(a.transmit(ethFrame(46))));
    b.receive(ethFrame());
    const text = formatCounters(b.counters());
    const lines = text.split('\n');
    expect(lines[0]).toBe('SecY 02000000000b0001');
    const head = lines.findIndex((l) => l.includes('InOctetsValidated'));
    const names = lines[head]!;
    const values = lines[head + 1]!;
    const col = names.indexOf('InPktsOK');
    expect(values.slice(col).split(/\s+/)[0]).toBe('1');
    const dcol = names.indexOf('InOctetsDecrypted');
    expect(values.slice(dcol).split(/\s+/)[0]).toBe('48');
    expect(text).toContain(`RXSC: ${'02000000000a0001'}`);
    expect(text).toContain('0: state on');
    const secyNames = lines[1]!;
    expect(lines[2]!.slice(secyNames.indexOf('InPktsNoTag')).split(/\s+/)[0]).toBe('1');
    expect(b.formatCounters()).toBe(text);
  });

  it('hideZeroRows leaves out SAs whose counters are all zero', () => {
    const { b } = pair();
    expect(formatCounters(b.counters())).toContain('0: state on');
    expect(formatCounters(b.counters(), { hideZeroRows: true })).not.toContain('0: state on');
  });
});
