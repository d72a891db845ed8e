import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES } from '../../src/crypto/suite.js';
import type { MkaErrorCode } from '../../src/mka/error.js';
import { kdf } from '../../src/mka/kdf.js';
import { deriveIck, deriveKek, mkpduIcv, unwrapSak, wrapSak } from '../../src/mka/keys.js';
import {
  ALGORITHM_AGILITY_2009,
  confidentialityOffsetCode,
  confidentialityOffsetOf,
  decodeMkpdu,
  emitMkpdu,
  isCanonicalOrder,
  PAE_GROUP_ADDRESS,
  parseMkpdu,
  type IckLookup,
  type Mkpdu,
  type MkpduRepr,
  type RawParameterSet,
} from '../../src/mka/mkpdu.js';
import { loadAnyVectorFile } from '../../src/conformance/files.js';
import { ConfigError } from '../../src/util/errors.js';
import { equalBytes, fromHex, toHex } from '../../src/util/hex.js';
import { LINUX_CAK, LINUX_CKN, LINUX_FRAMES } from './fixtures.js';

const bytes = (n: number, fill = 0): Uint8Array => new Uint8Array(n).fill(fill);
const lookupFor = (ckn: Uint8Array, ick: Uint8Array): IckLookup => (name) => (equalBytes(name, ckn) ? ick : undefined);

const CKN = fromHex('4d41435345432d4c41422d434b4e3031'); // "MACSEC-LAB-CKN01"
const ICK = deriveIck(fromHex('00112233445566778899aabbccddeeff'), CKN);
const LOOKUP = lookupFor(CKN, ICK);

function parsed(frame: Uint8Array, lookup: IckLookup = LOOKUP): Mkpdu {
  const r = parseMkpdu(frame, lookup);
  if (!r.ok) throw r.error;
  return r.value;
}

function rejected(frame: Uint8Array, code: MkaErrorCode, lookup: IckLookup = LOOKUP): void {
  const r = parseMkpdu(frame, lookup);
  expect(r.ok ? 'accepted' : r.error.code).toBe(code);
}

/** Recomputes the ICV after an edit, so that a later check is the one that fires. */
function resign(frame: Uint8Array, ick: Uint8Array = ICK): Uint8Array {
  const f = frame.slice();
  const icvAt = 18 + ((f[16]! << 8) | f[17]!) - 16;
  if (f.length < 18 || icvAt < 0 || icvAt + 16 > f.length) return f; // nothing sensible to sign
  f.set(mkpduIcv(ick, f.subarray(0, icvAt)), icvAt);
  return f;
}

const BASE: MkpduRepr = {
  sa: fromHex('02000000000a'),
  basic: {
    mkaVersion: 3,
    keyServerPriority: 0x10,
    keyServer: true,
    macsecDesired: true,
    macsecCapability: 3,
    sci: fromHex('02000000000a0001'),
    mi: fromHex('aa01aa02aa03aa04aa05aa06'),
    mn: 7,
    ckn: CKN,
  },
};

const mi = (n: number): Uint8Array => bytes(12, n);

describe('Linux wpa_supplicant MKPDUs (independent implementation)', () => {
  const ckn = fromHex(LINUX_CKN);
  const ick = deriveIck(fromHex(LINUX_CAK), ckn);

  for (const { mn, frame } of LINUX_FRAMES) {
    it(`MN ${mn}: ICV verifies with the 16-octet Keyid of a 24-octet CKN, re-emits byte for byte`, () => {
      const m = parsed(fromHex(frame), lookupFor(ckn, ick));
      expect(m.basic).toMatchObject({
        mkaVersion: 1,
        keyServerPriority: 0xff,
        keyServer: true,
        macsecDesired: true,
        macsecCapability: 2,
        mn,
        algorithmAgility: ALGORITHM_AGILITY_2009,
      });
      expect(toHex(m.basic.sci)).toBe('dca632d16f960001');
      expect(toHex(m.basic.ckn)).toBe(LINUX_CKN);
      expect(m.da).toEqual(PAE_GROUP_ADDRESS);
      expect(m.eapolVersion).toBe(3);
      expect(m.order).toEqual([]);
      expect(toHex(emitMkpdu(m, ick))).toBe(frame);
    });
  }

  it('do not verify with an ICK derived from the whole 24-octet CKN', () => {
    const wrongIck = kdf(fromHex(LINUX_CAK), 'IEEE8021 ICK', ckn, 128);
    rejected(fromHex(LINUX_FRAMES[0]!.frame), 'BAD_ICV', lookupFor(ckn, wrongIck));
  });
});

