/**
 * The MKA key hierarchy (802.1X-2010 6.2, 9.3, 9.8): CAK and CKN from an EAP MSK, ICK and KEK from the CAK,
 * SAK derivation, AES Key Wrap of the SAK under the KEK, the MKPDU ICV, and the XPN SSCI and salt.
 * Bad parameters (wrong key lengths, ...) throw ConfigError; a wrapped key that fails to unwrap is a result.
 */
import { concatBytes } from '../util/hex.js';
import { aeskw } from '@noble/ciphers/aes.js';
import { ConfigError, describe } from '../util/errors.js';
import { MAC_LENGTH } from '../wire/mac.js';
import { SALT_LENGTH, SSCI_LENGTH } from '../crypto/suite.js';
import { aesCmac, checkAesKey, kdf, Label } from './kdf.js';
import { fail, ok, type MkaResult } from './error.js';

/** Member Identifier: 96 bits (9.2.2). */
export const MI_LENGTH = 12;
/** Key Number: 32 bits, big-endian on the wire (9.8). */
export const KN_LENGTH = 4;
/** The KDF context for ICK and KEK: the first 16 octets of the CKN, zero-padded (9.3.3). */
export const KEYID_LENGTH = 16;
/** CKN: 1 to 32 octets (9.3.1). */
export const MIN_CKN_LENGTH = 1;
export const MAX_CKN_LENGTH = 32;
/** The 64-bit integrity block RFC 3394 adds to a wrapped key. */
export const WRAP_OVERHEAD = 8;
/** The default ICV: 128-bit AES-CMAC (9.4.1). */
export const ICV_LENGTH = 16;

export type CakLength = 16 | 32;
export type SakLength = 16 | 32;

export interface CakKeys {
  readonly ick: Uint8Array;
  readonly kek: Uint8Array;
}

function checkLength(value: Uint8Array, field: string, length: number): void {
  if (!(value instanceof Uint8Array) || value.length !== length) {
    throw new ConfigError(field, `${length} octets`, describe(value));
  }
}

function checkKeyLength(n: number, field: string): asserts n is 16 | 32 {
  if (n !== 16 && n !== 32) throw new ConfigError(field, '16 or 32', describe(n));
}

function checkCkn(ckn: Uint8Array): void {
  if (!(ckn instanceof Uint8Array) || ckn.length < MIN_CKN_LENGTH || ckn.length > MAX_CKN_LENGTH) {
    throw new ConfigError('CKN', `${MIN_CKN_LENGTH}-${MAX_CKN_LENGTH} octets`, describe(ckn));
  }
}

function checkKn(kn: number): void {
  if (!Number.isInteger(kn) || kn < 0 || kn > 0xffff_ffff) throw new ConfigError('KN', 'a 32-bit unsigned integer', describe(kn));
}

