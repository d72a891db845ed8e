/**
 * AES-GCM (NIST SP 800-38D) for one key, with everything that depends only on the key made once:
 * the block cipher's key schedule (in the backend), the hash subkey H = E_K(0^128) and an 8-bit
 * GHASH table of 16 x 256 entries (64 KiB; in the WebAssembly kernel, one each for H, H^2, H^3 and H^4),
 * so a frame costs table lookups and no key setup.
 *
 * Operates in place on ranges of one buffer: the AAD, then the data right where it lies, then the
 * 16-octet tag. Table-driven GHASH is not constant-time (cache timing): fine for a simulator.
 */
import { D_AAD_LEN, D_AAD_OFF, D_DATA_LEN, D_DATA_OFF, D_IV, D_TAG_OFF, DESC_WORDS, keystreamBlocks, type BurstBuffers, type GcmEngine, type WorkArea } from './engine.js';
import { ghash, ghashTable, readLE, tagMatches, WordView, writeTag, xorKeystream, type GhashTable } from './ghash.js';
import { GhashWasm, type BurstKeystream, type EcbBlocks } from './ghash-wasm.js';

/** What a backend supplies: AES-CTR keystream for a 96-bit IV. */
export interface KeystreamSource {
  /**
   * Returns `blocks` keystream blocks E_K(IV ‖ 1), E_K(IV ‖ 2), ... (32-bit big-endian counter),
   * in a buffer the caller reads before the next call.
   */
  keystream(iv: Uint8Array, blocks: number): Uint8Array;
  /** E_K(0^128), the GHASH subkey H, in a new buffer. */
  encryptZeroBlock(): Uint8Array;
  /** Forgets the key. */
  wipe(): void;
}

/**
 * What the built-in backends supply beyond `KeystreamSource`: the keystream as little-endian words (the
 * form GHASH and the CTR XOR consume), and optionally a whole burst's keystream at once.
 */
export interface WordKeystreamSource extends KeystreamSource {
  /** E_K(IV ‖ 1), E_K(IV ‖ 2), ... as little-endian words from word 0, valid until the next call. */
  keystreamWords(iv0: number, iv1: number, iv2: number, blocks: number): Uint32Array;
  /**
   * The keystream of burst frames first .. first + count - 1 back to back, `keystreamBlocks(dataLen)`
   * blocks each, the IVs taken from the descriptors. For sources where one call per burst pays
   * (one native call); others leave it out and are asked frame by frame.
   */
  burstKeystream?(desc: Int32Array, first: number, count: number): Uint32Array;
  /** AES-ECB of many blocks in one call, for sources where that is cheap (one call into OpenSSL): the WebAssembly kernel then makes the counter blocks. */
  ecbBlocks?(blocks: Uint8Array): Uint8Array;
  /** As `keystreamWords`, written to out[outWord ...]: for sources that compute it (no copy). */
  keystreamInto?(iv0: number, iv1: number, iv2: number, blocks: number, out: Uint32Array, outWord: number): void;
}

export const IV_LENGTH = 12;

/** `KeystreamSource.keystream` in octets, for a source that makes its keystream as little-endian words. */
export function keystreamOctets(words: WordKeystreamSource['keystreamWords'], iv: Uint8Array, blocks: number): Uint8Array {
  const w = words(readLE(iv, 0), readLE(iv, 4), readLE(iv, 8), blocks);
  const out = new Uint8Array(blocks * 16);
  for (let i = 0; i < out.length; i++) out[i] = w[i >>> 2]! >>> ((i & 3) << 3);
  return out;
}

/** Keystream blocks of a burst's frames first .. first + count - 1. */
function burstBlocks(desc: Int32Array, first: number, count: number): number {
  let blocks = 0;
  for (let i = first; i < first + count; i++) blocks += keystreamBlocks(desc[i * DESC_WORDS + D_DATA_LEN]!);
  return blocks;
}

/** Adapts a plain `KeystreamSource` (octets) to words. */
function wordSource(source: KeystreamSource): WordKeystreamSource {
  if ('keystreamWords' in source) return source as WordKeystreamSource;
  const iv = new Uint8Array(IV_LENGTH);
  let words = new Uint32Array(0);
  return {
    keystream: (v, blocks) => source.keystream(v, blocks),
    encryptZeroBlock: () => source.encryptZeroBlock(),
    wipe: () => source.wipe(),
    keystreamWords(iv0, iv1, iv2, blocks) {
      for (let i = 0; i < 4; i++) {
        iv[i] = iv0 >>> (8 * i);
        iv[4 + i] = iv1 >>> (8 * i);
        iv[8 + i] = iv2 >>> (8 * i);
      }
      const ks = source.keystream(iv, blocks);
      if (words.length < blocks * 4) words = new Uint32Array(blocks * 4);
      for (let i = 0; i < blocks * 4; i++) words[i] = readLE(ks, 4 * i);
      return words;
    },
  };
}