describe('MACsec_Lab frames (synthetic) decode to the expected fields', () => {
  const lab = loadAnyVectorFile(join(import.meta.dirname, '..', '..', 'vectors', 'mka', 'vectors.json')).flatMap((v) => (v.type === 'mka' && v.vector.kind === 'mkpdu-icv' ? [v.vector] : []));
  const frame = (n: number) => fromHex(String(lab.find((v) => (v.name ?? '').startsWith(`macsec-lab-mkpdu-${n}`))!['frame']));

  it('frame 2: Potential Peer List', () => {
    const m = parsed(frame(2));
    expect(m.basic).toMatchObject({ mkaVersion: 2, keyServerPriority: 0x20, keyServer: false, macsecDesired: true, macsecCapability: 3, mn: 1 });
    expect(m.potentialPeers?.peers.map((p) => [toHex(p.mi), p.mn])).toEqual([['aa01aa02aa03aa04aa05aa06', 1]]);
    expect(m.livePeers).toBeUndefined();
  });

  it('frame 3: Distributed SAK, SAK Use, Live Peer List, in that (non-ascending) order', () => {
    const m = parsed(frame(3));
    expect(m.order).toEqual([4, 3, 1]);
    expect(isCanonicalOrder(m)).toBe(false);
    expect(m.distributedSak).toMatchObject({ an: 0, confidentialityOffset: 0, key: { kn: 1 } });
    expect(m.distributedSak?.key?.cipherSuite).toBeUndefined();
    const kek = deriveKek(fromHex('00112233445566778899aabbccddeeff'), CKN);
    const sak = unwrapSak(kek, m.distributedSak!.key!.wrappedSak);
    expect(sak.ok && toHex(sak.value)).toBe('a1a2a3a4a5a6a7a8a9aaabacadaeafb0');
    expect(m.sakUse).toMatchObject({ latestAn: 0, latestTx: true, latestRx: false, oldTx: false, oldRx: false, delayProtect: true, plainTx: false });
    expect(m.sakUse?.keys).toMatchObject({ latestKi: { kn: 1 }, latestLowestPn: 1, oldKi: { kn: 0 }, oldLowestPn: 1 });
    expect(m.livePeers).toMatchObject({ keyServerSsci: 0, peers: [{ mn: 1 }] });
    // Without `order` the sets come out in ascending type order (11.11.3): different octets, same content.
    const { order: _, ...unordered } = m;
    const canonical = emitMkpdu(unordered, ICK);
    expect(canonical).not.toEqual(frame(3));
    const again = parsed(canonical);
    expect(again.order).toEqual([1, 3, 4]);
    expect(again.distributedSak).toEqual(m.distributedSak);
    expect(again.sakUse).toEqual(m.sakUse);
  });

  it('frame 4: SAK Use with Latest Key tx and rx', () => {
    const m = parsed(frame(4));
    expect(m.sakUse).toMatchObject({ latestTx: true, latestRx: true });
    expect(m.order).toEqual([3, 1]);
  });
});

