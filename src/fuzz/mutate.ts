/**
 * Hostile frames: mutations of legitimate frames (bit flips in every field, truncations, SL and length
 * disagreements, PNs around 2^32, padding and clear-tag changes that leave the ICV-covered octets alone)
 * and frames made from nothing (tiny, huge, random, random SecTAG bits, untagged, EAPOL).
 */
import { concatBytes } from '../util/hex.js';
import { authenticatedRegion } from './oracle.js';
import type { Rng } from '../util/rng.js';
import type { LegitFrame, PayloadPool, Stream } from './stream.js';

/** The fields of a legitimate frame, as octet ranges [start, end). */
interface Fields {
  readonly da: readonly [number, number];
  readonly sa: readonly [number, number];
  readonly clearTags: readonly [number, number];
  readonly etherType: readonly [number, number];
  readonly tci: readonly [number, number];
  readonly sl: readonly [number, number];
  readonly pn: readonly [number, number];
  readonly sci: readonly [number, number];
  readonly data: readonly [number, number];
  readonly icv: readonly [number, number];
  readonly padding: readonly [number, number];
}

export function fieldsOf(bytes: Uint8Array, clearTags: number): Fields {
  const r = authenticatedRegion(bytes, clearTags);
  if (r === undefined) throw new Error('fuzz: a legitimate frame has no authenticated region');
  const st = r.secTagOffset;
  const data = st + (r.tci & 0x20 ? 16 : 8);
  return {
    da: [0, 6],
    sa: [6, 12],
    clearTags: [12, st],
    etherType: [st, st + 2],
    tci: [st + 2, st + 3],
    sl: [st + 3, st + 4],
    pn: [st + 4, st + 8],
    sci: [st + 8, data],
    data: [data, r.end - 16],
    icv: [r.end - 16, r.end],
    padding: [r.end, bytes.length],
  };
}

export interface MutationContext {
  readonly rng: Rng;
  readonly stream: Stream;
  readonly pool: PayloadPool;
}

type Mutator = (f: Uint8Array, fields: Fields, x: MutationContext) => Uint8Array;

const flipBit = (f: Uint8Array, at: number, rng: Rng): Uint8Array => {
  const out = f.slice();
  out[at]! ^= 1 << rng.int(8);
  return out;
};

const writeU32 = (f: Uint8Array, o: number, v: number): void => {
  f[o] = v >>> 24;
  f[o + 1] = v >>> 16;
  f[o + 2] = v >>> 8;
  f[o + 3] = v;
};

const FIELD_NAMES = ['da', 'sa', 'clearTags', 'etherType', 'tci', 'sl', 'pn', 'sci', 'data', 'icv', 'padding'] as const;

