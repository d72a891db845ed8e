import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/util/hex.js';
import { parseMacsecFrame } from '../../src/wire/frame.js';
import { parseEthernet, EtherType } from '../../src/wire/ethernet.js';
import { emitSecTag, parseSecTag, shortLength } from '../../src/wire/sectag.js';
import { arbTransmitSecTag } from './arbitraries.js';

// C.2.1 of 802.1AE Annex C: 60-octet integrity-only frame, SC=1 (SecTAG of 16 octets), SL 0.
const C21 = fromHex(
  'e20106d7cd0df0761e8dcd3d88e5400076d457ed08000f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f303132333435363738393a0003' +
    'abc40685a3cf911d3787e49db6a7265e',
);

/** A MACsec frame with the given SecTAG octets and secure data length (content irrelevant to the codec). */
function frame(tci: number, sl: number, pn: number, dataLength: number, sci = (tci & 0x20) !== 0): Uint8Array {
  const tagLength = sci ? 16 : 8;
  const f = new Uint8Array(12 + tagLength + dataLength + 16);
  f.set([0x88, 0xe5, tci, sl, pn >>> 24, (pn >>> 16) & 255, (pn >>> 8) & 255, pn & 255], 12);
  return f;
}

const errorOf = (f: Uint8Array, options = {}) => {
  const r = parseMacsecFrame(f, options);
  return r.ok ? undefined : { code: r.error.code, field: r.error.field, offset: r.error.offset };
};

