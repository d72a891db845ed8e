/**
 * The cryptographic half of a secure association: the SAK's GCM context (made once, when the SA is
 * installed), the suite, and for XPN the SSCI and salt. Holds no PN state: that is the SecY's.
 */
import { ConfigError, describe } from '../util/errors.js';
import { createGcm, DEFAULT_BACKEND, type BackendName } from './backend.js';
import type { BurstBuffers, GcmEngine, PackedKernelArgs, WorkArea } from './engine.js';
import { bswap32, readLE } from './ghash.js';
import { SALT_LENGTH, SSCI_LENGTH, type CipherSuite } from './suite.js';

export interface SaKey {
  readonly suite: CipherSuite;
  /** The SAK: 16 or 32 octets as the suite requires. */
  readonly key: Uint8Array;
  /** XPN only: the 32-bit short SCI (802.1AEbw 14.7). */
  readonly ssci?: Uint8Array | undefined;
  /** XPN only: the 96-bit salt. */
  readonly salt?: Uint8Array | undefined;
}

/** Each SA's GCM engine, for `workAreaOf` (this module's, not the API's: a work area is the kernel's whole memory). */
const engines = new WeakMap<SaContext, GcmEngine>();

/** The SA's engine work area for the TypeScript packed kernels (crypto/packed.ts), when it has one. */
export function workAreaOf(sa: SaContext): WorkArea | undefined {
  if (sa.isWiped) throw new ConfigError('SAK', 'an installed key', 'a wiped one');
  return engines.get(sa)?.workArea?.();
}

export class SaContext {
  readonly suite: CipherSuite;
  readonly backend: BackendName;
  private readonly gcm: GcmEngine;
  private readonly ssci: Uint8Array;
  private readonly salt: Uint8Array;
  private readonly ivBuffer = new Uint8Array(12);
  private wiped = false;
  private wipeListeners: (() => void)[] = [];

  constructor(sa: SaKey, backend: BackendName = DEFAULT_BACKEND) {
    const { suite, key } = sa;
    if (!(key instanceof Uint8Array) || key.length !== suite.keyLength) {
      throw new ConfigError('key', `${suite.keyLength} octets for ${suite.name}`, describe(key));
    }
    if (suite.xpn) {
      if (sa.ssci?.length !== SSCI_LENGTH) throw new ConfigError('ssci', `${SSCI_LENGTH} octets for ${suite.name}`, sa.ssci ? describe(sa.ssci) : 'none');
      if (sa.salt?.length !== SALT_LENGTH) throw new ConfigError('salt', `${SALT_LENGTH} octets for ${suite.name}`, sa.salt ? describe(sa.salt) : 'none');
    } else {
      if (sa.ssci !== undefined) throw new ConfigError('ssci', `none for ${suite.name} (XPN suites only)`, describe(sa.ssci));
      if (sa.salt !== undefined) throw new ConfigError('salt', `none for ${suite.name} (XPN suites only)`, describe(sa.salt));
    }
    this.suite = suite;
    this.backend = backend;
    this.gcm = createGcm(key, backend);
    engines.set(this, this.gcm);
    this.ssci = sa.ssci ? sa.ssci.slice() : new Uint8Array(0);
    this.salt = sa.salt ? sa.salt.slice() : new Uint8Array(0);
  }

  /**
   * The 96-bit IV (14.5, 14.7): SCI ‖ PN for the plain suites; (SSCI ‖ PN) XOR salt with XPN, where
   * the PN is all 64 bits. The PN comes as its high and low 32-bit halves.
   */
  iv(sci: Uint8Array, sciOffset: number, pnHigh: number, pnLow: number): Uint8Array {
    const iv = this.ivBuffer;
    if (this.suite.xpn) {
      const s = this.salt;
      const h = this.ssci;
      iv[0] = h[0]! ^ s[0]!; iv[1] = h[1]! ^ s[1]!; iv[2] = h[2]! ^ s[2]!; iv[3] = h[3]! ^ s[3]!;
      iv[4] = (pnHigh >>> 24) ^ s[4]!; iv[5] = ((pnHigh >>> 16) & 0xff) ^ s[5]!;
      iv[6] = ((pnHigh >>> 8) & 0xff) ^ s[6]!; iv[7] = (pnHigh & 0xff) ^ s[7]!;
      iv[8] = (pnLow >>> 24) ^ s[8]!; iv[9] = ((pnLow >>> 16) & 0xff) ^ s[9]!;
      iv[10] = ((pnLow >>> 8) & 0xff) ^ s[10]!; iv[11] = (pnLow & 0xff) ^ s[11]!;
    } else {
      for (let i = 0; i < 8; i++) iv[i] = sci[sciOffset + i]!;
      iv[8] = pnLow >>> 24; iv[9] = pnLow >>> 16; iv[10] = pnLow >>> 8; iv[11] = pnLow;
    }
    return iv;
  }