/** Each mutation with its weight. */
const MUTATORS: readonly (readonly [string, number, Mutator])[] = [
  ['bit flip anywhere', 10, (f, _, { rng }) => flipBit(f, rng.int(f.length), rng)],
  [
    'bit flip in a field',
    24,
    (f, fields, { rng }) => {
      const present = FIELD_NAMES.filter((n) => fields[n][1] > fields[n][0]);
      if (present.length === 0) return flipBit(f, rng.int(f.length), rng);
      const [a, b] = fields[rng.pick(present)];
      return flipBit(f, rng.range(a, b - 1), rng);
    },
  ],
  [
    'TCI bit',
    6,
    (f, fields, { rng }) => {
      const out = f.slice();
      out[fields.tci[0]]! ^= 1 << rng.int(8);
      return out;
    },
  ],
  [
    'TCI random',
    3,
    (f, fields, { rng }) => {
      const out = f.slice();
      out[fields.tci[0]] = rng.int(256);
      return out;
    },
  ],
  [
    'SL disagrees',
    6,
    (f, fields, { rng }) => {
      const out = f.slice();
      const sl = f[fields.sl[0]]!;
      out[fields.sl[0]] = rng.pick([0, 1, 2, 47, 48, 63, 64, 0xc0, 0xff, (sl + 1) & 0xff, (sl - 1) & 0xff, rng.int(48), rng.int(256)]);
      return out;
    },
  ],
  [
    'PN set',
    6,
    (f, fields, { rng, stream }) => {
      const out = f.slice();
      const low = Number((stream.model.lowest(stream.an) ?? 1n) & 0xffff_ffffn);
      writeU32(out, fields.pn[0], rng.pick([0, 1, 0xffff_ffff, 0xffff_fffe, 0x8000_0000, rng.u32(), (low + rng.range(-3, 3)) >>> 0, rng.int(16), (0xffff_ffff - rng.int(16)) >>> 0]));
      return out;
    },
  ],
  [
    'AN change',
    3,
    (f, fields, { rng }) => {
      const out = f.slice();
      out[fields.tci[0]] = (out[fields.tci[0]]! & 0xfc) | ((out[fields.tci[0]]! + rng.range(1, 3)) & 3);
      return out;
    },
  ],
  ['truncate', 6, (f, _, { rng }) => f.slice(0, rng.int(f.length))],
  [
    'truncate at a field boundary',
    5,
    (f, fields, { rng }) => {
      const [start, end] = fields[rng.pick(FIELD_NAMES)];
      const cut = (rng.int(2) === 0 ? start : end) + rng.range(-1, 1);
      return f.slice(0, Math.max(0, Math.min(f.length - 1, cut)));
    },
  ],
  ['extend', 4, (f, _, { rng }) => concatBytes(f, rng.bytes(rng.range(1, 64)))],
  ['pad to 60', 3, (f) => (f.length < 60 ? concatBytes(f, new Uint8Array(60 - f.length)) : f.slice())],
  [
    'padding changed',
    4,
    (f, fields, { rng }) => {
      const out = f.slice();
      for (let i = fields.padding[0]; i < fields.padding[1]; i++) out[i] = rng.int(256);
      // A padded frame may also lose or gain padding octets, up to the 60-octet minimum.
      if (rng.chance(0.3) && out.length > fields.padding[0]) return out.slice(0, rng.range(fields.padding[0], out.length));
      return out;
    },
  ],
  [
    'clear tag changed',
    3,
    (f, fields, { rng }) => {
      const out = f.slice();
      if (fields.clearTags[1] > fields.clearTags[0]) {
        // The VLAN TCI only (PCP, DEI, VID): still a VLAN tag, outside the ICV.
        out[fields.clearTags[0] + 2] = rng.int(256);
        out[fields.clearTags[0] + 3] = rng.int(256);
      }
      return out;
    },
  ],
  [
    'VLAN tag inserted',
    2,
    (f, _, { rng }) => concatBytes(f.subarray(0, 12), Uint8Array.from([0x81, 0x00, rng.int(256), rng.int(256)]), f.subarray(12)),
  ],
  [
    'EtherType changed',
    2,
    (f, fields, { rng }) => {
      const out = f.slice();
      const t = rng.pick([0x88e4, 0x8100, 0x88a8, 0x0800, rng.int(0x10000)]);
      out[fields.etherType[0]] = t >> 8;
      out[fields.etherType[0] + 1] = t & 0xff;
      return out;
    },
  ],
  [
    'octets removed',
    3,
    (f, _, { rng }) => {
      const a = rng.int(f.length);
      return concatBytes(f.subarray(0, a), f.subarray(Math.min(f.length, a + rng.range(1, 24))));
    },
  ],
  [
    'octets inserted',
    3,
    (f, _, { rng }) => {
      const a = rng.int(f.length + 1);
      return concatBytes(f.subarray(0, a), rng.bytes(rng.range(1, 24)), f.subarray(a));
    },
  ],
  [
    'spliced with another frame',
    3,
    (f, _, { rng, stream }) => {
      const other = rng.pick(stream.ring).bytes;
      const cut = rng.int(Math.min(f.length, other.length) + 1);
      return concatBytes(f.subarray(0, cut), other.subarray(cut));
    },
  ],
  [
    'huge',
    1,
    (f, _, { rng, pool }) => {
      const size = rng.range(65_536, 70_000);
      return size > f.length ? concatBytes(f, pool.take(rng, size - f.length)) : f.slice();
    },
  ],
  [
    'PN around 2^32',
    3,
    (f, fields, { rng }) => {
      const out = f.slice();
      writeU32(out, fields.pn[0], rng.chance(0.5) ? (0xffff_ffff - rng.int(4)) >>> 0 : rng.int(4));
      return out;
    },
  ],
];

const TOTAL_WEIGHT = MUTATORS.reduce((n, [, w]) => n + w, 0);

