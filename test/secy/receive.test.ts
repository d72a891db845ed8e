import { describe, expect, it } from 'vitest';
import { SecY, type ReceiveOutcome, type ValidateFrames } from '../../src/secy/index.js';
import { MAC_C, SCI_A, SCI_C, TCI_OFFSET, delivered, ethFrame, expectConserved, flip, key, pair, sent } from './helpers.js';

const MODES: readonly ValidateFrames[] = ['Strict', 'Check', 'Disabled'];

/** A pair where A sends with C = cBit (confidentiality on or off) and B validates as told. */
function setup(validateFrames: ValidateFrames, cBit: boolean, extra: { replayProtect?: boolean } = {}) {
  return pair({ tx: { confidentialityProtect: cBit }, rx: { validateFrames, ...extra } });
}

/**
 * The expected outcome for each case, written out independently of the implementation
 * (802.1AE 10.6.1-10.6.5): [Strict, Check, Disabled] x [C=0, C=1].
 */
type Expect = readonly [kind: ReceiveOutcome['kind'], counter: string];
const TABLE: Record<string, Record<ValidateFrames, readonly [c0: Expect, c1: Expect]>> = {
  'unknown SCI (10.6.1)': {
    Strict: [['dropped', 'InPktsNoSCI'], ['dropped', 'InPktsNoSCI']],
    Check: [['controlled', 'InPktsUnknownSCI'], ['dropped', 'InPktsNoSCI']],
    Disabled: [['controlled', 'InPktsUnknownSCI'], ['dropped', 'InPktsNoSCI']],
  },
  'no receive SA for the AN (10.6.1)': {
    Strict: [['dropped', 'InPktsNotUsingSA'], ['dropped', 'InPktsNotUsingSA']],
    Check: [['controlled', 'InPktsUnusedSA'], ['dropped', 'InPktsNotUsingSA']],
    Disabled: [['controlled', 'InPktsUnusedSA'], ['dropped', 'InPktsNotUsingSA']],
  },
  'ICV failure (10.6.5)': {
    Strict: [['dropped', 'InPktsNotValid'], ['dropped', 'InPktsNotValid']],
    Check: [['controlled', 'InPktsInvalid'], ['dropped', 'InPktsNotValid']],
    Disabled: [['controlled', 'InPktsUnchecked'], ['dropped', 'InPktsNotValid']],
  },
  'valid frame (10.6.5)': {
    Strict: [['controlled', 'InPktsOK'], ['controlled', 'InPktsOK']],
    Check: [['controlled', 'InPktsOK'], ['controlled', 'InPktsOK']],
    Disabled: [['controlled', 'InPktsUnchecked'], ['controlled', 'InPktsOK']],
  },
  'PN below lowestPN, replayProtect on (10.6.2)': {
    Strict: [['dropped', 'InPktsLate'], ['dropped', 'InPktsLate']],
    Check: [['dropped', 'InPktsLate'], ['dropped', 'InPktsLate']],
    Disabled: [['dropped', 'InPktsLate'], ['dropped', 'InPktsLate']],
  },
  'untagged frame (10.6)': {
    Strict: [['dropped', 'InPktsNoTag'], ['dropped', 'InPktsNoTag']],
    Check: [['controlled', 'InPktsUntagged'], ['controlled', 'InPktsUntagged']],
    Disabled: [['controlled', 'InPktsUntagged'], ['controlled', 'InPktsUntagged']],
  },
};

