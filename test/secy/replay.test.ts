import { describe, expect, it } from 'vitest';
import { SecY, advanceReplay, isLate, maxReplayWindow, recoverPNHigh, type ReplayState } from '../../src/secy/index.js';
import { ConfigError } from '../../src/util/errors.js';
import { SCI_A, delivered, ethFrame, flip, pair, sent } from './helpers.js';

const state = (next: bigint, lowest: bigint): ReplayState => ({
  nextHi: Number(next >> 32n),
  nextLo: Number(next & 0xffff_ffffn),
  lowestHi: Number(lowest >> 32n),
  lowestLo: Number(lowest & 0xffff_ffffn),
});
const big = (s: ReplayState): [bigint, bigint] => [(BigInt(s.nextHi) << 32n) + BigInt(s.nextLo), (BigInt(s.lowestHi) << 32n) + BigInt(s.lowestLo)];

describe('replay state arithmetic (replay.ts)', () => {
  it('advance: nextPN = PN + 1 (carrying into the upper half), lowestPN = nextPN - window, floored at 0', () => {
    const s = state(1n, 0n);
    advanceReplay(s, 0, 0xffff_ffff, 3);
    expect(big(s)).toEqual([0x1_0000_0000n, 0xffff_fffdn]);
    const t = state(1n, 0n);
    advanceReplay(t, 0, 2, 100);
    expect(big(t)).toEqual([3n, 0n]);
  });

  it('advance: a PN below nextPN changes nothing; lowestPN never moves back', () => {
    const s = state(10n, 8n);
    advanceReplay(s, 0, 5, 2);
    expect(big(s)).toEqual([10n, 8n]);
    const t = state(10n, 9n); // the KaY set lowestPN above nextPN - window
    advanceReplay(t, 0, 10, 5);
    expect(big(t)).toEqual([11n, 9n]);
  });

  it('XPN recovery (802.1AEbw 10.6.2): the smallest PN >= lowestPN with the received low 32 bits', () => {
    const s = state(0x5_8000_0000n, 0x5_7fff_fff0n);
    expect(recoverPNHigh(true, s, 0x7fff_fff0)).toBe(5);
    expect(recoverPNHigh(true, s, 0xffff_ffff)).toBe(5);
    expect(recoverPNHigh(true, s, 0x7fff_ffef)).toBe(6);
    expect(recoverPNHigh(true, s, 0)).toBe(6);
    expect(recoverPNHigh(false, s, 0)).toBe(0);
    expect(isLate(s, 5, 0x7fff_ffef)).toBe(true);
    expect(isLate(s, 5, 0x7fff_fff0)).toBe(false);
  });

  it('the window limits: 2^32 - 1, and 2^30 - 1 with XPN', () => {
    expect(maxReplayWindow(false)).toBe(2 ** 32 - 1);
    expect(maxReplayWindow(true)).toBe(2 ** 30 - 1);
  });
});