describe('SecTAG rules (802.1AE 9.3-9.8, 10.6.1)', () => {
  it('parses a valid frame into its fields', () => {
    const r = parseMacsecFrame(C21);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.secTag).toMatchObject({ an: 0, sl: 0, pn: 0x76d457ed, tci: { es: true, sc: false, scb: false, e: false, c: false } });
    expect(r.value).toMatchObject({ secTagOffset: 12, secureDataOffset: 20, secureDataLength: 48, icvOffset: 68, padding: 0 });
  });
  it('rejects a frame without a SecTAG (EtherType not 0x88E5)', () => {
    const f = frame(0x2c, 0, 1, 48);
    f[12] = 0x08;
    f[13] = 0x00;
    expect(errorOf(f)).toEqual({ code: 'NOT_MACSEC', field: 'EtherType', offset: 12 });
  });
  it('rejects V=1', () => expect(errorOf(frame(0x80 | 0x0c, 0, 1, 48))).toEqual({ code: 'VERSION', field: 'TCI.V', offset: 14 }));
  it('rejects ES=1 with SC=1', () => expect(errorOf(frame(0x60, 0, 1, 48))?.code).toBe('ES_WITH_SC'));
  it('rejects SC=1 with SCB=1', () => expect(errorOf(frame(0x30, 0, 1, 48))?.code).toBe('SCB_WITH_SC'));
  it('rejects E=1 with C=0', () => expect(errorOf(frame(0x28, 0, 1, 48))?.code).toBe('E_WITHOUT_C'));
  it('accepts E=0 with C=1', () => expect(errorOf(frame(0x24, 0, 1, 48))).toBeUndefined());
  it('rejects the reserved SL bits', () => expect(errorOf(frame(0x2c, 0x40 | 10, 1, 10))).toEqual({ code: 'SL_RESERVED', field: 'SL', offset: 15 }));
  it('rejects SL >= 48', () => expect(errorOf(frame(0x2c, 48, 1, 48))?.code).toBe('SL_TOO_LARGE'));
  it('rejects SL that disagrees with the length', () => expect(errorOf(frame(0x2c, 20, 1, 47))?.code).toBe('SL_MISMATCH'));
  it('rejects SL 0 with fewer than 48 octets of secure data', () => expect(errorOf(frame(0x2c, 0, 1, 47))?.code).toBe('SL_MISMATCH'));
  it('rejects PN 0 for the plain suites, accepts it for XPN', () => {
    expect(errorOf(frame(0x2c, 0, 0, 48))).toEqual({ code: 'PN_ZERO', field: 'PN', offset: 16 });
    expect(errorOf(frame(0x2c, 0, 0, 48), { allowZeroPN: true })).toBeUndefined();
  });
  it('rejects a frame shorter than header, SecTAG and ICV', () => {
    expect(errorOf(frame(0x2c, 0, 1, 48).subarray(0, 12 + 16 + 15))?.code).toBe('TRUNCATED');
    expect(errorOf(frame(0x2c, 0, 1, 48).subarray(0, 12 + 10))).toEqual({ code: 'TRUNCATED', field: 'SCI', offset: 20 });
    expect(errorOf(new Uint8Array(5))?.code).toBe('TRUNCATED');
  });
  it('takes padding after the ICV of a short frame as padding, not data (SL says where data ends)', () => {
    const f = frame(0x0c, 6, 1, 6); // 12 + 8 + 6 + 16 = 42 octets, padded to 60
    const padded = new Uint8Array(60);
    padded.set(f);
    const r = parseMacsecFrame(padded);
    expect(r.ok && r.value).toMatchObject({ secureDataLength: 6, icvOffset: 26, padding: 18 });
  });
  it('does not take trailing octets as padding once the frame is longer than 60 octets', () => {
    const f = frame(0x0c, 30, 1, 31); // 12 + 8 + 31 + 16 = 67
    expect(errorOf(f)?.code).toBe('SL_MISMATCH');
  });
  it('never throws on any input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), (bytes, xpn) => {
        const r = parseMacsecFrame(bytes, { allowZeroPN: xpn, clearTags: 'auto' });
        expect(typeof r.ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('SecTAG emit and parse are symmetric', () => {
  it('parse(emit(tag)) gives the tag back, bit for bit as 9.3-9.9 lay it out', () => {
    fc.assert(
      fc.property(arbTransmitSecTag, ({ tci, sl, pn, sci }) => {
        const out = new Uint8Array(16);
        const end = emitSecTag(tci, sl, pn, sci, out, 0);
        expect(end).toBe(tci.includeSci ? 16 : 8);
        // 9.5: ES 0x40, SC 0x20, SCB 0x10, E 0x08, C 0x04; AN in the low two bits (9.6).
        expect(out[2]).toBe((tci.endStation ? 0x40 : 0) | (tci.includeSci ? 0x20 : 0) | (tci.scb ? 0x10 : 0) | (tci.confidentiality ? 0x0c : 0) | tci.an);
        const r = parseSecTag(out.subarray(0, end), 0);
        expect(r.ok && r.value).toEqual({
          tciAn: out[2],
          tci: { es: tci.endStation, sc: tci.includeSci, scb: tci.scb, e: tci.confidentiality, c: tci.confidentiality },
          an: tci.an,
          sl,
          pn,
          sci: tci.includeSci ? sci : undefined,
        });
      }),
    );
  });
  it('SL is the secure data length below 48, else 0', () => {
    expect([0, 1, 47, 48, 1500].map(shortLength)).toEqual([0, 1, 47, 0, 0]);
  });
});

describe('clear VLAN tags before the SecTAG (extension)', () => {
  it('finds one or two tags when a SecTAG follows them, and none otherwise', () => {
    const inner = frame(0x2c, 0, 5, 48);
    const tagged = new Uint8Array(inner.length + 8);
    tagged.set(inner.subarray(0, 12));
    tagged.set([0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x20, 0x0a], 12);
    tagged.set(inner.subarray(12), 20);
    const r = parseMacsecFrame(tagged, { clearTags: 'auto' });
    expect(r.ok && r.value.clearTags).toEqual([
      { tpid: 0x88a8, pcp: 0, dei: false, vid: 100 },
      { tpid: 0x8100, pcp: 1, dei: false, vid: 10 },
    ]);
    expect(r.ok && r.value.secTagOffset).toBe(20);
    expect(errorOf(tagged)?.code).toBe('NOT_MACSEC');
  });
});

describe('Ethernet header', () => {
  it('reads DA, SA, 802.1ad + 802.1Q tags and the EtherType', () => {
    // 802.1Q 9.6: TCI = PCP (3 bits) | DEI (1) | VID (12): 5, 1, 4094 -> 0xbffe.
    const out = fromHex('010203040506' + '0a0b0c0d0e0f' + '88a8bffe' + '81000001' + '86dd');
    const r = parseEthernet(out);
    expect(r.ok && { ...r.value, da: toHex(r.value.da), sa: toHex(r.value.sa) }).toEqual({
      da: '010203040506',
      sa: '0a0b0c0d0e0f',
      tags: [
        { tpid: EtherType.QinQ, pcp: 5, dei: true, vid: 4094 },
        { tpid: EtherType.VLAN, pcp: 0, dei: false, vid: 1 },
      ],
      etherType: EtherType.IPv6,
      headerLength: 22,
    });
  });
  it('reports a VLAN tag cut short', () => {
    const r = parseEthernet(fromHex('010203040506 0a0b0c0d0e0f 8100 00'));
    expect(r.ok ? undefined : r.error.code).toBe('BAD_VLAN');
  });
});
