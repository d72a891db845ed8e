import { fromHex, toHex } from '../util/hex.js';

/** A 48-bit MAC address, as its 6 octets in transmission order. */
export type MacAddress = Uint8Array;

export const MAC_LENGTH = 6;

/** "00:11:22:33:44:55", "00-11-22-33-44-55" or "001122334455". */
export function parseMac(text: string, field = 'MAC address'): MacAddress {
  return fromHex(text, field, MAC_LENGTH);
}

export function formatMac(mac: Uint8Array, offset = 0): string {
  return toHex(mac.subarray(offset, offset + MAC_LENGTH), ':');
}

/** The I/G bit: group (multicast or broadcast) addresses have it set. */
export function isGroupAddress(mac: Uint8Array, offset = 0): boolean {
  return (mac[offset]! & 1) === 1;
}