function compare(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < a.length && i < b.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** mac1 ‖ mac2 with mac1 the numerically lesser address, compared as octet strings (6.2.2). */
export function orderedMacs(macA: Uint8Array, macB: Uint8Array): Uint8Array {
  checkLength(macA, 'MAC address', MAC_LENGTH);
  checkLength(macB, 'MAC address', MAC_LENGTH);
  return compare(macA, macB) <= 0 ? concatBytes(macA, macB) : concatBytes(macB, macA);
}

function mskPrefix(msk: Uint8Array, length: number): Uint8Array {
  if (!(msk instanceof Uint8Array) || msk.length < length) {
    throw new ConfigError('MSK', `at least ${length} octets`, describe(msk));
  }
  return msk.subarray(0, length);
}

/** CAK = KDF(MSK[0..cakLength), "IEEE8021 EAP CAK", mac1 ‖ mac2, cakLength * 8) (6.2.2). */
export function deriveCak(msk: Uint8Array, macA: Uint8Array, macB: Uint8Array, cakLength: CakLength = 16): Uint8Array {
  checkKeyLength(cakLength, 'CAK length');
  return kdf(mskPrefix(msk, cakLength), Label.CAK, orderedMacs(macA, macB), cakLength * 8);
}

/**
 * CKN = KDF(MSK[0..keyLength), "IEEE8021 EAP CKN", EAP-Session-Id ‖ mac1 ‖ mac2, cknLength * 8) (6.2.2).
 * wpa_supplicant always derives a 16-octet CKN; some implementations make it as long as the key.
 */
export function deriveCkn(
  msk: Uint8Array,
  eapSessionId: Uint8Array,
  macA: Uint8Array,
  macB: Uint8Array,
  keyLength: CakLength = 16,
  cknLength = 16,
): Uint8Array {
  checkKeyLength(keyLength, 'MSK key length');
  if (!Number.isInteger(cknLength) || cknLength < MIN_CKN_LENGTH || cknLength > MAX_CKN_LENGTH) {
    throw new ConfigError('CKN length', `${MIN_CKN_LENGTH}-${MAX_CKN_LENGTH}`, describe(cknLength));
  }
  if (!(eapSessionId instanceof Uint8Array) || eapSessionId.length === 0) {
    throw new ConfigError('EAP-Session-Id', 'at least 1 octet', describe(eapSessionId));
  }
  return kdf(mskPrefix(msk, keyLength), Label.CKN, concatBytes(eapSessionId, orderedMacs(macA, macB)), cknLength * 8);
}

/** Keyid: the first 16 octets of the CKN, zero-padded on the right when shorter (9.3.3). */
export function cknKeyid(ckn: Uint8Array): Uint8Array {
  checkCkn(ckn);
  const keyid = new Uint8Array(KEYID_LENGTH);
  keyid.set(ckn.subarray(0, KEYID_LENGTH));
  return keyid;
}

/** KEK = KDF(CAK, "IEEE8021 KEK", Keyid, len(CAK) * 8) (9.3.3). */
export function deriveKek(cak: Uint8Array, ckn: Uint8Array): Uint8Array {
  checkAesKey(cak, 'CAK');
  return kdf(cak, Label.KEK, cknKeyid(ckn), cak.length * 8);
}

/** ICK = KDF(CAK, "IEEE8021 ICK", Keyid, len(CAK) * 8) (9.3.3). */
export function deriveIck(cak: Uint8Array, ckn: Uint8Array): Uint8Array {
  checkAesKey(cak, 'CAK');
  return kdf(cak, Label.ICK, cknKeyid(ckn), cak.length * 8);
}

export function deriveCakKeys(cak: Uint8Array, ckn: Uint8Array): CakKeys {
  return { ick: deriveIck(cak, ckn), kek: deriveKek(cak, ckn) };
}

/**
 * The SAK KDF context: KS-nonce ‖ MI of each live participant ‖ KN (9.8.1). Only the Key Server computes
 * it, so the MI order is its own choice; wpa_supplicant and the Annex G vectors put the Key Server's first.
 */
export function sakContext(ksNonce: Uint8Array, memberIdentifiers: readonly Uint8Array[], kn: number): Uint8Array {
  if (!(ksNonce instanceof Uint8Array) || ksNonce.length === 0) throw new ConfigError('KS-nonce', 'at least 1 octet', describe(ksNonce));
  for (const mi of memberIdentifiers) checkLength(mi, 'MI', MI_LENGTH);
  checkKn(kn);
  const knOctets = new Uint8Array(KN_LENGTH);
  new DataView(knOctets.buffer).setUint32(0, kn);
  return concatBytes(ksNonce, ...memberIdentifiers, knOctets);
}

/** SAK = KDF(CAK, "IEEE8021 SAK", KS-nonce ‖ MI list ‖ KN, sakLength * 8) (9.8.1). */
export function deriveSak(
  cak: Uint8Array,
  ksNonce: Uint8Array,
  memberIdentifiers: readonly Uint8Array[],
  kn: number,
  sakLength: SakLength = 16,
): Uint8Array {
  return deriveSakFromContext(cak, sakContext(ksNonce, memberIdentifiers, kn), sakLength);
}

/** The SAK KDF with a context the caller built (the AOSP PSK plugin passes an arbitrary one). */
export function deriveSakFromContext(cak: Uint8Array, context: Uint8Array, sakLength: SakLength = 16): Uint8Array {
  checkAesKey(cak, 'CAK');
  checkKeyLength(sakLength, 'SAK length');
  return kdf(cak, Label.SAK, context, sakLength * 8);
}

/** RFC 3394 AES Key Wrap with the default IV A6A6A6A6A6A6A6A6; any AES key, plaintext of 16+ octets in 8s. */
export function aesKeyWrap(kek: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkAesKey(kek, 'KEK', [16, 24, 32]);
  if (!(plaintext instanceof Uint8Array) || plaintext.length < 16 || plaintext.length % 8 !== 0) {
    throw new ConfigError('key data', 'a multiple of 8 octets, at least 16', describe(plaintext));
  }
  return aeskw(kek).encrypt(plaintext);
}

/** RFC 3394 AES Key Unwrap; a failed integrity check is reported, not thrown (the wrap came off the wire). */
export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): MkaResult<Uint8Array> {
  checkAesKey(kek, 'KEK', [16, 24, 32]);
  if (wrapped.length < 24 || wrapped.length % 8 !== 0) {
    return fail('BAD_LENGTH', 'wrapped key', 0, `${wrapped.length} octets: expected a multiple of 8, at least 24`);
  }
  let out: Uint8Array;
  try {
    out = aeskw(kek).decrypt(wrapped);
  } catch {
    return fail('UNWRAP_FAILED', 'wrapped key', 0, 'integrity check value A does not match the default IV (wrong KEK?)');
  }
  const key = out.slice();
  out.fill(0);
  return ok(key);
}