describe('round trips, one per parameter set', () => {
  const wrap24 = wrapSak(bytes(16, 1), bytes(16, 2));
  const wrap40 = wrapSak(bytes(16, 1), bytes(32, 2));
  const cases: [string, Partial<MkpduRepr>][] = [
    ['Basic only, 1-octet CKN (3 octets of padding)', { basic: { ...BASE.basic, ckn: Uint8Array.of(0x42) } }],
    ['Basic, 32-octet CKN', { basic: { ...BASE.basic, ckn: bytes(32, 0x43) } }],
    ['Live Peer List with a Key Server SSCI', { livePeers: { keyServerSsci: 2, peers: [{ mi: mi(1), mn: 1 }, { mi: mi(2), mn: 0xffffffff }] } }],
    ['Live Peer List, empty', { livePeers: { keyServerSsci: 0, peers: [] } }],
    ['Potential Peer List', { potentialPeers: { peers: [{ mi: mi(3), mn: 9 }] } }],
    [
      'SAK Use without a SAK (body 0)',
      { sakUse: { latestAn: 0, latestTx: false, latestRx: false, oldAn: 0, oldTx: false, oldRx: false, plainTx: true, plainRx: true, delayProtect: false } },
    ],
    [
      'SAK Use with every flag',
      {
        sakUse: {
          latestAn: 3,
          latestTx: true,
          latestRx: true,
          oldAn: 2,
          oldTx: true,
          oldRx: true,
          plainTx: false,
          plainRx: true,
          delayProtect: true,
          keys: { latestKi: { mi: mi(4), kn: 5 }, latestLowestPn: 0xfffffffe, oldKi: { mi: mi(5), kn: 4 }, oldLowestPn: 77 },
        },
      },
    ],
    ['Distributed SAK, empty (MACsec not used)', { distributedSak: { an: 0, confidentialityOffset: 0 } }],
    ['Distributed SAK, default suite (body 28)', { distributedSak: { an: 1, confidentialityOffset: 1, key: { kn: 2, wrappedSak: wrap24 } } }],
    [
      'Distributed SAK, explicit GCM-AES-XPN-128 (body 36)',
      { distributedSak: { an: 2, confidentialityOffset: 2, key: { kn: 3, cipherSuite: CIPHER_SUITES['GCM-AES-XPN-128'].id, wrappedSak: wrap24 } } },
    ],
    [
      'Distributed SAK, GCM-AES-256 (body 52)',
      { distributedSak: { an: 3, confidentialityOffset: 3, key: { kn: 4, cipherSuite: CIPHER_SUITES['GCM-AES-256'].id, wrappedSak: wrap40 } } },
    ],
    ['Distributed SAK, unknown suite', { distributedSak: { an: 0, confidentialityOffset: 0, key: { kn: 5, cipherSuite: 0xffff_0000_0000_0001n, wrappedSak: wrap40 } } }],
    ['XPN', { xpn: { suspensionTime: 4, latestLowestPnHigh: 0x12345678, oldLowestPnHigh: 1 } }],
    ['ICV Indicator', { icvIndicator: true, livePeers: { keyServerSsci: 0, peers: [{ mi: mi(1), mn: 1 }] } }],
    [
      'unknown and undecoded types kept raw, bodies padded',
      {
        others: [
          { type: 5, typeSpecific: 0, body: bytes(30, 5) },
          { type: 6, typeSpecific: 0, body: Uint8Array.of(0x61, 0x62, 0x63) },
          { type: 7, typeSpecific: 0xabc, body: bytes(10, 7) },
          { type: 200, typeSpecific: 0xfff, body: new Uint8Array(0) },
        ],
      },
    ],
    ['every set at once, EAPOL version 2, another group DA', {
      da: fromHex('0180c200000e'),
      eapolVersion: 2,
      livePeers: { keyServerSsci: 1, peers: [{ mi: mi(1), mn: 1 }] },
      potentialPeers: { peers: [{ mi: mi(2), mn: 2 }] },
      sakUse: { latestAn: 1, latestTx: true, latestRx: true, oldAn: 0, oldTx: false, oldRx: false, plainTx: false, plainRx: false, delayProtect: false, keys: { latestKi: { mi: mi(9), kn: 2 }, latestLowestPn: 1, oldKi: { mi: mi(9), kn: 1 }, oldLowestPn: 100 } },
      distributedSak: { an: 1, confidentialityOffset: 1, key: { kn: 2, wrappedSak: wrap24 } },
      xpn: { suspensionTime: 0, latestLowestPnHigh: 0, oldLowestPnHigh: 0 },
      others: [{ type: 7, typeSpecific: 0, body: bytes(12, 1) }],
      icvIndicator: true,
    }],
  ];

  for (const [name, extra] of cases) {
    for (const ickLength of [16, 32]) {
      it(`${name} [${ickLength * 8}-bit ICK]`, () => {
        const ick = ickLength === 16 ? ICK : bytes(32, 0x5a);
        const repr: MkpduRepr = { ...BASE, ...extra };
        const frame = emitMkpdu(repr, ick);
        expect(frame.length % 2).toBe(0);
        expect(((frame[16]! << 8) | frame[17]!) % 4).toBe(0);
        const m = parsed(frame, lookupFor(repr.basic.ckn, ick));
        const { order: _o, others, ...fields } = repr;
        expect(m).toMatchObject(fields);
        expect(m.others).toEqual(others ?? []);
        expect(m.icvIndicator).toBe(repr.icvIndicator === true);
        expect(isCanonicalOrder(m)).toBe(true);
        expect(emitMkpdu(m, ick)).toEqual(frame);
      });
    }
  }

  it('a repeated type is decoded once and kept raw after that (receivers ignore repeats)', () => {
    const repeat: RawParameterSet = { type: 1, typeSpecific: 0, body: new Uint8Array([...mi(7), 0, 0, 0, 8]) };
    const frame = emitMkpdu({ ...BASE, livePeers: { keyServerSsci: 0, peers: [{ mi: mi(6), mn: 6 }] }, others: [repeat] }, ICK);
    const m = parsed(frame);
    expect(m.livePeers?.peers).toHaveLength(1);
    expect(m.livePeers?.peers[0]?.mn).toBe(6);
    expect(m.others).toEqual([repeat]);
    expect(m.order).toEqual([1, 1]);
    expect(emitMkpdu(m, ICK)).toEqual(frame);
  });

  it('honours `order`, ignoring types it names that are absent', () => {
    const repr: MkpduRepr = {
      ...BASE,
      livePeers: { keyServerSsci: 0, peers: [] },
      xpn: { suspensionTime: 0, latestLowestPnHigh: 0, oldLowestPnHigh: 0 },
      others: [{ type: 9, typeSpecific: 0, body: bytes(4) }],
      order: [8, 42, 9],
    };
    expect(parsed(emitMkpdu(repr, ICK)).order).toEqual([8, 9, 1]);
  });

  it('Confidentiality Offset codes', () => {
    expect([0, 1, 2, 3].map((c) => confidentialityOffsetOf(c as 0))).toEqual([undefined, 0, 30, 50]);
    expect([undefined, 0, 30, 50].map((o) => confidentialityOffsetCode(o as 0))).toEqual([0, 1, 2, 3]);
    expect(() => confidentialityOffsetCode(20 as 0)).toThrow(ConfigError);
  });
});

