/**
 * Ethernet line-rate arithmetic (IEEE 802.3): what a frame costs on the wire. Frames in this
 * simulator carry no FCS; on the wire each also takes its 4-octet FCS and 20 octets of preamble (7),
 * SFD (1) and minimum inter-frame gap (12), and is padded to the 64-octet minimum.
 */
import { PS_PER_S } from './clock.js';

export const FCS_LENGTH = 4;
/** Preamble, start frame delimiter and inter-frame gap. */
export const PREAMBLE_SFD_IFG = 20;
/** Shortest frame on the wire, FCS included. */
export const MIN_WIRE_FRAME = 64;

/** Line rates the link model offers, in bit/s. */
export const LINE_RATES = { '1G': 1e9, '10G': 10e9, '25G': 25e9, '40G': 40e9, '100G': 100e9, '400G': 400e9 } as const;

export function parseLineRate(text: string | number, field = 'rate'): number {
  if (typeof text === 'number' && text > 0) return text;
  const m = typeof text === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(G|M)(?:bit\/s|bps|b\/s|bE)?\s*$/i.exec(text) : null;
  const rate = m ? parseFloat(m[1]!) * (m[2]!.toUpperCase() === 'G' ? 1e9 : 1e6) : 0;
  if (!(rate > 0)) throw new RangeError(`${field}: expected a line rate like "10G" or "100Gbit/s", got ${JSON.stringify(text)}`);
  return rate;
}

/** Octets a frame of `length` (no FCS) occupies on the wire, gap included. */
export const wireOctets = (length: number): number => Math.max(length + FCS_LENGTH, MIN_WIRE_FRAME) + PREAMBLE_SFD_IFG;

/** Picoseconds to serialise a frame of `length` octets (no FCS) at `bitsPerSecond`, gap included. */
export const serializationPs = (length: number, bitsPerSecond: number): number => Math.round((wireOctets(length) * 8 * PS_PER_S) / bitsPerSecond);

/** Frames per second a line carries back to back at this frame length (no FCS). */
export const maxFrameRate = (length: number, bitsPerSecond: number): number => bitsPerSecond / (wireOctets(length) * 8);

/** Propagation in fibre or copper: about 5 ns per metre (velocity factor about 0.67). */
export const PROPAGATION_PS_PER_METRE = 5_000;

/** MACsec's cost per frame: the SecTAG (8, or 16 with the SCI) and the 16-octet ICV. */
export const macsecOverhead = (includeSci: boolean): number => (includeSci ? 16 : 8) + 16;
