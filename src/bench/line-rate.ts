/**
 * Ethernet line-rate arithmetic. A frame of F octets (DA to FCS) protected by MACsec grows by the SecTAG
 * (8, or 16 with the SCI) and the ICV (16), and takes 20 more octet times on the wire: preamble and SFD
 * (8) and the minimum inter-frame gap (12).
 */

/** The links results are expressed against, in Gbit/s. */
export const LINK_RATES_GBPS = [1, 10, 25, 100] as const;
export type LinkRate = (typeof LINK_RATES_GBPS)[number];

export const PREAMBLE_SFD_IFG = 20;
export const ICV_OCTETS = 16;

/** Octet times one protected frame occupies on the wire. */
export function wireOctets(frameOctets: number, secTagOctets: number): number {
  return frameOctets + secTagOctets + ICV_OCTETS + PREAMBLE_SFD_IFG;
}

/** Frames per second a link of `gbps` carries at line rate, frames of `frameOctets` (an average for a mix). */
export function lineRateFps(gbps: number, frameOctets: number, secTagOctets: number): number {
  return (gbps * 1e9) / (8 * wireOctets(frameOctets, secTagOctets));
}

/** Frame octets (DA to FCS) per second as Gbit/s: what the frames carry, without MACsec or wire overhead. */
export function frameGbps(fps: number, frameOctets: number): number {
  return (fps * frameOctets * 8) / 1e9;
}

/** `fps` as a fraction of each link's line rate. */
export function lineRateFractions(fps: number, frameOctets: number, secTagOctets: number): Record<`${LinkRate}`, number> {
  const out = {} as Record<`${LinkRate}`, number>;
  for (const g of LINK_RATES_GBPS) out[`${g}`] = fps / lineRateFps(g, frameOctets, secTagOctets);
  return out;
}
