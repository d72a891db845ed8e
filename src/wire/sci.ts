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
