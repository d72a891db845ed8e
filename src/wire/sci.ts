/** The secure channel identifier (802.1AE 8.2.1): a 48-bit system MAC address and a 16-bit port. */
import { fromHex, toHex } from '../util/hex.js';
import { MAC_LENGTH } from './mac.js';
import { SCI_LENGTH } from './sectag.js';

export type Sci = Uint8Array;

/** The port an end station's implicit SCI uses (9.5: ES = 1, SC = 0). */
export const END_STATION_PORT = 0x0001;

export function makeSci(mac: Uint8Array, port: number, macOffset = 0): Sci {
  const sci = new Uint8Array(SCI_LENGTH);
  sci.set(mac.subarray(macOffset, macOffset + MAC_LENGTH));
  sci[6] = port >>> 8;
  sci[7] = port;
  return sci;
}

export const parseSci = (text: string, field = 'sci'): Sci => fromHex(text, field, SCI_LENGTH);
export const sciHex = (sci: Uint8Array): string => toHex(sci);
export const sciPort = (sci: Uint8Array): number => (sci[6]! << 8) | sci[7]!;
export const formatSci = (sci: Uint8Array): string =>
  `${toHex(sci.subarray(0, MAC_LENGTH), ':')}/${sciPort(sci)}`;

export function sciEquals(a: Uint8Array, b: Uint8Array, bOffset = 0): boolean {
  for (let i = 0; i < SCI_LENGTH; i++) if (a[i] !== b[bOffset + i]) return false;
  return true;
}

/** The port of the single copy broadcast SC (9.5: ES = 1 with SCB = 1). */
export const SCB_PORT = 0x0000;

/**
 * The SCI a SecTAG without one implies (9.5): with ES = 1 the source address and port 1, or port 0
 * when SCB is set too (Wireshark reads 9.5 so; Linux uses port 1 for both). Undefined when ES = 0: the
 * receiver then uses its one receive SC on a point-to-point link.
 */
export function implicitSci(frame: Uint8Array, tci: { readonly es: boolean; readonly scb: boolean }): Sci | undefined {
  return tci.es ? makeSci(frame, tci.scb ? SCB_PORT : END_STATION_PORT, MAC_LENGTH) : undefined;
}