/** AES-KW(KEK, SAK) for the Distributed SAK parameter set (9.8, 11.11.1). KEK and SAK of 16 or 32 octets. */
export function wrapSak(kek: Uint8Array, sak: Uint8Array): Uint8Array {
  checkAesKey(kek, 'KEK');
  checkAesKey(sak, 'SAK');
  return aesKeyWrap(kek, sak);
}

/** Unwraps a Distributed SAK: 24 or 40 octets in, 16 or 32 out. */
export function unwrapSak(kek: Uint8Array, wrapped: Uint8Array): MkaResult<Uint8Array> {
  checkAesKey(kek, 'KEK');
  if (wrapped.length !== 16 + WRAP_OVERHEAD && wrapped.length !== 32 + WRAP_OVERHEAD) {
    return fail('BAD_LENGTH', 'AES Key Wrap of SAK', 0, `${wrapped.length} octets: expected 24 or 40`);
  }
  return aesKeyUnwrap(kek, wrapped);
}

/**
 * The MKPDU ICV: AES-CMAC(ICK, every octet from DA through the last octet before the ICV) (9.4.1, 11.11).
 * A 256-bit ICK gives AES-256-CMAC; the ICV is 128 bits either way.
 */
export function mkpduIcv(ick: Uint8Array, covered: Uint8Array): Uint8Array {
  checkAesKey(ick, 'ICK');
  return aesCmac(ick, covered);
}

/**
 * XPN Salt (802.1AE-2018 10.7.28, the computation 802.1X-2020 refers to): the 64 least significant bits
 * are those of the Key Server's MI; the next 16 are that MI's XORed with the 16 most significant bits of
 * the KN; the 16 most significant are the MI's XORed with the 16 least significant bits of the KN. Octet 0
 * is most significant. The Rambus PAE agrees; the text was quoted in MKAdaemon issue #1 (fixed in PR #3).
 */
export function xpnSalt(keyServerMi: Uint8Array, kn: number): Uint8Array {
  checkLength(keyServerMi, 'Key Server MI', MI_LENGTH);
  checkKn(kn);
  const salt = keyServerMi.slice(0, SALT_LENGTH);
  salt[0]! ^= (kn >>> 8) & 0xff;
  salt[1]! ^= kn & 0xff;
  salt[2]! ^= kn >>> 24;
  salt[3]! ^= (kn >>> 16) & 0xff;
  return salt;
}

/**
 * SSCI for `sci` among the SCIs of every live participant sharing the SAK (itself included): 1 plus the
 * number of those SCIs numerically greater, so the greatest SCI gets 1. 802.1AEbw-2013 defines the mapping;
 * that text was not available here: this follows the Intrepid ics-mka and MACsec_Lab implementations, and
 * 802.1X maintenance item 0171 (Key Server orders its Live Peer List by SSCI, MKA version 3).
 */
export function assignSsci(sci: Uint8Array, liveScis: readonly Uint8Array[]): number {
  checkLength(sci, 'SCI', 8);
  let greater = 0;
  for (const other of liveScis) {
    checkLength(other, 'SCI', 8);
    if (compare(other, sci) > 0) greater++;
  }
  return 1 + greater;
}

/** The SSCI as the 4 octets the XPN IV uses (802.1AE 14.7), most significant first. */
export function ssciOctets(ssci: number): Uint8Array {
  if (!Number.isInteger(ssci) || ssci < 0 || ssci > 0xffff_ffff) throw new ConfigError('SSCI', 'a 32-bit unsigned integer', describe(ssci));
  const out = new Uint8Array(SSCI_LENGTH);
  new DataView(out.buffer).setUint32(0, ssci);
  return out;
}

/** Overwrites keys with zeros once they are no longer needed. */
export function wipe(...keys: readonly (Uint8Array | undefined)[]): void {
  for (const k of keys) k?.fill(0);
}

export function wipeCakKeys(keys: CakKeys): void {
  wipe(keys.ick, keys.kek);
}

/** Equality whose time does not depend on where the inputs differ (for ICVs). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** The ICK lookup of a participant that holds one CAK: MKPDUs naming another CKN are not its (UNKNOWN_CKN). */
export function ickLookup(cak: Uint8Array, ckn: Uint8Array): (ckn: Uint8Array) => Uint8Array | undefined {
  const ick = deriveIck(cak, ckn);
  return (named) => (constantTimeEqual(named, ckn) ? ick : undefined);
}
