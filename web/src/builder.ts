/** The builder's fields are views of `frame` (DA ‖ SA ‖ [802.1Q tag] ‖ EtherType ‖ payload) and edit it. */
import { fromHex, toHex } from 'macsec-sim/wire';

export interface FrameFields {
  readonly da: string;
  readonly sa: string;
  /** The 802.1Q tag's TCI when there is one: PCP (3 bits), DEI, VID (12 bits). */
  readonly vlan: { readonly pcp: number; readonly vid: number } | undefined;
  readonly etherType: string;
  readonly payload: Uint8Array;
}

const mac = (hex: string): string => hex.replace(/(..)(?=.)/g, '$1:');

export function splitFrame(frameHex: string): FrameFields | undefined {
  const f = fromHex(frameHex, 'frame');
  if (f.length < 14) return undefined;
  const tagged = f[12] === 0x81 && f[13] === 0x00 && f.length >= 18;
  const at = tagged ? 16 : 12;
  const tci = tagged ? (f[14]! << 8) | f[15]! : 0;
  return {
    da: mac(toHex(f.subarray(0, 6))),
    sa: mac(toHex(f.subarray(6, 12))),
    vlan: tagged ? { pcp: tci >>> 13, vid: tci & 0xfff } : undefined,
    etherType: toHex(f.subarray(at, at + 2)),
    payload: f.slice(at + 2),
  };
}

export function joinFrame(p: FrameFields): string {
  const vlan = p.vlan ? `8100${(((p.vlan.pcp & 7) << 13) | (p.vlan.vid & 0xfff)).toString(16).padStart(4, '0')}` : '';
  return toHex(fromHex(p.da, 'DA', 6)) + toHex(fromHex(p.sa, 'SA', 6)) + vlan + toHex(fromHex(p.etherType, 'EtherType', 2)) + toHex(p.payload);
}

/** The payload as text when it is printable ASCII, else undefined. */
export function payloadText(b: Uint8Array): string | undefined {
  for (const c of b) if (c < 0x20 || c > 0x7e) return undefined;
  return String.fromCharCode(...b);
}

export const textBytes = (s: string): Uint8Array => new TextEncoder().encode(s);
