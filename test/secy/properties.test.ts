import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backendNames } from '../../src/crypto/backend.js';
import { CIPHER_SUITES, CIPHER_SUITE_NAMES, type CipherSuiteName } from '../../src/crypto/suite.js';
import {
  RECEIVE_PACKET_COUNTERS,
  SecY,
  TRANSMIT_PACKET_COUNTERS,
  VALIDATE_FRAMES,
  receivedTotal,
  transmittedTotal,
  type ReceiveOutcome,
  type SecYOptions,
  type TransmitOutcome,
} from '../../src/secy/index.js';
import { MAC_C, SCI_A, SCI_B, SCI_C, TCI_OFFSET, ethFrame, flip, key, sent, xpnExtras } from './helpers.js';

/** A receiver of A's AN 0 (and, disabled, AN 2) with the given controls. */
function receiver(suite: CipherSuiteName, nextPN: bigint, controls: Omit<SecYOptions, 'sci'> = {}): SecY {
  const b = new SecY({ sci: SCI_B, cipherSuite: suite, ...controls });
  b.createReceiveSC(SCI_A);
  b.createReceiveSA(SCI_A, { an: 0, sak: key(suite, 1), nextPN, enable: true, ...xpnExtras(suite) });
  return b;
}

function transmitter(suite: CipherSuiteName, nextPN: bigint, controls: Omit<SecYOptions, 'sci'> = {}): SecY {
  const a = new SecY({ sci: SCI_A, cipherSuite: suite, ...controls });
  a.createTransmitSA({ an: 0, sak: key(suite, 1), nextPN, enable: true, ...xpnExtras(suite) });
  return a;
}

