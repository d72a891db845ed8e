/** Random SecTAGs as a transmitter may write them (wire/sectag.ts `TransmitTci`), for the codec's tests. */
import fc from 'fast-check';
import type { AN, TransmitTci } from '../../src/wire/sectag.js';

export interface TransmitSecTagCase {
  readonly tci: TransmitTci;
  readonly sl: number;
  readonly pn: number;
  readonly sci: Uint8Array;
}

export const arbTransmitSecTag: fc.Arbitrary<TransmitSecTagCase> = fc
  .record({
    sciForm: fc.constantFrom('explicit', 'implicit', 'endStation', 'scb', 'endStation+scb'),
    confidentiality: fc.boolean(),
    an: fc.constantFrom<AN>(0, 1, 2, 3),
    sl: fc.integer({ min: 0, max: 47 }),
    pn: fc.integer({ min: 1, max: 0xffffffff }),
    sci: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  })
  .map(({ sciForm, sci, sl, pn, an, confidentiality }): TransmitSecTagCase => ({
    tci:
      sciForm === 'explicit'
        ? { an, confidentiality, includeSci: true, endStation: false, scb: false }
        : { an, confidentiality, includeSci: false, endStation: sciForm.startsWith('endStation'), scb: sciForm.endsWith('scb') },
    sl,
    pn,
    sci,
  }));
