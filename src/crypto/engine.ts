/**
 * What every backend's GCM context implements, and the burst buffers shared by the TypeScript engine,
 * the native addon and the worker threads: frames laid out in one buffer, described by a table of
 * 32-bit words (so C and a worker read it without parsing anything).
 */

/** Words per frame in a burst descriptor. */
export const DESC_WORDS = 8;
/** Word offsets in a frame's descriptor: the AAD, the secure data (encrypted/decrypted in place), the ICV. */
export const D_AAD_OFF = 0;
export const D_AAD_LEN = 1;
export const D_DATA_OFF = 2;
export const D_DATA_LEN = 3;
export const D_TAG_OFF = 4;
/** The 96-bit IV as three little-endian words: octet 4k + j of the IV is bits 8j..8j+7 of word D_IV + k. */
export const D_IV = 5;

/**
 * A burst: frame i's AAD, data and ICV lie in `data` where desc[DESC_WORDS·i ...] says; `results[i]` is
 * set to 1 when frame i's ICV verified (open only), else 0. Offsets are relative to `data`.
 */
export interface BurstBuffers {
  readonly data: Uint8Array;
  readonly desc: Int32Array;
  readonly results: Uint8Array;
}

/** Keystream blocks a frame needs: E_K(J0) for the tag, then one per 16 octets of data. */
export const keystreamBlocks = (dataLength: number): number => 1 + ((dataLength + 15) >>> 4);

/** A GCM context for one key (AES-128 or AES-256), with a 96-bit IV per frame and a 16-octet tag. */
export interface GcmEngine {
  /**
   * Encrypts buf[dataOff, +dataLen) in place, authenticating buf[aadOff, +aadLen) with it, and writes
   * the tag at buf[tagOff].
   */
  seal(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): void;
  /** Checks the tag at buf[tagOff] in constant time; only when it verifies is the data decrypted in place. */
  open(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): boolean;
  /** Seals frames first .. first + count - 1 of a burst. */
  sealBurst(burst: BurstBuffers, first: number, count: number): void;
  /** Opens frames first .. first + count - 1 of a burst, setting their `results`; returns how many verified. */
  openBurst(burst: BurstBuffers, first: number, count: number): number;
  /** Forgets the key (schedule, GHASH table). */
  wipe(): void;
  /** Where the TypeScript packed kernels lay out, seal and open frames, when the engine has such memory (WebAssembly). */
  workArea?(): WorkArea | undefined;
  /** A native packed transmit (native/macsec_gcm.c protectPacked); crypto/packed.ts encodes the arguments. */
  protectPacked?(...args: PackedKernelArgs): void;
  /** A native packed receive (validatePacked); crypto/packed.ts encodes the arguments. */
  validatePacked?(...args: PackedKernelArgs): void;
}

/**
 * The arguments of a native packed kernel after the SA: config octets, the input frames, the output
 * frames, the outcomes, and the control words (crypto/packed.ts, native/macsec_gcm.c).
 */
export type PackedKernelArgs = [
  config: Uint8Array,
  inData: Uint8Array,
  inOffsets: Uint32Array,
  inLengths: Uint32Array,
  outData: Uint8Array,
  outOffsets: Uint32Array,
  outLengths: Uint32Array,
  codes: Uint8Array,
  pnHigh: Uint32Array,
  pnLow: Uint32Array,
  ctl: Uint32Array,
];

/**
 * Memory the GCM kernel works in (the WebAssembly memory): a packed kernel stages a chunk of frames there,
 * lays them out by copy runs executed there, seals or opens them in place (a burst whose `data` is `bytes`)
 * and copies the result out, instead of copying every frame in JavaScript and then again into the kernel.
 */
export interface WorkArea {
  /**
   * Reserves `octets` octets and returns where they start, with `scratch` octets after them for what sealing or
   * opening in place puts there (keystream, descriptors); `bytes` is remade when the memory grows: read it after.
   */
  area(octets: number, scratch: number): number;
  /** The whole memory. */
  readonly bytes: Uint8Array;
  /** Runs `count` copies inside the memory, each three words of `runs` (source, destination, length), using `at` for the list. */
  copyRuns(runs: Uint32Array, count: number, at: number): void;
}