function pickMutator(rng: Rng): readonly [string, number, Mutator] {
  let r = rng.int(TOTAL_WEIGHT);
  for (const m of MUTATORS) {
    r -= m[1];
    if (r < 0) return m;
  }
  return MUTATORS[0]!;
}

/** One to four mutations of a legitimate frame; the names of those applied. */
export function mutate(frame: LegitFrame, x: MutationContext): { bytes: Uint8Array; name: string } {
  const fields = fieldsOf(frame.bytes, x.stream.clearTags);
  const count = x.rng.chance(0.8) ? 1 : x.rng.range(2, 4);
  let bytes = frame.bytes;
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const [name, , fn] = pickMutator(x.rng);
    // Later mutations use the first frame's fields: offsets past a shortened frame are harmless (slice, flip
    // of a missing octet is guarded below).
    if (bytes.length === 0) break;
    bytes = fn(bytes, clampFields(fields, bytes.length), x);
    names.push(name);
  }
  return { bytes, name: names.join(' + ') };
}

function clampFields(f: Fields, length: number): Fields {
  const c = (r: readonly [number, number]): readonly [number, number] => [Math.min(r[0], length), Math.min(r[1], length)];
  const out = {} as Record<(typeof FIELD_NAMES)[number], readonly [number, number]>;
  for (const n of FIELD_NAMES) out[n] = c(f[n]);
  // A field cut off entirely falls back to the last octet, so a flip still lands somewhere.
  for (const n of ['tci', 'sl', 'etherType', 'pn'] as const) if (out[n][0] >= length) out[n] = [length - 1, length];
  return out;
}

/** Frames made from nothing: each a name and its octets. */
export function foreign(x: MutationContext): { bytes: Uint8Array; name: string } {
  const { rng, stream, pool } = x;
  const header = (): Uint8Array => concatBytes(stream.peerMac, rng.chance(0.8) ? stream.mac : rng.bytes(6));
  switch (rng.int(9)) {
    case 0: {
      const n = rng.int(24);
      const f = rng.bytes(n);
      if (n >= 14 && rng.chance(0.7)) f.set([0x88, 0xe5], 12);
      return { bytes: f, name: 'tiny' };
    }
    case 1:
      return { bytes: rng.bytes(rng.range(14, 2000)), name: 'random octets' };
    case 2:
    case 3: {
      // A plausible SecTAG with random bits: reaches SC lookup, SA lookup and the ICV check.
      const tci = rng.chance(0.5) ? rng.int(256) : rng.pick([0x2c, 0x0c, 0x4c, 0x20, 0x00, 0x40, 0x08, 0x24]) | rng.int(4);
      const sc = (tci & 0x20) !== 0;
      const dataLength = rng.chance(0.5) ? rng.int(48) : rng.range(48, 1600);
      const sl = rng.chance(0.7) ? (dataLength < 48 ? dataLength : 0) : rng.int(256);
      const tag = Uint8Array.from([0x88, 0xe5, tci, sl, ...rng.bytes(4)]);
      const sci = sc ? (rng.chance(0.7) ? stream.txSci : rng.bytes(8)) : new Uint8Array(0);
      const vlan = stream.clearTags === 1 && rng.chance(0.3) ? Uint8Array.from([0x81, 0, rng.int(256), rng.int(256)]) : new Uint8Array(0);
      return { bytes: concatBytes(header(), vlan, tag, sci, pool.take(rng, dataLength + 16)), name: 'random SecTAG' };
    }
    case 4:
      return { bytes: concatBytes(header(), Uint8Array.from([0x08, 0x00]), pool.take(rng, rng.range(0, 1500))), name: 'untagged' };
    case 5:
      return { bytes: concatBytes(header(), Uint8Array.from([0x88, 0x8e]), pool.take(rng, rng.range(4, 120))), name: 'EAPOL' };
    case 6:
      return { bytes: concatBytes(header(), Uint8Array.from([0x88, 0xe5, rng.pick([0x2c, 0x0c, 0x4c]), 0]), rng.bytes(4), stream.txSci, pool.take(rng, rng.range(65_536, 70_000))), name: 'huge random' };
    case 7:
      return { bytes: stream.wrongKey(pool, false), name: 'valid under a wrong key' };
    default:
      return { bytes: stream.wrongKey(pool, true), name: 'valid from an unknown SCI' };
  }
}
