/**
 * Traffic a port offers to its SecY: plain Ethernet frames with a sequence number in the payload, so
 * the receiving side can tell loss, duplication and reordering apart.
 */
import { ETHERTYPE_OFFSET, EtherType, isVlanTpid, readU16, readU32, VLAN_TAG_LENGTH, writeU16, writeU32 } from '../wire/ethernet.js';
import { FCS_LENGTH } from './linerate.js';
import type { Rng } from '../util/rng.js';

/** IEEE 802 local experimental EtherType: our test traffic. */
export const TEST_ETHERTYPE = 0x88b5;
/** Sequence number (4) and the send time in ps as a float64 (8), right after the EtherType. */
export const TRAFFIC_HEADER = 12;

/** Frame sizes as Ethernet counts them: FCS included, 64 to 1518 octets (more for jumbo frames). */
export type SizeSpec = number | 'imix' | { readonly sweep: readonly [min: number, max: number, step: number] };
export type PayloadPattern = 'counter' | 'zeros' | 'random' | 'text';

export interface VlanSpec {
  readonly vid: number;
  readonly pcp?: number;
  /** 0x8100 (802.1Q) by default, 0x88A8 for an S-tag. */
  readonly tpid?: number;
}

/** IMIX: 7:4:1 of 64, 576 and 1518 octets (the "simple IMIX"). */
export const IMIX: readonly { readonly size: number; readonly weight: number }[] = [
  { size: 64, weight: 7 },
  { size: 576, weight: 4 },
  { size: 1518, weight: 1 },
];
export const IMIX_MEAN = IMIX.reduce((s, x) => s + x.size * x.weight, 0) / IMIX.reduce((s, x) => s + x.weight, 0);

/** The size of frame `index` (FCS included). */
export function frameSize(spec: SizeSpec, index: number, rng: Rng): number {
  if (typeof spec === 'number') return spec;
  if (spec === 'imix') {
    let pick = rng.int(12);
    for (const { size, weight } of IMIX) {
      if (pick < weight) return size;
      pick -= weight;
    }
    return IMIX[0]!.size;
  }
  const [min, max, step] = spec.sweep;
  const steps = Math.floor((max - min) / step) + 1;
  return min + (index % steps) * step;
}

const TEXT = new TextEncoder().encode('MACsec protects this sentence from prying eyes and meddling hands. ');

export interface FrameParams {
  readonly da: Uint8Array;
  readonly sa: Uint8Array;
  readonly size: number;
  readonly sequence: number;
  readonly sentAt: number;
  readonly vlan?: VlanSpec | undefined;
  readonly payload: PayloadPattern;
}

/** One plain frame of `size` octets on the wire (the FCS is not in the buffer). */
export function buildFrame(p: FrameParams, rng: Rng): Uint8Array {
  const f = new Uint8Array(builtLength(p));
  buildFrameAt(p, rng, f, 0);
  return f;
}

/** How long `buildFrame`'s frame for `p` is. */
export const builtLength = (p: Pick<FrameParams, 'size' | 'vlan'>): number => Math.max(p.size - FCS_LENGTH, 14 + (p.vlan ? VLAN_TAG_LENGTH : 0) + TRAFFIC_HEADER);

/** Scratch for the send time's octets (a float64, big-endian on the wire). */
const timeView = new DataView(new ArrayBuffer(8));
const timeOctets = new Uint8Array(timeView.buffer);

/** Writes `buildFrame`'s frame into `out` at `at` (no allocation; room is the caller's); returns its length. */
export function buildFrameAt(p: FrameParams, rng: Rng, out: Uint8Array, at: number): number {
  const length = builtLength(p);
  for (let i = 0; i < 6; i++) {
    out[at + i] = p.da[i]!;
    out[at + 6 + i] = p.sa[i]!;
  }
  let o = at + 12;
  if (p.vlan) {
    writeU16(out, o, p.vlan.tpid ?? EtherType.VLAN);
    writeU16(out, o + 2, ((p.vlan.pcp ?? 0) << 13) | (p.vlan.vid & 0xfff));
    o += VLAN_TAG_LENGTH;
  }
  writeU16(out, o, TEST_ETHERTYPE);
  o += 2;
  writeU32(out, o, p.sequence);
  timeView.setFloat64(0, p.sentAt);
  for (let i = 0; i < 8; i++) out[o + 4 + i] = timeOctets[i]!;
  o += TRAFFIC_HEADER;
  const end = at + length;
  if (p.payload === 'random') rng.fill(out, o, end);
  else if (p.payload === 'text') for (let i = 0; o + i < end; i++) out[o + i] = TEXT[i % TEXT.length]!;
  else if (p.payload === 'counter') for (let i = 0; o + i < end; i++) out[o + i] = i & 0xff;
  else out.fill(0, o, end);
  return length;
}

/** Reads back the sequence number and send time of a delivered test frame, if it is one. */
export function readTrafficHeader(frame: Uint8Array): { sequence: number; sentAt: number } | undefined {
  const o = trafficHeaderAt(frame, 0, frame.length);
  if (o < 0) return undefined;
  return { sequence: readU32(frame, o), sentAt: trafficSentAt(frame, o) };
}

/** Where the traffic header (after the test EtherType) of the frame at data[at], `length` octets, starts; -1 when it is no test frame. */
export function trafficHeaderAt(data: Uint8Array, at: number, length: number): number {
  let o = ETHERTYPE_OFFSET;
  if (length >= o + VLAN_TAG_LENGTH && isVlanTpid(readU16(data, at + o))) o += VLAN_TAG_LENGTH;
  if (length < o + 2 + TRAFFIC_HEADER || readU16(data, at + o) !== TEST_ETHERTYPE) return -1;
  return at + o + 2;
}

/** The send time of the traffic header at data[o]. */
export function trafficSentAt(data: Uint8Array, o: number): number {
  for (let i = 0; i < 8; i++) timeOctets[i] = data[o + 4 + i]!;
  return timeView.getFloat64(0);
}