describe('rejections (11.11.2)', () => {
  const good = emitMkpdu({ ...BASE, livePeers: { keyServerSsci: 0, peers: [{ mi: mi(1), mn: 1 }] } }, ICK);
  const edit = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = good.slice();
    f(b);
    return b;
  };

  it('accepts the untouched frame, and trailing Ethernet padding', () => {
    expect(parseMkpdu(good, LOOKUP).ok).toBe(true);
    const padded = new Uint8Array(good.length + 10);
    padded.set(good);
    expect(emitMkpdu(parsed(padded), ICK)).toEqual(good);
  });

  it('BAD_ICV: a tampered ICV, a tampered body, the wrong ICK', () => {
    rejected(edit((b) => (b[b.length - 1]! ^= 0x01)), 'BAD_ICV');
    rejected(edit((b) => (b[18 + 4 + 8 + 12 + 3]! ^= 0x01)), 'BAD_ICV'); // Actor MN
    rejected(edit((b) => (b[6]! ^= 0x01)), 'BAD_ICV'); // SA: the ICV covers the Ethernet header
    rejected(good, 'BAD_ICV', lookupFor(CKN, bytes(16)));
  });

  it('UNKNOWN_CKN: no CAK with that name', () => {
    rejected(good, 'UNKNOWN_CKN', () => undefined);
    rejected(good, 'UNKNOWN_CKN', lookupFor(fromHex('4d41435345432d4c41422d434b4e3032'), ICK));
  });

  it('TRUNCATED: a short body, a frame without an EAPOL header', () => {
    rejected(good.subarray(0, good.length - 1), 'TRUNCATED');
    rejected(good.subarray(0, 40), 'TRUNCATED');
    rejected(good.subarray(0, 17), 'TRUNCATED');
    rejected(new Uint8Array(0), 'TRUNCATED');
  });

  it('BAD_LENGTH: Packet Body Length under 32 or not a multiple of 4 (b, c)', () => {
    rejected(edit((b) => (b[17] = 28)), 'BAD_LENGTH');
    rejected(edit((b) => (b[17]! -= 2)), 'BAD_LENGTH');
  });

  it('BAD_LENGTH: a parameter set body length running into the ICV', () => {
    const at = 18 + 4 + 28 + CKN.length; // the Live Peer List header
    expect(good[at]).toBe(1);
    rejected(edit((b) => (b[at + 3] = 0x20)), 'BAD_LENGTH');
    rejected(edit((b) => (b[at + 2] = 0x0f)), 'BAD_LENGTH');
  });

  it('BAD_LENGTH: a Basic Parameter Set with a CAK Name of 0 or 33 octets, or no room for the ICV (d)', () => {
    rejected(edit((b) => (b[21] = 28)), 'BAD_LENGTH');
    rejected(edit((b) => (b[21] = 28 + 33)), 'BAD_LENGTH');
    const bare = emitMkpdu(BASE, ICK);
    const grown = bare.slice();
    grown[21] = 28 + 32; // CKN of 32 claimed, overlapping the ICV
    rejected(grown, 'BAD_LENGTH');
  });

  const raw = (type: number, body: Uint8Array, typeSpecific = 0) => emitMkpdu({ ...BASE, others: [{ type, typeSpecific, body }] }, ICK);

  it('BAD_LENGTH: body lengths a parameter set type does not allow', () => {
    rejected(raw(1, bytes(20)), 'BAD_LENGTH'); // peer lists: multiples of 16
    rejected(raw(2, bytes(8)), 'BAD_LENGTH');
    rejected(raw(3, bytes(20)), 'BAD_LENGTH'); // SAK Use: 0 or 40
    rejected(raw(4, bytes(32)), 'BAD_LENGTH'); // Distributed SAK: 0, 28, 36, 52
    rejected(raw(8, bytes(4)), 'BAD_LENGTH'); // XPN: 8
    // 36 octets announcing GCM-AES-256, whose wrapped SAK is 40
    const body = new Uint8Array(36);
    new DataView(body.buffer).setBigUint64(4, CIPHER_SUITES['GCM-AES-256'].id);
    rejected(raw(4, body), 'BAD_LENGTH');
  });

  it('BAD_LENGTH: an ICV Indicator with a body length other than 16, or not last', () => {
    const withIndicator = emitMkpdu({ ...BASE, icvIndicator: true }, ICK);
    const at = withIndicator.length - 16 - 4;
    expect(withIndicator[at]).toBe(255);
    const b = withIndicator.slice();
    b[at + 3] = 32;
    rejected(b, 'BAD_LENGTH');
    const early = raw(200, bytes(16));
    early[18 + 4 + 28 + CKN.length] = 255;
    rejected(early, 'BAD_LENGTH');
  });

  it('NOT_MKPDU, BAD_VERSION, BAD_DESTINATION, BAD_ALGORITHM', () => {
    rejected(edit((b) => (b[12] = 0x81)), 'NOT_MKPDU'); // VLAN-tagged or anything but EAPOL
    rejected(edit((b) => (b[15] = 0)), 'NOT_MKPDU'); // EAP-Packet
    rejected(edit((b) => (b[14] = 0)), 'BAD_VERSION');
    rejected(edit((b) => (b[18] = 0)), 'BAD_VERSION');
    rejected(edit((b) => (b[0] = 0x02)), 'BAD_DESTINATION');
    rejected(resign(edit((b) => (b[18 + 4 + 8 + 12 + 4 + 3] = 0x02))), 'BAD_ALGORITHM');
  });

  it('errors name the field and its offset', () => {
    const r = parseMkpdu(edit((b) => (b[b.length - 1]! ^= 1)), LOOKUP);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatchObject({ name: 'MkaError', code: 'BAD_ICV', field: 'ICV', offset: good.length - 16 });
  });

  it('decodeMkpdu reads the structure without the ICV (dissectors)', () => {
    const r = decodeMkpdu(edit((b) => (b[b.length - 1]! ^= 1)));
    expect(r.ok && r.value.livePeers?.peers[0]?.mn).toBe(1);
  });
});