  /**
   * The IV as `iv()` makes it, written as three little-endian words to out[at, at + 3): the form a
   * burst descriptor holds (engine.ts, D_IV).
   */
  ivWords(sci: Uint8Array, sciOffset: number, pnHigh: number, pnLow: number, out: Int32Array, at: number): void {
    if (this.suite.xpn) {
      const s = this.salt;
      const h = this.ssci;
      out[at] = readLE(h, 0) ^ readLE(s, 0);
      out[at + 1] = bswap32(pnHigh) ^ readLE(s, 4);
      out[at + 2] = bswap32(pnLow) ^ readLE(s, 8);
    } else {
      out[at] = readLE(sci, sciOffset);
      out[at + 1] = readLE(sci, sciOffset + 4);
      out[at + 2] = bswap32(pnLow);
    }
  }

  /**
   * The IV with the PN left out, 12 octets at out[at]: SCI ‖ 0^32 for the plain suites, (SSCI ‖ 0^64) XOR
   * salt with XPN. The IV of PN p is this XOR p (64 bits, big-endian) in its last 8 octets.
   */
  ivBase(sci: Uint8Array, out: Uint8Array, at: number): void {
    if (this.suite.xpn) {
      for (let i = 0; i < 4; i++) out[at + i] = this.ssci[i]! ^ this.salt[i]!;
      for (let i = 4; i < 12; i++) out[at + i] = this.salt[i]!;
    } else {
      for (let i = 0; i < 8; i++) out[at + i] = sci[i]!;
      for (let i = 8; i < 12; i++) out[at + i] = 0;
    }
  }

  /** The backend's native packed kernels (crypto/packed.ts), when it has them (`native`). */
  packedKernels(): { protectPacked(...args: PackedKernelArgs): void; validatePacked(...args: PackedKernelArgs): void } | undefined {
    if (this.wiped) throw new ConfigError('SAK', 'an installed key', 'a wiped one');
    const g = this.gcm;
    if (g.protectPacked === undefined || g.validatePacked === undefined) return undefined;
    return g as Required<Pick<GcmEngine, 'protectPacked' | 'validatePacked'>>;
  }

  seal(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): void {
    if (this.wiped) throw new ConfigError('SAK', 'an installed key', 'a wiped one');
    this.gcm.seal(iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff);
  }

  open(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): boolean {
    if (this.wiped) throw new ConfigError('SAK', 'an installed key', 'a wiped one');
    return this.gcm.open(iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff);
  }

  /** Seals frames first .. first + count - 1 of a burst (engine.ts). */
  sealBurst(burst: BurstBuffers, first: number, count: number): void {
    if (this.wiped) throw new ConfigError('SAK', 'an installed key', 'a wiped one');
    this.gcm.sealBurst(burst, first, count);
  }

  /** Opens frames first .. first + count - 1 of a burst, setting `burst.results`; returns how many verified. */
  openBurst(burst: BurstBuffers, first: number, count: number): number {
    if (this.wiped) throw new ConfigError('SAK', 'an installed key', 'a wiped one');
    return this.gcm.openBurst(burst, first, count);
  }

  /** Calls `listener` when the SA is wiped (at once when it already is): a burst executor's copies of the key go with it. */
  onWipe(listener: () => void): void {
    if (this.wiped) listener();
    else this.wipeListeners.push(listener);
  }

  get isWiped(): boolean {
    return this.wiped;
  }

  /** Zeroes the key schedule, GHASH table, SSCI and salt (802.1AE 10.7.13: keys are not kept past the SA). */
  wipe(): void {
    if (this.wiped) return;
    this.gcm.wipe();
    this.ssci.fill(0);
    this.salt.fill(0);
    this.ivBuffer.fill(0);
    this.wiped = true;
    const listeners = this.wipeListeners;
    this.wipeListeners = [];
    for (const listener of listeners) listener();
  }
}