describe('replay protection (10.6.2, 10.6.5)', () => {
  it('replayWindow 0: strictly increasing PNs; anything at or below the last is Late', () => {
    const { a, b } = pair();
    const m = [1, 2, 3].map(() => sent(a.transmit(ethFrame())));
    expect(b.receive(m[0]!).counter).toBe('InPktsOK');
    expect(b.receive(m[0]!).counter).toBe('InPktsLate');
    expect(b.receive(m[2]!).counter).toBe('InPktsOK');
    expect(b.receive(m[1]!).counter).toBe('InPktsLate');
    expect(b.getReceiveLowestPN(SCI_A, 0)).toBe(4n);
  });

  it('within the window a late and even a repeated frame is accepted, as the standard says; below lowestPN is Late', () => {
    const { a, b } = pair({ rx: { replayWindow: 2 } });
    const m = [1, 2, 3, 4, 5].map(() => sent(a.transmit(ethFrame())));
    expect(b.receive(m[4]!).counter).toBe('InPktsOK'); // nextPN 6, lowestPN 4
    expect(b.getReceiveLowestPN(SCI_A, 0)).toBe(4n);
    expect(b.receive(m[3]!).counter).toBe('InPktsOK');
    expect(b.receive(m[3]!).counter).toBe('InPktsOK');
    expect(b.receive(m[2]!).counter).toBe('InPktsLate');
    expect(b.getReceiveNextPN(SCI_A, 0)).toBe(6n);
  });

  it('the replay check runs again in frame order: a duplicate in one burst, validated with it, is Late', () => {
    const { a, b } = pair();
    const m = sent(a.transmit(ethFrame()));
    const [o1, o2] = b.receiveBurst([m, m]);
    expect(o1!.counter).toBe('InPktsOK');
    expect(o2).toMatchObject({ kind: 'dropped', counter: 'InPktsLate' });
    expect(b.counters().secy).toMatchObject({ InPktsOK: 1, InPktsLate: 1 });
  });

  it('the preliminary check (10.6.2) drops a late frame before the crypto: it uses no receive capacity', () => {
    const { a, b } = pair({ rx: { receiveCapacity: 1 } });
    const old = sent(a.transmit(ethFrame()));
    expect(b.receive(old).counter).toBe('InPktsOK');
    const out = b.receiveBurst([old, sent(a.transmit(ethFrame()))]);
    expect(out.map((o) => o.counter)).toEqual(['InPktsLate', 'InPktsOK']);
  });

  it('replayProtect off: nothing is Late', () => {
    const { a, b } = pair({ rx: { replayProtect: false } });
    const m = sent(a.transmit(ethFrame()));
    b.receive(m);
    expect(b.receive(m).counter).toBe('InPktsDelayed');
    expect(b.counters().secy.InPktsLate).toBe(0);
  });

  it('the KaY can set lowestPN and nextPN of a receive SA', () => {
    const { a, b } = pair({ rx: { replayWindow: 5 } });
    b.setReceiveLowestPN(SCI_A, 0, 3n);
    expect(b.receiveSAState(SCI_A, 0)).toEqual({ an: 0, nextPN: 3n, lowestPN: 3n, inUse: true });
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsLate');
    b.setReceiveNextPN(SCI_A, 0, 7n);
    expect(b.getReceiveLowestPN(SCI_A, 0)).toBe(2n);
  });

  it('a smaller replayWindow raises lowestPN at once', () => {
    const { a, b } = pair({ rx: { replayWindow: 10 } });
    a.setTransmitNextPN(0, 20n);
    b.receive(sent(a.transmit(ethFrame())));
    expect(b.getReceiveLowestPN(SCI_A, 0)).toBe(11n);
    b.setControls({ replayWindow: 0 });
    expect(b.getReceiveLowestPN(SCI_A, 0)).toBe(21n);
  });

  it('XPN: replayWindow above 2^30 - 1 is a ConfigError; the plain suites allow up to 2^32 - 1', () => {
    expect(() => new SecY({ sci: SCI_A, cipherSuite: 'GCM-AES-XPN-128', replayWindow: 2 ** 30 })).toThrow(ConfigError);
    expect(new SecY({ sci: SCI_A, cipherSuite: 'GCM-AES-XPN-128', replayWindow: 2 ** 30 - 1 }).controls.replayWindow).toBe(2 ** 30 - 1);
    expect(new SecY({ sci: SCI_A, replayWindow: 2 ** 32 - 1 }).controls.replayWindow).toBe(2 ** 32 - 1);
    expect(() => new SecY({ sci: SCI_A, replayWindow: 2 ** 32 })).toThrow(ConfigError);
    const s = new SecY({ sci: SCI_A, cipherSuite: 'GCM-AES-XPN-256' });
    expect(() => s.setControls({ replayWindow: 2 ** 30 })).toThrow(/replayWindow/);
  });
});