/** Builds the case's frame and returns what B does with it. */
function runCase(name: string, vf: ValidateFrames, cBit: boolean): { outcome: ReceiveOutcome; b: SecY; original: Uint8Array } {
  const original = ethFrame(60);
  if (name.startsWith('unknown SCI')) {
    const c = new SecY({ sci: SCI_C, confidentialityProtect: cBit, alwaysIncludeSCI: true });
    c.createTransmitSA({ an: 0, sak: key('GCM-AES-128', 9), enable: true });
    const { b } = setup(vf, cBit);
    const f = ethFrame(60, 0x5a, 0x0800, MAC_C);
    return { outcome: b.receive(sent(c.transmit(f))), b, original: f };
  }
  if (name.startsWith('no receive SA')) {
    const { a, b } = setup(vf, cBit);
    a.createTransmitSA({ an: 1, sak: key('GCM-AES-128', 2), enable: true });
    return { outcome: b.receive(sent(a.transmit(original))), b, original };
  }
  if (name.startsWith('ICV failure')) {
    const { a, b } = setup(vf, cBit);
    return { outcome: b.receive(flip(sent(a.transmit(original)), -1)), b, original };
  }
  if (name.startsWith('valid')) {
    const { a, b } = setup(vf, cBit);
    return { outcome: b.receive(sent(a.transmit(original))), b, original };
  }
  if (name.startsWith('PN below')) {
    const { a, b } = setup(vf, cBit);
    b.setReceiveNextPN(SCI_A, 0, 5n); // lowestPN 5; the frame has PN 1
    return { outcome: b.receive(sent(a.transmit(original))), b, original };
  }
  const { b } = setup(vf, cBit);
  return { outcome: b.receive(original), b, original };
}

describe('receive: the decision table, each validateFrames x C bit (10.6.1-10.6.5)', () => {
  for (const [name, row] of Object.entries(TABLE)) {
    for (const vf of MODES) {
      for (const cBit of [false, true]) {
        const [kind, counter] = row[vf][cBit ? 1 : 0];
        it(`${name}: ${vf}, C=${cBit ? 1 : 0} -> ${counter}, ${kind}`, () => {
          const { outcome, b, original } = runCase(name, vf, cBit);
          expect(outcome.kind).toBe(kind);
          expect(outcome.counter).toBe(counter);
          expectConserved(b, 1);
          expect(b.counters().secy[counter as 'InPktsOK']).toBe(1);
          // Delivered frames are the user's frame, SecTAG and ICV removed (unverified ones as received).
          if (outcome.kind === 'controlled') expect(outcome.frame).toEqual(original);
        });
      }
    }
  }
});

describe('receive: SecTAG checks', () => {
  it('a bad SecTAG is InPktsBadTag in every mode, with the rule it broke', () => {
    for (const vf of MODES) {
      const { a, b } = pair({ rx: { validateFrames: vf }, tx: { alwaysIncludeSCI: true } });
      const m = sent(a.transmit(ethFrame(30))); // 76 octets: too long to pass for a padded short frame
      const cases: [Uint8Array, string][] = [
        [(() => { const f = m.slice(); f[TCI_OFFSET]! |= 0x80; return f; })(), 'VERSION'],
        [(() => { const f = m.slice(); f[TCI_OFFSET]! |= 0x40; return f; })(), 'ES_WITH_SC'],
        [(() => { const f = m.slice(); f[TCI_OFFSET + 1] = 31; return f; })(), 'SL_MISMATCH'],
        [(() => { const f = m.slice(); f.fill(0, 16, 20); return f; })(), 'PN_ZERO'],
        [m.subarray(0, 30), 'TRUNCATED'],
      ];
      for (const [f, code] of cases) {
        const o = b.receive(f);
        expect(o).toMatchObject({ kind: 'dropped', counter: 'InPktsBadTag' });
        expect(o.kind === 'dropped' && o.error?.code).toBe(code);
      }
      expect(b.counters().secy.InPktsBadTag).toBe(cases.length);
      expectConserved(b, cases.length);
    }
  });

  it('XPN: PN field 0 in the SecTAG is legal (it is 2^32 * k)', () => {
    const { a, b } = pair({ suite: 'GCM-AES-XPN-256', pn: 0x1_0000_0000n });
    b.setReceiveNextPN(SCI_A, 0, 0x1_0000_0000n);
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsOK');
  });

  it('E=1 with C=0 goes to the Uncontrolled Port only, under no 802.1AE counter (Linux behaviour)', () => {
    for (const vf of MODES) {
      const { a, b } = pair({ rx: { validateFrames: vf } });
      const f = sent(a.transmit(ethFrame()));
      f[TCI_OFFSET]! &= ~0x04;
      const o = b.receive(f);
      expect(o).toMatchObject({ kind: 'uncontrolled', counter: 'SimInPktsUncontrolled' });
      expect(o.kind === 'uncontrolled' && o.frame).toBe(f);
      const c = b.counters().secy;
      expect(c.SimInPktsUncontrolled).toBe(1);
      expect(c.InPktsBadTag + c.InPktsNoTag + c.InPktsOK + c.InPktsUntagged).toBe(0);
      expectConserved(b, 1);
    }
  });

  it('a disabled receive SA counts InPktsNotUsingSA on that SA (it is not in use)', () => {
    const { a, b } = pair();
    b.disableReceiveSA(SCI_A, 0);
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsNotUsingSA');
    expect(b.counters().receiveSCs[0]!.sas[0]).toMatchObject({ an: 0, inUse: false, counters: { InPktsNotUsingSA: 1 } });
    b.setControls({ validateFrames: 'Check' });
    a.setControls({ confidentialityProtect: false });
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsUnusedSA');
    expect(b.counters().receiveSCs[0]!.sas[0]!.counters.InPktsUnusedSA).toBe(1);
  });
});