describe('emit rejects bad representations with ConfigError', () => {
  const bad: [string, MkpduRepr][] = [
    ['SA of 5 octets', { ...BASE, sa: bytes(5) }],
    ['MI of 11 octets', { ...BASE, basic: { ...BASE.basic, mi: bytes(11) } }],
    ['empty CKN', { ...BASE, basic: { ...BASE.basic, ckn: new Uint8Array(0) } }],
    ['capability 4', { ...BASE, basic: { ...BASE.basic, macsecCapability: 4 as 3 } }],
    ['MN 2^32', { ...BASE, basic: { ...BASE.basic, mn: 2 ** 32 } }],
    ['AN 4', { ...BASE, distributedSak: { an: 4, confidentialityOffset: 0 } }],
    ['wrapped SAK of 40 octets without a suite', { ...BASE, distributedSak: { an: 0, confidentialityOffset: 0, key: { kn: 1, wrappedSak: bytes(40) } } }],
    ['256 live peers (body over 4095 octets)', { ...BASE, livePeers: { keyServerSsci: 0, peers: Array.from({ length: 256 }, () => ({ mi: mi(1), mn: 1 })) } }],
    ['raw set of type 255', { ...BASE, others: [{ type: 255, typeSpecific: 0, body: bytes(16) }] }],
  ];
  for (const [name, repr] of bad) it(name, () => expect(() => emitMkpdu(repr, ICK)).toThrow(ConfigError));
  it('ICK of 20 octets', () => expect(() => emitMkpdu(BASE, bytes(20))).toThrow(ConfigError));
});

