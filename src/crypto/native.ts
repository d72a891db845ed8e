/**
 * `native` backend: the optional N-API addon (native/macsec_gcm.c), AES-GCM on intel-ipsec-mb's one-shot
 * calls where `npm install` found the library, else on OpenSSL's EVP; the key expanded once per SA, one
 * call per burst, and the packed kernels (crypto/packed.ts). Built by `npm install` when a compiler is
 * there (scripts/build-native.mjs); when it is not, or fails to load, everything else works and
 * `nativeStatus()` says why. The addon is loaded on first use (the first `nativeStatus()` or `NativeGcm`),
 * never on import.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import type { BurstBuffers, GcmEngine, PackedKernelArgs } from './engine.js';

/** The addon's `abi` this module speaks (native/macsec_gcm.c ADDON_ABI). */
const ADDON_ABI = 2;

declare const saHandle: unique symbol;
/** An SA's expanded key, owned by the addon (wiped and freed by `wipe` or the garbage collector). */
type NativeSa = { readonly [saHandle]: true };

interface Addon {
  readonly abi: number;
  /** OpenSSL_version(OPENSSL_VERSION) as the addon sees it. */
  readonly openssl: string;
  /** The GCM engine in use: "ipsec-mb <arch>" (e.g. "ipsec-mb avx512") or "evp". */
  readonly engine: string;
  /** The library behind it with its version: "intel-ipsec-mb 1.3.0" or OpenSSL's version. */
  readonly library: string;
  createSa(key: Uint8Array): NativeSa;
  wipe(sa: NativeSa): void;
  seal(sa: NativeSa, iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): void;
  open(sa: NativeSa, iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): boolean;
  sealBurst(sa: NativeSa, buf: Uint8Array, desc: Int32Array, first: number, count: number): void;
  openBurst(sa: NativeSa, buf: Uint8Array, desc: Int32Array, results: Uint8Array, first: number, count: number): number;
  protectPacked(sa: NativeSa, ...args: PackedKernelArgs): void;
  validatePacked(sa: NativeSa, ...args: PackedKernelArgs): void;
  sealBare(sa: NativeSa, data: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number, aadLength: number): void;
  /** out[i] = the IEEE 802.3 CRC-32 of data[starts[i]..ends[i]); only on the ipsec-mb engine. */
  readonly crc32Frames?: (data: Uint8Array, starts: Uint32Array, ends: Uint32Array, count: number, out: Uint32Array) => void;
}

export type NativeStatus =
  | { readonly available: true; readonly path: string; readonly openssl: string; readonly engine: string; readonly library: string }
  | { readonly available: false; readonly reason: string };

/** Why the install step did not build the addon, as scripts/build-native.mjs recorded it. */
function buildReason(root: string): string | undefined {
  try {
    const status = JSON.parse(readFileSync(join(root, 'build', 'native-status.json'), 'utf8')) as { built?: unknown; reason?: unknown };
    return status.built === false && typeof status.reason === 'string' ? status.reason : undefined;
  } catch {
    return undefined;
  }
}

function load(): { addon: Addon | undefined; status: NativeStatus } {
  const unavailable = (reason: string): { addon: undefined; status: NativeStatus } => ({ addon: undefined, status: { available: false, reason } });
  if (process.env['MACSEC_SIM_NATIVE'] === '0') return unavailable('disabled by MACSEC_SIM_NATIVE=0');
  let root: string;
  try {
    root = packageRoot();
  } catch (e) {
    return unavailable((e as Error).message);
  }
  const path = join(root, 'build', 'Release', 'macsec_gcm.node');
  if (!existsSync(path)) {
    const why = buildReason(root);
    return unavailable(why !== undefined ? `not built: ${why}` : 'not built (run `npm run build:native`; needs a C compiler, make and python3)');
  }
  let addon: Addon;
  try {
    addon = createRequire(import.meta.url)(path) as Addon;
  } catch (e) {
    return unavailable(`${path} does not load: ${(e as Error).message.split('\n')[0]}`);
  }
  if (addon.abi !== ADDON_ABI) return unavailable(`${path} is a stale build (ABI ${String(addon.abi)}, expected ${ADDON_ABI}): run \`npm run build:native\``);
  return { addon, status: { available: true, path, openssl: addon.openssl, engine: addon.engine, library: addon.library } };
}

let loaded: ReturnType<typeof load> | undefined;
const addonState = (): ReturnType<typeof load> => (loaded ??= load());

/** Whether the addon is there and, if not, why. */
export function nativeStatus(): NativeStatus {
  return addonState().status;
}

/** The native GCM engine in use ("ipsec-mb avx512", "evp"), or undefined when the addon is not available. */
export function nativeEngine(): string | undefined {
  const { status } = addonState();
  return status.available ? status.engine : undefined;
}

/** The addon's CRC-32 of many ranges in one call (ipsec-mb's, for the capture readers' FCS checks), or undefined without it. */
export function nativeCrc32(): ((data: Uint8Array, starts: Uint32Array, ends: Uint32Array, count: number, out: Uint32Array) => void) | undefined {
  return addonState().addon?.crc32Frames;
}

/** AES-GCM for one key in the addon. Only constructible when `nativeStatus().available`. */
export class NativeGcm implements GcmEngine {
  private readonly addon: Addon;
  private readonly sa: NativeSa;

  constructor(key: Uint8Array) {
    const { addon, status } = addonState();
    if (addon === undefined) throw new Error(`native backend unavailable: ${status.available ? 'not loaded' : status.reason}`);
    this.addon = addon;
    this.sa = addon.createSa(key);
  }

  seal(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): void {
    this.addon.seal(this.sa, iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff);
  }

  open(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): boolean {
    return this.addon.open(this.sa, iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff);
  }

  sealBurst(burst: BurstBuffers, first: number, count: number): void {
    this.addon.sealBurst(this.sa, burst.data, burst.desc, first, count);
  }

  openBurst(burst: BurstBuffers, first: number, count: number): number {
    return this.addon.openBurst(this.sa, burst.data, burst.desc, burst.results, first, count);
  }

  protectPacked(...args: PackedKernelArgs): void {
    this.addon.protectPacked(this.sa, ...args);
  }

  validatePacked(...args: PackedKernelArgs): void {
    this.addon.validatePacked(this.sa, ...args);
  }

  /**
   * The bench's crypto limit (row d): frames laid out as AAD (`aadLength` = 28: DA ‖ SA ‖ SecTAG with SCI),
   * data and ICV space, sealed in place one engine call each, IV = SCI ‖ PN from the SecTAG; nothing else.
   */
  sealBare(data: Uint8Array, offsets: Uint32Array, lengths: Uint32Array, count: number, aadLength: number): void {
    this.addon.sealBare(this.sa, data, offsets, lengths, count, aadLength);
  }

  wipe(): void {
    this.addon.wipe(this.sa);
  }
}