// Shared scratch: JavaScript runs one frame at a time per thread.
const Y = new Uint32Array(4);

/**
 * Single frames this small go through the TypeScript GHASH: copying into and out of the WebAssembly
 * memory cost more than the faster GHASH saved at 64-octet frames; at 512 octets it is well ahead.
 */
const WASM_MIN_OCTETS = 256;

/** A single frame as a burst of one, for the WebAssembly kernel: its descriptor is scratch too. */
const ONE = { desc: new Int32Array(DESC_WORDS), results: new Uint8Array(1) };

function oneFrame(iv: Uint8Array, data: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): BurstBuffers {
  const d = ONE.desc;
  d[D_AAD_OFF] = aadOff;
  d[D_AAD_LEN] = aadLen;
  d[D_DATA_OFF] = dataOff;
  d[D_DATA_LEN] = dataLen;
  d[D_TAG_OFF] = tagOff;
  d[D_IV] = readLE(iv, 0);
  d[D_IV + 1] = readLE(iv, 4);
  d[D_IV + 2] = readLE(iv, 8);
  return { data, desc: d, results: ONE.results };
}

/** Frees the WebAssembly table slot of a context dropped without `wipe()`. */
const slots = new FinalizationRegistry<{ wasm: GhashWasm; slot: number }>(({ wasm, slot }) => wasm.removeTable(slot));

/**
 * GCM over a backend's keystream: the GHASH, CTR XOR and tag in the WebAssembly kernel (ghash-wasm.ts)
 * where there is one (bursts, and single frames of 256 octets or more as bursts of one), else in
 * TypeScript (ghash.ts).
 */
export class Gcm implements GcmEngine {
  private readonly table: GhashTable;
  private readonly source: WordKeystreamSource;
  /** Word view of the buffer frames are in: a burst's buffer stays the same for all its frames. */
  private readonly view = new WordView();
  private readonly wasm: GhashWasm | undefined;
  /** The source's bulk block cipher, where it has one. */
  private readonly ecb: EcbBlocks | undefined;
  /** This context's table in the WebAssembly memory. */
  private readonly slot: number = -1;
  private wiped = false;

  constructor(source: KeystreamSource) {
    this.source = wordSource(source);
    const ecb = this.source.ecbBlocks?.bind(this.source);
    this.ecb = ecb === undefined ? undefined : { ecbBlocks: ecb };
    const h = source.encryptZeroBlock();
    this.table = ghashTable(h);
    const wasm = GhashWasm.get();
    const slot = wasm?.addTable(h);
    if (wasm !== undefined && slot !== undefined) {
      this.wasm = wasm;
      this.slot = slot;
      slots.register(this, { wasm, slot }, this);
    }
    h.fill(0);
  }

  seal(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): void {
    this.assertKey();
    if (this.wasm !== undefined && aadLen + dataLen >= WASM_MIN_OCTETS) {
      this.wasm.run(this.slot, oneFrame(iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff), 0, 1, this.burstKeystream(ONE.desc, 0, 1), keystreamBlocks(dataLen), false);
      return;
    }
    const ks = this.source.keystreamWords(readLE(iv, 0), readLE(iv, 4), readLE(iv, 8), keystreamBlocks(dataLen));
    this.sealWith(ks, 0, buf, this.view.of(buf), aadOff, aadLen, dataOff, dataLen, tagOff);
  }

  open(iv: Uint8Array, buf: Uint8Array, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): boolean {
    this.assertKey();
    if (this.wasm !== undefined && aadLen + dataLen >= WASM_MIN_OCTETS) {
      return this.wasm.run(this.slot, oneFrame(iv, buf, aadOff, aadLen, dataOff, dataLen, tagOff), 0, 1, this.burstKeystream(ONE.desc, 0, 1), keystreamBlocks(dataLen), true) === 1;
    }
    const ks = this.source.keystreamWords(readLE(iv, 0), readLE(iv, 4), readLE(iv, 8), keystreamBlocks(dataLen));
    return this.openWith(ks, 0, buf, this.view.of(buf), aadOff, aadLen, dataOff, dataLen, tagOff);
  }