// ---------------------------------------------------------------- properties

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const octets = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const flag = fc.boolean();
const an = fc.integer({ min: 0, max: 3 });
const peers = fc.array(fc.record({ mi: octets(12), mn: u32 }), { maxLength: 4 });
const knownSuites = Object.values(CIPHER_SUITES);

const distributedSakKey = fc.oneof(
  fc.record({ kn: u32, wrappedSak: octets(24) }),
  fc.constantFrom(...knownSuites).chain((s) => fc.record({ kn: u32, cipherSuite: fc.constant(s.id), wrappedSak: octets(s.keyLength + 8) })),
  fc.record({
    kn: u32,
    cipherSuite: fc.bigInt({ min: 0n, max: 0xffff_ffff_ffff_ffffn }).filter((id) => !knownSuites.some((s) => s.id === id)),
    wrappedSak: fc.oneof(octets(24), octets(40)),
  }),
);

const reprArb: fc.Arbitrary<{ repr: MkpduRepr; ick: Uint8Array }> = fc
  .record(
    {
      da: octets(6).map((d) => Uint8Array.from(d, (x, i) => (i === 0 ? x | 1 : x))),
      sa: octets(6),
      eapolVersion: fc.integer({ min: 1, max: 255 }),
      basic: fc.record({
        mkaVersion: fc.integer({ min: 1, max: 255 }),
        keyServerPriority: fc.integer({ min: 0, max: 255 }),
        keyServer: flag,
        macsecDesired: flag,
        macsecCapability: fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2, 3),
        sci: octets(8),
        mi: octets(12),
        mn: u32,
        ckn: fc.uint8Array({ minLength: 1, maxLength: 32 }),
      }),
      livePeers: fc.record({ keyServerSsci: fc.integer({ min: 0, max: 255 }), peers }),
      potentialPeers: fc.record({ peers }),
      sakUse: fc.record(
        {
          latestAn: an,
          latestTx: flag,
          latestRx: flag,
          oldAn: an,
          oldTx: flag,
          oldRx: flag,
          plainTx: flag,
          plainRx: flag,
          delayProtect: flag,
          keys: fc.record({
            latestKi: fc.record({ mi: octets(12), kn: u32 }),
            latestLowestPn: u32,
            oldKi: fc.record({ mi: octets(12), kn: u32 }),
            oldLowestPn: u32,
          }),
        },
        { requiredKeys: ['latestAn', 'latestTx', 'latestRx', 'oldAn', 'oldTx', 'oldRx', 'plainTx', 'plainRx', 'delayProtect'] },
      ),
      distributedSak: fc.record(
        { an, confidentialityOffset: fc.constantFrom<0 | 1 | 2 | 3>(0, 1, 2, 3), key: distributedSakKey },
        { requiredKeys: ['an', 'confidentialityOffset'] },
      ),
      xpn: fc.record({ suspensionTime: fc.integer({ min: 0, max: 255 }), latestLowestPnHigh: u32, oldLowestPnHigh: u32 }),
      others: fc.array(
        fc.record({
          type: fc.oneof(fc.constantFrom(5, 6, 7), fc.integer({ min: 9, max: 254 })),
          typeSpecific: fc.integer({ min: 0, max: 0xfff }),
          body: fc.uint8Array({ maxLength: 40 }),
        }),
        { maxLength: 3 },
      ),
      icvIndicator: flag,
    },
    { requiredKeys: ['sa', 'basic'] },
  )
  .chain((repr) => {
    const types = [
      ...(repr.livePeers ? [1] : []),
      ...(repr.potentialPeers ? [2] : []),
      ...(repr.sakUse ? [3] : []),
      ...(repr.distributedSak ? [4] : []),
      ...(repr.xpn ? [8] : []),
      ...(repr.others ?? []).map((o) => o.type),
    ];
    return fc.record({
      repr: fc.option(fc.shuffledSubarray(types), { nil: undefined }).map((order): MkpduRepr => (order === undefined ? repr : { ...repr, order })),
      ick: fc.oneof(octets(16), octets(32)),
    });
  });