describe('XPN PN recovery across 2^32 (802.1AEbw 10.6.2)', () => {
  it('low PN 0xFFFFFFFF then 0x00000000 recovers 2^32 and advances nextPN; the first frame cannot be replayed', () => {
    // [replayWindow, what a replay of the first frame gets, what a replay of the second gets]
    const cases = [
      [0, 'InPktsNotValid', 'InPktsNotValid'], // lowestPN 2^32 + 1: both recover into the next epoch
      [1, 'InPktsNotValid', 'InPktsOK'], // lowestPN 2^32: the second is still inside the window
      [64, 'InPktsOK', 'InPktsOK'], // lowestPN 2^32 - 63: both inside the window, accepted as the standard says
    ] as const;
    for (const [replayWindow, first, second] of cases) {
      const { a, b } = pair({ suite: 'GCM-AES-XPN-128', pn: 0xffff_ffffn, rx: { replayWindow } });
      b.setReceiveNextPN(SCI_A, 0, 0xffff_ffffn);
      const m1 = sent(a.transmit(ethFrame()));
      const m2 = sent(a.transmit(ethFrame()));
      expect(b.receive(m1)).toMatchObject({ counter: 'InPktsOK', origin: { pn: 0xffff_ffffn } });
      expect(b.receive(m2)).toMatchObject({ counter: 'InPktsOK', origin: { pn: 0x1_0000_0000n } });
      expect(b.getReceiveNextPN(SCI_A, 0)).toBe(0x1_0000_0001n);
      expect(b.receive(m1).counter).toBe(first);
      expect(b.receive(m2).counter).toBe(second);
      expect(b.counters().secy.InPktsLate).toBe(0);
    }
  });

  it('a frame replayed from the other half of the cycle is recovered into the next epoch: NotValid, not Late', () => {
    const { a, b } = pair({ suite: 'GCM-AES-XPN-256', pn: 0x1_0000_0010n });
    b.setReceiveNextPN(SCI_A, 0, 0x1_0000_0010n);
    const lowHalf = sent(a.transmit(ethFrame()));
    expect(b.receive(lowHalf).counter).toBe('InPktsOK');
    a.setTransmitNextPN(0, 0x1_8000_0010n);
    const highHalf = sent(a.transmit(ethFrame()));
    expect(b.receive(highHalf).counter).toBe('InPktsOK');
    const o = b.receive(lowHalf);
    expect(o).toMatchObject({ kind: 'dropped', counter: 'InPktsNotValid', origin: { pn: 0x2_0000_0010n } });
    // and from the same half too: the standard's recovery never yields a PN below lowestPN
    expect(b.receive(highHalf)).toMatchObject({ kind: 'dropped', counter: 'InPktsNotValid', origin: { pn: 0x2_8000_0010n } });
    expect(b.counters().secy.InPktsLate).toBe(0);
  });

  it('a frame from the next epoch is accepted when it comes first', () => {
    const { a, b } = pair({ suite: 'GCM-AES-XPN-128', pn: 0xffff_fff0n, rx: { replayWindow: 100 } });
    b.setReceiveNextPN(SCI_A, 0, 0xffff_fff0n);
    const ms = Array.from({ length: 32 }, () => sent(a.transmit(ethFrame())));
    // the last one (2^32 + 15) first, then the rest in order: all within the window
    expect(delivered(b.receive(ms[31]!))).toEqual(ethFrame());
    for (const m of ms.slice(0, 31)) expect(b.receive(m).counter).toBe('InPktsOK');
    expect(b.getReceiveNextPN(SCI_A, 0)).toBe(0x1_0000_0010n);
  });

  it('a tampered XPN frame fails its ICV like any other', () => {
    const { a, b } = pair({ suite: 'GCM-AES-XPN-128' });
    expect(b.receive(flip(sent(a.transmit(ethFrame())), 20)).counter).toBe('InPktsNotValid');
  });
});