  sealBurst(burst: BurstBuffers, first: number, count: number): void {
    this.assertKey();
    if (this.wasm !== undefined) {
      this.wasm.run(this.slot, burst, first, count, this.burstKeystream(burst.desc, first, count), burstBlocks(burst.desc, first, count), false);
      return;
    }
    const { data, desc } = burst;
    const words = this.view.of(data);
    const batch = this.source.burstKeystream?.(desc, first, count);
    let kw = 0;
    for (let i = first; i < first + count; i++) {
      const d = i * DESC_WORDS;
      const dataLen = desc[d + D_DATA_LEN]!;
      const ks = batch ?? this.frameKeystream(desc, d);
      this.sealWith(ks, batch === undefined ? 0 : kw, data, words, desc[d + D_AAD_OFF]!, desc[d + D_AAD_LEN]!, desc[d + D_DATA_OFF]!, dataLen, desc[d + D_TAG_OFF]!);
      kw += 4 * keystreamBlocks(dataLen);
    }
  }

  /** One burst frame's keystream, for sources that do not make a whole burst's at once. */
  private frameKeystream(desc: Int32Array, d: number): Uint32Array {
    return this.source.keystreamWords(desc[d + D_IV]!, desc[d + D_IV + 1]!, desc[d + D_IV + 2]!, keystreamBlocks(desc[d + D_DATA_LEN]!));
  }

  openBurst(burst: BurstBuffers, first: number, count: number): number {
    this.assertKey();
    if (this.wasm !== undefined) {
      return this.wasm.run(this.slot, burst, first, count, this.burstKeystream(burst.desc, first, count), burstBlocks(burst.desc, first, count), true);
    }
    const { data, desc, results } = burst;
    const words = this.view.of(data);
    const batch = this.source.burstKeystream?.(desc, first, count);
    let kw = 0;
    let verified = 0;
    for (let i = first; i < first + count; i++) {
      const d = i * DESC_WORDS;
      const dataLen = desc[d + D_DATA_LEN]!;
      const ks = batch ?? this.frameKeystream(desc, d);
      const ok = this.openWith(ks, batch === undefined ? 0 : kw, data, words, desc[d + D_AAD_OFF]!, desc[d + D_AAD_LEN]!, desc[d + D_DATA_OFF]!, dataLen, desc[d + D_TAG_OFF]!);
      results[i] = ok ? 1 : 0;
      if (ok) verified++;
      kw += 4 * keystreamBlocks(dataLen);
    }
    return verified;
  }

  workArea(): WorkArea | undefined {
    return this.wasm;
  }

  /** Zeroes the GHASH tables and the backend's key schedule. */
  wipe(): void {
    if (this.wiped) return;
    this.wiped = true;
    if (this.wasm !== undefined) {
      slots.unregister(this);
      this.wasm.removeTable(this.slot);
    }
    this.table.all.fill(0);
    this.view.clear();
    this.source.wipe();
  }

  private assertKey(): void {
    if (this.wiped) throw new Error('GCM: the key was wiped');
  }

  /**
   * A burst's keystream for the WebAssembly kernel: counter blocks made there and encrypted in one call where
   * the source has a bulk block cipher, else in one piece when the source makes it so, else frame by frame.
   */
  private burstKeystream(desc: Int32Array, first: number, count: number): BurstKeystream {
    const source = this.source;
    if (this.ecb !== undefined) return this.ecb;
    const batch = source.burstKeystream?.(desc, first, count);
    if (batch !== undefined) return batch;
    return (frame, out, outWord) => {
      const d = frame * DESC_WORDS;
      const blocks = keystreamBlocks(desc[d + D_DATA_LEN]!);
      if (source.keystreamInto !== undefined) source.keystreamInto(desc[d + D_IV]!, desc[d + D_IV + 1]!, desc[d + D_IV + 2]!, blocks, out, outWord);
      else out.set(source.keystreamWords(desc[d + D_IV]!, desc[d + D_IV + 1]!, desc[d + D_IV + 2]!, blocks).subarray(0, blocks * 4), outWord);
    };
  }

  /** `ks` from word `kw`: E_K(J0), then the data's keystream. */
  private sealWith(ks: Uint32Array, kw: number, buf: Uint8Array, words: Uint32Array | undefined, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): void {
    xorKeystream(buf, words, dataOff, dataLen, ks, kw + 4);
    ghash(this.table, buf, words, aadOff, aadLen, dataOff, dataLen, Y);
    writeTag(Y, ks, kw, buf, tagOff);
  }

  private openWith(ks: Uint32Array, kw: number, buf: Uint8Array, words: Uint32Array | undefined, aadOff: number, aadLen: number, dataOff: number, dataLen: number, tagOff: number): boolean {
    ghash(this.table, buf, words, aadOff, aadLen, dataOff, dataLen, Y);
    const ok = tagMatches(Y, ks, kw, buf, tagOff);
    Y.fill(0);
    if (ok) xorKeystream(buf, words, dataOff, dataLen, ks, kw + 4);
    return ok;
  }
}
