/** The MACsec cipher suites (IEEE 802.1AE clause 14, 802.1AEbw for XPN). */

export type CipherSuiteName = 'GCM-AES-128' | 'GCM-AES-256' | 'GCM-AES-XPN-128' | 'GCM-AES-XPN-256';

export interface CipherSuite {
  readonly name: CipherSuiteName;
  /** The 64-bit Cipher Suite Identifier (14.1, Table 14-1), as MKA carries it. */
  readonly id: bigint;
  /** SAK length in octets. */
  readonly keyLength: 16 | 32;
  /** Extended packet numbering: 64-bit PNs, IV from SSCI and salt (14.7). */
  readonly xpn: boolean;
  /** The last PN an SA may use: 2^32 - 1, or 2^64 - 1 with XPN (10.5.2). */
  readonly maxPN: bigint;
}

const MAX_PN_32 = 0xffff_ffffn;
const MAX_PN_64 = 0xffff_ffff_ffff_ffffn;

export const CIPHER_SUITES: Readonly<Record<CipherSuiteName, CipherSuite>> = {
  'GCM-AES-128': { name: 'GCM-AES-128', id: 0x0080_c200_0100_0001n, keyLength: 16, xpn: false, maxPN: MAX_PN_32 },
  'GCM-AES-256': { name: 'GCM-AES-256', id: 0x0080_c200_0100_0002n, keyLength: 32, xpn: false, maxPN: MAX_PN_32 },
  'GCM-AES-XPN-128': { name: 'GCM-AES-XPN-128', id: 0x0080_c200_0100_0003n, keyLength: 16, xpn: true, maxPN: MAX_PN_64 },
  'GCM-AES-XPN-256': { name: 'GCM-AES-XPN-256', id: 0x0080_c200_0100_0004n, keyLength: 32, xpn: true, maxPN: MAX_PN_64 },
};

export const CIPHER_SUITE_NAMES = Object.keys(CIPHER_SUITES) as CipherSuiteName[];

export function isCipherSuiteName(name: string): name is CipherSuiteName {
  return Object.hasOwn(CIPHER_SUITES, name);
}

/** Looks a suite up by name, case-insensitively ("gcm-aes-xpn-128" works). */
export function cipherSuite(name: string): CipherSuite | undefined {
  const upper = name.toUpperCase();
  return isCipherSuiteName(upper) ? CIPHER_SUITES[upper] : undefined;
}

export function cipherSuiteById(id: bigint): CipherSuite | undefined {
  return Object.values(CIPHER_SUITES).find((s) => s.id === id);
}

/** The confidentiality offsets 802.1AE allows (10.7.25): octets of user data sent in clear. */
export type ConfidentialityOffset = 0 | 30 | 50;
export const CONFIDENTIALITY_OFFSETS: readonly ConfidentialityOffset[] = [0, 30, 50];

/** XPN: the salt is 96 bits, the SSCI 32 bits (14.7). */
export const SALT_LENGTH = 12;
export const SSCI_LENGTH = 4;