describe('receive: counters and state on success (10.6.5)', () => {
  it('InPktsOK moves nextPN to PN + 1 and lowestPN to nextPN - replayWindow', () => {
    const { a, b } = pair({ pn: 100n, rx: { replayWindow: 10 } });
    expect(b.getReceiveLowestPN(SCI_A, 0)).toBe(90n);
    a.setTransmitNextPN(0, 150n);
    delivered(b.receive(sent(a.transmit(ethFrame()))));
    expect(b.getReceiveNextPN(SCI_A, 0)).toBe(151n);
    expect(b.getReceiveLowestPN(SCI_A, 0)).toBe(141n);
  });

  it('InOctetsDecrypted for E=1 frames and InOctetsValidated for E=0, in user data octets', () => {
    const { a, b } = pair();
    b.receive(sent(a.transmit(ethFrame(46)))); // 48 octets of user data
    a.setControls({ confidentialityProtect: false });
    b.receive(sent(a.transmit(ethFrame(8)))); // 10
    const sc = b.counters().receiveSCs[0]!.counters;
    expect(sc).toMatchObject({ InPktsOK: 2, InOctetsDecrypted: 48, InOctetsValidated: 10 });
    expect(b.counters().secy).toMatchObject({ InOctetsDecrypted: 48, InOctetsValidated: 10 });
  });

  it('validateFrames Disabled counts no octets, even for the C=1 frames it still decrypts', () => {
    const { a, b } = pair({ rx: { validateFrames: 'Disabled' } });
    expect(b.receive(sent(a.transmit(ethFrame(46)))).counter).toBe('InPktsOK');
    expect(b.counters().secy).toMatchObject({ InOctetsDecrypted: 0, InOctetsValidated: 0 });
  });

  it('octets are counted for validated frames whatever the ICV said (figure 10-5 order, as Linux)', () => {
    const { a, b } = pair();
    b.receive(flip(sent(a.transmit(ethFrame(46))), -1));
    expect(b.counters().secy).toMatchObject({ InPktsNotValid: 1, InOctetsDecrypted: 48 });
  });

  it('a frame that is not validated (Disabled, C=0) does not move nextPN, so its replay is Unchecked too', () => {
    const { a, b } = setup('Disabled', false);
    const m = sent(a.transmit(ethFrame()));
    expect(b.receive(m).counter).toBe('InPktsUnchecked');
    expect(b.getReceiveNextPN(SCI_A, 0)).toBe(1n);
    expect(b.receive(m).counter).toBe('InPktsUnchecked');
  });

  it('a replayed valid frame is InPktsLate in every mode where it was validated', () => {
    for (const [vf, cBit] of [['Strict', false], ['Check', false], ['Check', true], ['Disabled', true]] as const) {
      const { a, b } = setup(vf, cBit);
      const m = sent(a.transmit(ethFrame()));
      expect(b.receive(m).counter).toBe('InPktsOK');
      expect(b.receive(m).counter).toBe('InPktsLate');
    }
  });

  it('InPktsDelayed: with replayProtect off, a valid frame below lowestPN is delivered and counted', () => {
    const { a, b } = pair({ rx: { replayProtect: false } });
    const m1 = sent(a.transmit(ethFrame()));
    const m2 = sent(a.transmit(ethFrame()));
    expect(b.receive(m2).counter).toBe('InPktsOK');
    expect(b.receive(m1).counter).toBe('InPktsDelayed');
    expect(b.receive(m1).counter).toBe('InPktsDelayed');
    expect(b.getReceiveNextPN(SCI_A, 0)).toBe(3n);
  });

  it('InPktsDelayed also for an unvalidated frame (Disabled, C=0) below lowestPN', () => {
    const { a, b } = setup('Disabled', false, { replayProtect: false });
    b.setReceiveNextPN(SCI_A, 0, 10n);
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsDelayed');
  });

  it('the decrypted frame has the SecTAG and ICV removed; the origin names SCI, AN and PN', () => {
    const { a, b } = pair({ pn: 42n, an: 3 });
    const o = b.receive(sent(a.transmit(ethFrame(100))));
    expect(o).toMatchObject({ kind: 'controlled', counter: 'InPktsOK', origin: { sci: '02000000000a0001', an: 3, pn: 42n } });
    expect(delivered(o)).toEqual(ethFrame(100));
  });

  it('a short frame padded to 60 octets by the MAC is still accepted (SL gives the length)', () => {
    const { a, b } = pair();
    const m = sent(a.transmit(ethFrame(2))); // 12 + 8 + 4 + 16 = 40 octets
    const padded = new Uint8Array(60);
    padded.set(m);
    expect(delivered(b.receive(padded))).toEqual(ethFrame(2));
  });
});

