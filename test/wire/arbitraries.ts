/** Random SecTAGs as a transmitter may write them (wire/sectag.ts `TransmitSecTag`), for the codec's tests. */
import fc from 'fast-check';
import type { AN, TransmitSecTag } from '../../src/wire/sectag.js';

export const arbTransmitSecTag: fc.Arbitrary<TransmitSecTag> = fc
  .record({
    sciForm: fc.constantFrom('explicit', 'implicit', 'endStation', 'scb', 'endStation+scb'),
    confidentiality: fc.boolean(),
    an: fc.constantFrom<AN>(0, 1, 2, 3),
    sl: fc.integer({ min: 0, max: 47 }),
    pn: fc.integer({ min: 1, max: 0xffffffff }),
    sci: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  })
  .map(({ sciForm, sci, ...t }): TransmitSecTag =>
    sciForm === 'explicit'
      ? { ...t, includeSci: true, endStation: false, scb: false, sci }
      : { ...t, includeSci: false, endStation: sciForm.startsWith('endStation'), scb: sciForm.endsWith('scb') },
  );
