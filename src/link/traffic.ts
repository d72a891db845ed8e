/**
 * Traffic a port offers to its SecY: plain Ethernet frames with a sequence number in the payload, so
 * the receiving side can tell loss, duplication and reordering apart.
 */
import { EtherType, VLAN_TAG_LENGTH, writeU16, writeU32 } from '../wire/ethernet.js';
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
  const tags = p.vlan ? VLAN_TAG_LENGTH : 0;
  const length = Math.max(p.size - FCS_LENGTH, 14 + tags + TRAFFIC_HEADER);
  const f = new Uint8Array(length);
  f.set(p.da, 0);
  f.set(p.sa, 6);
  let o = 12;
  if (p.vlan) {
    writeU16(f, o, p.vlan.tpid ?? EtherType.VLAN);
    writeU16(f, o + 2, ((p.vlan.pcp ?? 0) << 13) | (p.vlan.vid & 0xfff));
    o += VLAN_TAG_LENGTH;
  }
  writeU16(f, o, TEST_ETHERTYPE);
  o += 2;
  writeU32(f, o, p.sequence);
  new DataView(f.buffer).setFloat64(o + 4, p.sentAt);
  o += TRAFFIC_HEADER;
  const body = f.subarray(o);
  if (p.payload === 'random') rng.fill(body);
  else if (p.payload === 'text') for (let i = 0; i < body.length; i++) body[i] = TEXT[i % TEXT.length]!;
  else if (p.payload === 'counter') for (let i = 0; i < body.length; i++) body[i] = i & 0xff;
  return f;
}

/** Reads back the sequence number and send time of a delivered test frame, if it is one. */
export function readTrafficHeader(frame: Uint8Array): { sequence: number; sentAt: number } | undefined {
  let o = 12;
  if (frame.length >= o + 4 && (frame[o] === 0x81 || frame[o] === 0x88) && (frame[o + 1] === 0x00 || frame[o + 1] === 0xa8)) o += VLAN_TAG_LENGTH;
  if (frame.length < o + 2 + TRAFFIC_HEADER || frame[o] !== 0x88 || frame[o + 1] !== 0xb5) return undefined;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  return { sequence: view.getUint32(o + 2), sentAt: view.getFloat64(o + 6) };
}