describe('receive: InPktsOverrun (receiveCapacity)', () => {
  it('frames to validate beyond the capacity of a burst are discarded as InPktsOverrun', () => {
    const { a, b } = pair({ rx: { receiveCapacity: 2 } });
    const frames = [ethFrame(), ethFrame(), ethFrame()].map((f) => sent(a.transmit(f)));
    const out = b.receiveBurst([ethFrame(), ...frames]);
    expect(out.map((o) => o.counter)).toEqual(['InPktsNoTag', 'InPktsOK', 'InPktsOK', 'InPktsOverrun']);
    expect(b.counters().secy.InPktsOverrun).toBe(1);
    expectConserved(b, 4);
    // capacity is per call: the next receive has it all again
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsOK');
  });

  it('frames that are not validated (Disabled, C=0) do not use the capacity', () => {
    const { a, b } = pair({ tx: { confidentialityProtect: false }, rx: { validateFrames: 'Disabled', receiveCapacity: 0 } });
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsUnchecked');
    a.setControls({ confidentialityProtect: true });
    expect(b.receive(sent(a.transmit(ethFrame()))).counter).toBe('InPktsOverrun');
  });
});

describe('receive: bursts', () => {
  it('receiveBurst gives the same outcomes and state as receive, frame by frame', () => {
    const mk = () => pair({ rx: { replayWindow: 1 } });
    const { a } = mk();
    const ms = [1, 2, 3, 4].map(() => sent(a.transmit(ethFrame())));
    const order = [ms[1]!, ms[0]!, ms[0]!, ms[3]!, flip(ms[2]!, 30), ms[2]!, ethFrame()];
    const one = mk().b;
    const burst = mk().b;
    const single = order.map((f) => one.receive(f));
    expect(burst.receiveBurst(order)).toEqual(single);
    expect(burst.counters()).toEqual(one.counters());
  });
});