describe('property: replay protection holds for any order of arrival', () => {
  const N = 12;
  const plain = (() => {
    const a = transmitter('GCM-AES-128', 1n);
    return Array.from({ length: N }, (_, i) => sent(a.transmit(ethFrame(20, i))));
  })();
  const XPN_START = 0xffff_fff8n; // the frames straddle 2^32
  const xpn = (() => {
    const a = transmitter('GCM-AES-XPN-128', XPN_START);
    return Array.from({ length: N }, (_, i) => sent(a.transmit(ethFrame(20, i))));
  })();

  for (const [suite, frames, start] of [['GCM-AES-128', plain, 1n], ['GCM-AES-XPN-128', xpn, XPN_START]] as const) {
    it(`${suite}: nothing below lowestPN is delivered; with replayWindow 0 nothing twice, and PNs only increase`, () => {
      fc.assert(
        fc.property(fc.array(fc.nat({ max: N - 1 }), { maxLength: 40 }), fc.nat({ max: 6 }), (order, replayWindow) => {
          const b = receiver(suite, start, { replayWindow });
          const seen = new Set<bigint>();
          let last = -1n;
          for (const i of order) {
            const lowest = b.getReceiveLowestPN(SCI_A, 0);
            const o = b.receive(frames[i]!);
            if (o.kind !== 'controlled') {
              expect(['InPktsLate', 'InPktsNotValid']).toContain(o.counter);
              continue;
            }
            const pn = o.origin!.pn!;
            expect(pn).toBe(start + BigInt(i)); // recovered correctly (XPN)
            expect(pn >= lowest).toBe(true);
            expect(o.frame).toEqual(ethFrame(20, i));
            if (replayWindow === 0) {
              expect(seen.has(pn)).toBe(false);
              expect(pn > last).toBe(true);
            }
            seen.add(pn);
            last = pn;
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});

describe('property: every received frame lands in exactly one InPkts counter', () => {
  // A pool of every kind of frame, built once.
  const pool: Uint8Array[] = (() => {
    const a = transmitter('GCM-AES-128', 1n);
    a.createTransmitSA({ an: 1, sak: key('GCM-AES-128', 5) });
    const c = transmitter('GCM-AES-128', 1n, { alwaysIncludeSCI: true });
    const out: Uint8Array[] = [];
    for (let i = 0; i < 6; i++) out.push(sent(a.transmit(ethFrame(30, i)))); // C=1, PN 1-6
    a.setControls({ confidentialityProtect: false });
    for (let i = 0; i < 4; i++) out.push(sent(a.transmit(ethFrame(50, i)))); // C=0, PN 7-10
    out.push(flip(out[2]!, -1), flip(out[7]!, 20)); // ICV and data tampered
    out.push(ethFrame(), ethFrame(100, 3, 0x86dd)); // untagged
    const v = out[1]!.slice();
    v[TCI_OFFSET]! |= 0x80; // bad tag
    const ec = out[3]!.slice();
    ec[TCI_OFFSET]! &= ~0x04; // E=1, C=0
    out.push(v, ec);
    out.push(sent(c.transmit(ethFrame(30, 0, 0x0800, MAC_C)))); // unknown SCI, C=1
    c.setControls({ confidentialityProtect: false });
    out.push(sent(c.transmit(ethFrame(30, 0, 0x0800, MAC_C)))); // unknown SCI, C=0
    a.enableTransmitSA(1);
    out.push(sent(a.transmit(ethFrame()))); // AN 1, C=0: no SA at the receiver
    a.setControls({ confidentialityProtect: true });
    out.push(sent(a.transmit(ethFrame()))); // AN 1, C=1
    return out;
  })();

  it('over any mix of frames, controls and burst sizes, the counters add up and match the outcomes', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.nat({ max: pool.length - 1 }), { minLength: 1, maxLength: 6 }), { maxLength: 8 }),
        fc.constantFrom(...VALIDATE_FRAMES),
        fc.boolean(),
        fc.nat({ max: 4 }),
        fc.oneof(fc.constant(Infinity), fc.nat({ max: 4 })),
        (bursts, validateFrames, replayProtect, replayWindow, receiveCapacity) => {
          const b = receiver('GCM-AES-128', 1n, { validateFrames, replayProtect, replayWindow, receiveCapacity });
          const tally = new Map<string, number>();
          let n = 0;
          for (const burst of bursts) {
            const frames = burst.map((i) => pool[i]!);
            const outs: ReceiveOutcome[] = burst.length === 1 ? [b.receive(frames[0]!)] : b.receiveBurst(frames);
            for (const o of outs) tally.set(o.counter, (tally.get(o.counter) ?? 0) + 1);
            n += frames.length;
          }
          const c = b.counters().secy;
          expect(receivedTotal(c)).toBe(n);
          for (const k of RECEIVE_PACKET_COUNTERS) expect(c[k]).toBe(tally.get(k) ?? 0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('and every frame given to transmit lands in exactly one Out counter', () => {
    type Op = { kind: 'frame'; size: number } | { kind: 'protect'; on: boolean } | { kind: 'sa'; on: boolean } | { kind: 'exhaust' } | { kind: 'mtu'; size: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { weight: 6, arbitrary: fc.nat({ max: 200 }).map((size): Op => ({ kind: 'frame', size })) },
      fc.boolean().map((on): Op => ({ kind: 'protect', on })),
      fc.boolean().map((on): Op => ({ kind: 'sa', on })),
      fc.constant<Op>({ kind: 'exhaust' }),
      fc.integer({ min: 60, max: 300 }).map((size): Op => ({ kind: 'mtu', size })),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const a = transmitter('GCM-AES-128', 1n);
        const tally = new Map<string, number>();
        let n = 0;
        for (const o of ops) {
          if (o.kind === 'frame') {
            const out: TransmitOutcome = a.transmit(ethFrame(o.size));
            tally.set(out.counter, (tally.get(out.counter) ?? 0) + 1);
            n++;
          } else if (o.kind === 'protect') a.setControls({ protectFrames: o.on });
          else if (o.kind === 'sa') (o.on ? a.enableTransmitSA(0) : a.disableTransmitSA(0));
          else if (o.kind === 'mtu') a.setControls({ maxFrameSize: o.size });
          else if (a.getTransmitNextPN(0) < 0xffff_fffen) a.setTransmitNextPN(0, 0xffff_fffen);
        }
        const c = a.counters().secy;
        expect(transmittedTotal(c)).toBe(n);
        for (const k of TRANSMIT_PACKET_COUNTERS) expect(c[k]).toBe(tally.get(k) ?? 0);
      }),
      { numRuns: 300 },
    );
  });
});

describe('property: transmit then receive round-trips any frame, every suite and mode, both backends', () => {
  for (const suite of CIPHER_SUITE_NAMES) {
    for (const backend of backendNames()) {
      it(`${suite} [${backend}]`, () => {
        const maxPN = CIPHER_SUITES[suite].maxPN;
        fc.assert(
          fc.property(
            fc.boolean(),
            fc.constantFrom(0 as const, 30 as const, 50 as const),
            fc.constantFrom('alwaysIncludeSCI', 'useES', 'useSCB', 'pointToPoint'),
            fc.uint8Array({ maxLength: 120 }),
            fc.integer({ min: 0, max: 0xffff }),
            fc.bigInt({ min: 1n, max: maxPN - 8n }),
            fc.boolean(),
            (confidentialityProtect, confidentialityOffset, sciMode, payload, etherType, pn, viaBurst) => {
              const controls = {
                confidentialityProtect,
                confidentialityOffset,
                alwaysIncludeSCI: sciMode === 'alwaysIncludeSCI',
                useES: sciMode === 'useES',
                useSCB: sciMode === 'useSCB',
                backend,
              };
              const a = transmitter(suite, pn, controls);
              if (sciMode !== 'pointToPoint') {
                a.createReceiveSC(SCI_B);
                a.createReceiveSC(SCI_C);
              }
              const b = receiver(suite, pn, { confidentialityOffset, backend });
              const f = new Uint8Array(14 + payload.length);
              f.set(ethFrame(0, 0, etherType));
              f.set(payload, 14);
              const frames = [f, f.slice()];
              const mpdus = viaBurst ? a.transmitBurst(frames).map(sent) : frames.map((x) => sent(a.transmit(x)));
              const outs = viaBurst ? b.receiveBurst(mpdus) : mpdus.map((m) => b.receive(m));
              for (const o of outs) {
                expect(o.counter).toBe('InPktsOK');
                expect(o.kind === 'controlled' && o.frame).toEqual(f);
              }
              expect(b.getReceiveNextPN(SCI_A, 0)).toBe(pn + 2n);
            },
          ),
          { numRuns: 25 },
        );
      });
    }
  }
});
