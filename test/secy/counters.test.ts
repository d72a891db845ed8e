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
} from '../../src/secy/index.js';
import { ethFrame, flip, pair, sent } from './helpers.js';

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

  it('the conservation sums: each frame is in exactly one packet counter', () => {
    const { a, b } = pair();
    const frames = [ethFrame(), ethFrame(), ethFrame()].map((f) => sent(a.transmit(f)));
    a.setControls({ protectFrames: false });
    a.transmit(ethFrame());
    b.receiveBurst([...frames, frames[0]!, ethFrame()]);
    expect(receivedTotal(b.counters().secy)).toBe(5);
    expect(transmittedTotal(a.counters().secy)).toBe(4);
    expect(RECEIVE_PACKET_COUNTERS).toHaveLength(15);
    expect(TRANSMIT_PACKET_COUNTERS).toHaveLength(6);
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