const sortRaw = (list: readonly RawParameterSet[]) => [...list].sort((a, b) => a.type - b.type || toHex(a.body).localeCompare(toHex(b.body)) || a.typeSpecific - b.typeSpecific);

describe('properties', () => {
  it('emit(parse(x)) === x for generated MKPDUs, and parse recovers the representation', () => {
    fc.assert(
      fc.property(reprArb, ({ repr, ick }) => {
        const frame = emitMkpdu(repr, ick);
        const r = parseMkpdu(frame, lookupFor(repr.basic.ckn, ick));
        if (!r.ok) throw r.error;
        expect(toHex(emitMkpdu(r.value, ick))).toBe(toHex(frame));
        const { order: _o, others, icvIndicator, ...fields } = repr;
        expect(r.value).toMatchObject(fields);
        expect(r.value.icvIndicator).toBe(icvIndicator === true);
        expect(sortRaw(r.value.others)).toEqual(sortRaw(others ?? []));
        if (repr.order === undefined) expect(isCanonicalOrder(r.value)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  const CODES: readonly MkaErrorCode[] = ['TRUNCATED', 'NOT_MKPDU', 'BAD_VERSION', 'BAD_DESTINATION', 'BAD_LENGTH', 'UNKNOWN_CKN', 'BAD_ALGORITHM', 'BAD_ICV'];

  it('never throws on damaged frames: each is accepted or rejected with a reason code', () => {
    fc.assert(
      fc.property(
        reprArb,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat(), { nil: undefined }),
        ({ repr, ick }, edits, cut) => {
          const frame = emitMkpdu(repr, ick);
          for (const [at, value] of edits) frame[at % frame.length] = value;
          const input = cut === undefined ? frame : frame.subarray(0, cut % (frame.length + 1));
          for (const r of [parseMkpdu(input, lookupFor(repr.basic.ckn, ick)), parseMkpdu(resign(input, ick), () => ick), decodeMkpdu(input)]) {
            if (!r.ok) expect(CODES).toContain(r.error.code);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('never throws on arbitrary octets', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (input) => {
        const r = parseMkpdu(input, () => bytes(16));
        if (!r.ok) expect(CODES).toContain(r.error.code);
        decodeMkpdu(input);
      }),
    );
  });
});
