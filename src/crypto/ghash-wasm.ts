/**
 * The burst kernel of the TypeScript backends in WebAssembly: CTR XOR, GHASH over AAD and data, and the
 * tag, for every frame of a burst in one call, given the keystream (or the counter blocks it makes for the
 * source's bulk cipher); and the copy runs a packed kernel lays a chunk out with. The same 8-bit table as ghash.ts,
 * with the table entry a v128 (one load and one XOR per octet of Y instead of four each) and no bounds
 * checks, and tables for H^2..H^4 too, so that four blocks are multiplied at once (aggregated reduction:
 * one block at a time, each product waits on the last). Measured on long data, kernel alone: about 7
 * against 16 ns a block for one block at a time, which was itself 2.5 times the TypeScript GHASH.
 *
 * The module is generated here (a few kilooctets, no toolchain, no dependency) and instantiated once
 * per thread with one memory: constants and scratch, then one 256 KiB table slot per GCM context, then
 * a work area: the burst copied into it and back out, or a packed kernel's chunk staged, laid out and
 * processed there in place (WorkArea, crypto/packed.ts). Without WebAssembly (node --jitless, a locked-down
 * browser) `GhashWasm.get()` is undefined and the TypeScript kernel does the work; `GhashWasm.allowed = false`
 * asks for that too (to compare, and to test the TypeScript kernel): under Node, MACSEC_SIM_WASM=0 does
 * (read by useNodeBackends, so that this module reads no environment).
 */
import { DESC_WORDS, type BurstBuffers, type WorkArea } from './engine.js';
import { ghashTableInto, gfMul, LITTLE_ENDIAN } from './ghash.js';

// --- a minimal WebAssembly encoder: just what the kernel uses ---

const uleb = (n: number): number[] => {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
};
const sleb = (n: number): number[] => {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
    out.push(b | 0x80);
  }
};
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];

const I32 = 0x7f, I64 = 0x7e, V128 = 0x7b, VOID = 0x40;
const SIMD = 0xfd;

/** Instructions, each an array of octets. */
const get = (l: number): number[] => [0x20, ...uleb(l)];
const set = (l: number): number[] => [0x21, ...uleb(l)];
const tee = (l: number): number[] => [0x22, ...uleb(l)];
const i32c = (n: number): number[] => [0x41, ...sleb(n)];
const call = (f: number): number[] => [0x10, ...uleb(f)];
const br = (depth: number): number[] => [0x0c, ...uleb(depth)];
const brIf = (depth: number): number[] => [0x0d, ...uleb(depth)];
const i32load = (offset: number): number[] => [0x28, 2, ...uleb(offset)];
const load8 = [0x2d, 0, 0];
const store8 = [0x3a, 0, 0];
const v128load = (offset: number): number[] => [SIMD, 0x00, 0, ...uleb(offset)];
const v128zero = [SIMD, 0x0c, ...new Array<number>(16).fill(0)];
const i64x2splat = [SIMD, 0x12];
const i64x2replace1 = [SIMD, 0x1e, 1];
const i32x4replace3 = [SIMD, 0x1c, 3];
const v128and = [SIMD, 0x4e];
const simd2 = (op: number): number[] => [SIMD, ...uleb(op)];
const [i16x8extendLowU, i16x8extendHighU, i16x8shl, i32x4extendLowU, i32x4extendHighU, i32x4add, i32x4splat] = [simd2(0x89), simd2(0x8a), simd2(0x8b), simd2(0xa9), simd2(0xaa), simd2(0xae), [SIMD, 0x11]];
const v128storeAt = (offset: number): number[] => [SIMD, 0x0b, 0, ...uleb(offset)];
const v128store = v128storeAt(0);
const v128xor = [SIMD, 0x51];
const anyTrue = [SIMD, 0x53];
const memoryCopy = [0xfc, 10, 0, 0];
const [add, sub, mul, and, or, xor, shl, shrU, geU, gtU, ltU, eqz] = [[0x6a], [0x6b], [0x6c], [0x71], [0x72], [0x73], [0x74], [0x76], [0x4f], [0x4b], [0x49], [0x45]];
const [i64shl, i64extendU] = [[0x86], [0xad]];
const block = [0x02, VOID], loop = [0x03, VOID], ifThen = [0x04, VOID], end = [0x0b];
const i64c32 = [0x42, 32];

const code = (...parts: number[][]): number[] => parts.flat();

/** 16 octets of 0xff then 16 of zero: 16 octets loaded from MASKS + 16 - r keep the first r of a block. */
const MASKS = 16;
/** Scratch per operand of a step (WAYS of them): its 16 entry addresses, then a partial sum. */
const SCRATCH = 64;
const SCRATCH_STRIDE = 64 + 16;
/**
 * Blocks absorbed at a time, and so powers of H with a table each. Measured on long data (kernel alone,
 * ns a block, interleaved, medians, before the partial-sum stores below): one at a time 16-17, two 9,
 * four 7.3-8, eight 8.8 (512 KiB of tables a context: more L1/L2 misses than the latency it hides).
 */
const WAYS = 4;
/** Table slots start here: the tables of H, H^2, ..., H^WAYS (64 KiB each) per GCM context. */
const TABLES = 0x10000;
const TABLE = 0x10000;
const SLOT = WAYS * TABLE;
const PAGE = 0x10000;

/**
 * x · H^k: 16 lookups, octet p of x (v128 local `x`) picking entry x[p] of block p of the table of H^k.
 * `tv` holds the slot address in each i32 lane: the 16 entry addresses (slot + 16·x[p]) are made at once
 * in SIMD and stored to scratch `w`, then each lookup is one i32 load and one v128 load, XORed in a chain
 * whose partial sum (through v128 local `tmp`) is stored every 4 lookups: without those stores V8 issued
 * all the loads first and the XORs last, spilling (they took 0.8x the time).
 * Four-way, kernel alone, against one i8x16.extract_lane_u + shift + add per octet (pextrb is 2 uops):
 * octets stored and read back by i32.load8_u 0.88x the time, i32x4/i64x2 lanes and scalar shifts about
 * 1x, these addresses 0.8x as a tree of XORs, 0.7x as a chain, 0.55x with the stores.
 */
function mulInline(tv: number, x: number, k: number, w: number, tmp: number): number[] {
  const s = SCRATCH + SCRATCH_STRIDE * w;
  const quarter = (half: number[], wide: number[], q: number): number[] => code(i32c(0), get(x), half, i32c(4), i16x8shl, wide, get(tv), i32x4add, v128storeAt(s + 16 * q));
  const leaf = (p: number): number[] => code(i32c(0), i32load(s + 4 * p), v128load((k - 1) * TABLE + p * 4096));
  const partial = (p: number): number[] => (p % 4 === 3 && p < 15 ? code(set(tmp), i32c(0), get(tmp), v128storeAt(s + 64), get(tmp)) : []);
  return code(
    quarter(i16x8extendLowU, i32x4extendLowU, 0), quarter(i16x8extendLowU, i32x4extendHighU, 1),
    quarter(i16x8extendHighU, i32x4extendLowU, 2), quarter(i16x8extendHighU, i32x4extendHighU, 3),
    leaf(0), ...Array.from({ length: 15 }, (_, i) => code(leaf(i + 1), v128xor, partial(i + 1))),
  );
}

// Functions: 0 absorb(tbl, ptr, len, y) -> y; 1 xorKs(ptr, len, ks); 2 beBits(n) -> i64;
// 3 sealBurst(tbl, desc, count, base, ks); 4 openBurst(tbl, desc, count, base, ks, results) -> verified;
// 5 counterBlocks(desc, count, out); 6 copyRuns(list, count).
// The multiplication by H is inlined at each use: as a function of its own, called per block, it was slower.
const TYPES = [
  [0x60, ...vec([[I32], [I32], [I32], [V128]]), ...vec([[V128]])],
  [0x60, ...vec([[I32], [I32], [I32]]), ...vec([])],
  [0x60, ...vec([[I32]]), ...vec([[I64]])],
  [0x60, ...vec([[I32], [I32], [I32], [I32], [I32]]), ...vec([])],
  [0x60, ...vec([[I32], [I32], [I32], [I32], [I32], [I32]]), ...vec([[I32]])],
  [0x60, ...vec([[I32], [I32], [I32]]), ...vec([])],
  [0x60, ...vec([[I32], [I32]]), ...vec([])],
];

function body(locals: [number, number][], ...instructions: number[][]): number[] {
  const b = [...vec(locals.map(([n, t]) => [...uleb(n), t])), ...instructions.flat(), ...end];
  return [...uleb(b.length), ...b];
}

// absorb: params tbl 0, ptr 1, len 2, y 3; locals end 4 (i32), tv 5, x 6 .. 6 + WAYS - 1, tmp 6 + WAYS (v128).
// While WAYS whole blocks remain: Y = ((Y ⊕ X1)·H^4) ⊕ (X2·H^3) ⊕ (X3·H^2) ⊕ (X4·H), four products that do
// not wait on each other (one block at a time, each waits on the last: latency-bound); then block by block.
const ABSORB = body(
  [[1, I32], [2 + WAYS, V128]],
  code(get(1), get(2), add, set(4), get(0), i32x4splat, set(5)),
  block, loop,
  code(get(1), i32c(16 * WAYS), add, get(4), gtU, brIf(1)),
  code(get(3), get(1), v128load(0), v128xor, set(6)),
  ...Array.from({ length: WAYS - 1 }, (_, i) => code(get(1), v128load(16 * (i + 1)), set(7 + i))),
  mulInline(5, 6, WAYS, 0, 6 + WAYS),
  ...Array.from({ length: WAYS - 1 }, (_, i) => code(mulInline(5, 7 + i, WAYS - 1 - i, i + 1, 6 + WAYS), v128xor)),
  set(3),
  code(get(1), i32c(16 * WAYS), add, set(1), br(0)),
  end, end,
  block, loop,
  code(get(1), i32c(16), add, get(4), gtU, brIf(1)),
  code(get(3), get(1), v128load(0), v128xor, set(6)),
  mulInline(5, 6, 1, 0, 6 + WAYS), set(3),
  code(get(1), i32c(16), add, set(1), br(0)),
  end, end,
  // A final partial block: 16 octets read (the memory always extends past the run) and the excess masked.
  code(get(1), get(4), ltU, ifThen),
  code(get(3), get(1), v128load(0), i32c(MASKS + 16), get(4), get(1), sub, sub, v128load(0), v128and, v128xor, set(6)),
  mulInline(5, 6, 1, 0, 6 + WAYS), set(3),
  end,
  get(3),
);

// xorKs: params ptr 0, len 1, ks 2; local end 3.
const XOR_KS = body(
  [[1, I32]],
  code(get(0), get(1), add, set(3)),
  block, loop,
  code(get(0), i32c(16), add, get(3), gtU, brIf(1)),
  code(get(0), get(0), v128load(0), get(2), v128load(0), v128xor, v128store),
  code(get(0), i32c(16), add, set(0), get(2), i32c(16), add, set(2), br(0)),
  end, end,
  block, loop,
  code(get(0), get(3), geU, brIf(1)),
  code(get(0), get(0), load8, get(2), load8, xor, store8),
  code(get(0), i32c(1), add, set(0), get(2), i32c(1), add, set(2), br(0)),
  end, end,
);

// beBits: param n 0 (octets) -> the 64-bit big-endian bit count as the i64 whose little-endian octets those are.
const BE_BITS = body(
  [],
  code(get(0), i32c(3), shl, tee(0), i32c(24), shl),
  code(get(0), i32c(0xff00), and, i32c(8), shl, or),
  code(get(0), i32c(8), shrU, i32c(0xff00), and, or),
  code(get(0), i32c(24), shrU, or),
  i64extendU, i64c32, i64shl,
);

/**
 * The per-frame part of both burst functions: locals d (descriptor), dataLen, data, y, tv (v128, and the
 * v128 after it); leaves Y (GHASH of AAD and data, length block included) in y. `base + offset` addresses
 * a frame's octets.
 */
function ghashFrame(tbl: number, base: number, d: number, data: number, dataLen: number, y: number, tv: number): number[] {
  return code(
    get(tbl), get(base), get(d), i32load(0), add, get(d), i32load(4), v128zero, call(0),
    set(y), get(tbl), get(data), get(dataLen), get(y), call(0), set(y),
    get(y), get(d), i32load(4), call(2), i64x2splat, get(dataLen), call(2), i64x2replace1, v128xor, set(y),
    get(tbl), i32x4splat, set(tv), mulInline(tv, y, 1, 0, tv + 1), set(y),
  );
}

/** The scratch holds octets of GHASH states and partial products (which give away H): zeroed before a burst call returns. */
const WIPE_SCRATCH = code(...Array.from({ length: (SCRATCH_STRIDE * WAYS) / 16 }, (_, i) => code(i32c(0), v128zero, v128storeAt(SCRATCH + 16 * i))));

// sealBurst: params tbl 0, desc 1, count 2, base 3, ks 4; locals i 5, d 6, data 7, dataLen 8, y 9, tv 10, tmp 11 (v128).
const SEAL_BURST = body(
  [[4, I32], [3, V128]],
  block, loop,
  code(get(5), get(2), geU, brIf(1)),
  code(get(1), get(5), i32c(5), shl, add, set(6)),
  code(get(6), i32load(12), set(8), get(3), get(6), i32load(8), add, set(7)),
  code(get(7), get(8), get(4), i32c(16), add, call(1)),
  ghashFrame(0, 3, 6, 7, 8, 9, 10),
  code(get(3), get(6), i32load(16), add, get(9), get(4), v128load(0), v128xor, v128store),
  code(get(4), get(8), i32c(15), add, i32c(-16), and, i32c(16), add, add, set(4)),
  code(get(5), i32c(1), add, set(5), br(0)),
  end, end,
  WIPE_SCRATCH,
);

// openBurst: params tbl 0, desc 1, count 2, base 3, ks 4, results 5; locals i 6, d 7, data 8, dataLen 9,
// ok 10, verified 11, y 12, tv 13, tmp 14 (v128).
const OPEN_BURST = body(
  [[6, I32], [3, V128]],
  block, loop,
  code(get(6), get(2), geU, brIf(1)),
  code(get(1), get(6), i32c(5), shl, add, set(7)),
  code(get(7), i32load(12), set(9), get(3), get(7), i32load(8), add, set(8)),
  ghashFrame(0, 3, 7, 8, 9, 12, 13),
  // Tag = Y ⊕ E_K(J0), compared with the frame's ICV without branching on where they differ.
  code(get(12), get(4), v128load(0), v128xor, get(3), get(7), i32load(16), add, v128load(0), v128xor, anyTrue, eqz, set(10)),
  code(get(5), get(6), add, get(10), store8),
  code(get(10), ifThen, get(8), get(9), get(4), i32c(16), add, call(1), end),
  code(get(11), get(10), add, set(11)),
  code(get(4), get(9), i32c(15), add, i32c(-16), and, i32c(16), add, add, set(4)),
  code(get(6), i32c(1), add, set(6), br(0)),
  end, end,
  WIPE_SCRATCH,
  get(11),
);

// counterBlocks: params desc 0, count 1, out 2; locals end 3, c 4, blocks 5, v 6 (v128). Each frame's
// counter blocks IV ‖ 1 .. IV ‖ blocks (32-bit big-endian counter) back to back: what AES-ECB turns into
// its keystream. In JavaScript these four stores a block cost more than the block's AES in OpenSSL.
const COUNTER_BLOCKS = body(
  [[3, I32], [1, V128]],
  code(get(0), get(1), i32c(5), shl, add, set(3)),
  block, loop,
  code(get(0), get(3), geU, brIf(1)),
  code(get(0), v128load(20), set(6), i32c(1), set(4)),
  code(get(0), i32load(12), i32c(15), add, i32c(4), shrU, i32c(1), add, set(5)),
  block, loop,
  code(get(4), get(5), gtU, brIf(1)),
  // The counter as a big-endian word: all four octets swapped (a frame may be longer than 1 MiB, past 2^16 blocks).
  code(get(2), get(6), get(4), i32c(24), shl, get(4), i32c(0xff00), and, i32c(8), shl, or),
  code(get(4), i32c(8), shrU, i32c(0xff00), and, or, get(4), i32c(24), shrU, or, i32x4replace3, v128store),
  code(get(2), i32c(16), add, set(2), get(4), i32c(1), add, set(4), br(0)),
  end, end,
  code(get(0), i32c(32), add, set(0), br(0)),
  end, end,
);

// copyRuns: params list 0, count 1; local end 2. Each run, three words (source, destination, length), a
// memory.copy: a packed kernel's layout, where a JavaScript copy loop cost more than the frame's GHASH at 64 octets.
const COPY_RUNS = body(
  [[1, I32]],
  code(get(0), get(1), i32c(12), mul, add, set(2)),
  block, loop,
  code(get(0), get(2), geU, brIf(1)),
  code(get(0), i32load(4), get(0), i32load(0), get(0), i32load(8), memoryCopy),
  code(get(0), i32c(12), add, set(0), br(0)),
  end, end,
);

const MODULE_BYTES = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
  ...section(1, vec(TYPES)),
  ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
  ...section(3, vec([[0], [1], [2], [3], [4], [5], [6]])),
  ...section(7, vec([[...name('sealBurst'), 0x00, 3], [...name('openBurst'), 0x00, 4], [...name('counterBlocks'), 0x00, 5], [...name('copyRuns'), 0x00, 6]])),
  ...section(10, vec([ABSORB, XOR_KS, BE_BITS, SEAL_BURST, OPEN_BURST, COUNTER_BLOCKS, COPY_RUNS])),
]);

interface Exports {
  sealBurst(tbl: number, desc: number, count: number, base: number, ks: number): void;
  openBurst(tbl: number, desc: number, count: number, base: number, ks: number, results: number): number;
  counterBlocks(desc: number, count: number, out: number): void;
  copyRuns(list: number, count: number): void;
}

/** The WebAssembly API used here: tsconfig's libraries declare none, and under `node --jitless` it is absent. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  readonly Memory: new (descriptor: { initial: number }) => WasmMemory;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** A block cipher that encrypts many blocks a call (AES-ECB): given the counter blocks, it makes the keystream. */
export interface EcbBlocks {
  /** E_K of each 16-octet block of `blocks`, in a buffer the caller reads before the next call. */
  ecbBlocks(blocks: Uint8Array): Uint8Array;
}

/**
 * How a burst's keystream reaches the work area: words already made, written in place frame by frame, or
 * the counter blocks made here and encrypted by the source in one call.
 */
export type BurstKeystream = Uint32Array | ((frame: number, out: Uint32Array, outWord: number) => void) | EcbBlocks;

/** One per thread: the instance, its memory and the table slots in use. */
export class GhashWasm implements WorkArea {
  private static instance: GhashWasm | undefined | null = null;
  static allowed = true;
  /** Table slots a thread's memory holds at most (256 KiB each: 256 MiB). */
  static maxSlots = 1024;
  private readonly memory: WasmMemory;
  private readonly fns: Exports;
  private u8: Uint8Array;
  private u32: Uint32Array;
  private i32: Int32Array;
  private readonly free: number[] = [];
  /** Where an in-place run puts its keystream and descriptors: after the last work area handed out. */
  private scratchAt = 0;
  private slots = 0;

  private constructor(memory: WasmMemory, fns: Exports) {
    this.memory = memory;
    this.fns = fns;
    this.u8 = new Uint8Array(memory.buffer);
    this.u32 = new Uint32Array(memory.buffer);
    this.i32 = new Int32Array(memory.buffer);
  }

  /** This thread's kernel, or undefined where WebAssembly is not available (or not allowed before the first call). */
  static get(): GhashWasm | undefined {
    if (GhashWasm.instance === null) {
      GhashWasm.instance = undefined;
      // The kernel's memory is little-endian and is filled through host-order views: a big-endian host keeps the TypeScript kernel.
      if (wasmApi !== undefined && GhashWasm.allowed && LITTLE_ENDIAN) {
        try {
          const memory = new wasmApi.Memory({ initial: 2 });
          const instance = new wasmApi.Instance(new wasmApi.Module(MODULE_BYTES), { env: { memory } });
          GhashWasm.instance = new GhashWasm(memory, instance.exports as Exports);
          new Uint8Array(memory.buffer).fill(0xff, MASKS, MASKS + 16);
        } catch {
          // Compiling WebAssembly can be forbidden (a content security policy): the TypeScript kernel stays.
        }
      }
    }
    return GhashWasm.instance;
  }

  /**
   * Builds the tables of H, H^2, H^3 and H^4 for hash subkey `h` in a free slot; returns the slot's address,
   * or undefined when `maxSlots` are in use or the memory cannot grow (contexts never wiped, whose slots only
   * their finalizer frees): that context then hashes in TypeScript, as where there is no WebAssembly.
   */
  addTable(h: Uint8Array): number | undefined {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.slots >= GhashWasm.maxSlots) return undefined;
      slot = TABLES + SLOT * this.slots;
      try {
        this.reserve(slot + SLOT);
      } catch {
        return undefined;
      }
      this.slots++;
    }
    let power = h;
    for (let k = 1; k <= WAYS; k++) {
      if (k > 1) {
        const next = gfMul(power, h);
        if (power !== h) power.fill(0);
        power = next;
      }
      ghashTableInto(power, this.u32, (slot + (k - 1) * TABLE) >>> 2);
    }
    if (power !== h) power.fill(0);
    return slot;
  }

  area(octets: number, scratch: number): number {
    const at = TABLES + SLOT * this.slots;
    this.reserve(at + octets + scratch);
    this.scratchAt = (at + octets + 15) & ~15;
    return at;
  }

  get bytes(): Uint8Array {
    return this.u8;
  }

  copyRuns(runs: Uint32Array, count: number, at: number): void {
    this.u32.set(runs.subarray(0, 3 * count), at >>> 2);
    this.fns.copyRuns(at, count);
  }

  /** Zeroes a slot and makes it free. */
  removeTable(slot: number): void {
    this.u8.fill(0, slot, slot + SLOT);
    this.free.push(slot);
  }

  /**
   * Seals or opens frames first .. first + count - 1 of `burst` with the table at `slot`: the octets they
   * span and their descriptors are copied into the work area, processed there, and copied back (for open,
   * the results too); frames already in this memory (a packed kernel's work area) are processed in place,
   * with the keystream and descriptors after them. `keystream` gives each frame's E_K(J0) and data keystream,
   * back to back: written per frame, copied, or made here as counter blocks the source's bulk cipher
   * encrypts in place (EcbBlocks). Returns how many frames verified (open).
   */
  run(slot: number, burst: BurstBuffers, first: number, count: number, keystream: BurstKeystream, blocks: number, open: boolean): number {
    if (count === 0) return 0;
    const { data, desc, results } = burst;
    let lo = data.length, hi = 0;
    for (let i = first; i < first + count; i++) {
      const d = i * DESC_WORDS;
      lo = Math.min(lo, desc[d]!, desc[d + 2]!, desc[d + 4]!);
      hi = Math.max(hi, desc[d]! + desc[d + 1]!, desc[d + 2]! + desc[d + 3]!, desc[d + 4]! + 16);
    }
    // Work area: keystream, descriptors, results, then the frames' octets, each 16-aligned; in place, the
    // frames first (where the caller laid them out), the rest after them and after the caller's area.
    const inPlace = data.buffer === this.memory.buffer;
    const base = inPlace ? data.byteOffset : 0;
    const ks = inPlace ? Math.max(this.scratchAt, (base + hi + 15) & ~15) : TABLES + SLOT * this.slots;
    const descAt = ks + blocks * 16;
    const res = descAt + count * DESC_WORDS * 4;
    const dataAt = inPlace ? base + lo : (res + count + 15) & ~15;
    // A final partial block is read as 16 octets: 15 may lie past the data.
    this.reserve(inPlace ? res + count + 16 : dataAt + (hi - lo) + 16);
    const { u8, u32 } = this;
    this.i32.set(desc.subarray(first * DESC_WORDS, (first + count) * DESC_WORDS), descAt >>> 2);
    let verified = 0;
    try {
      if (typeof keystream === 'function') {
        for (let i = 0, w = ks >>> 2; i < count; i++) {
          keystream(first + i, u32, w);
          w += 4 * (1 + ((desc[(first + i) * DESC_WORDS + 3]! + 15) >>> 4));
        }
      } else if (keystream instanceof Uint32Array) {
        u32.set(keystream.subarray(0, blocks * 4), ks >>> 2);
      } else {
        this.fns.counterBlocks(descAt, count, ks);
        const made = keystream.ecbBlocks(u8.subarray(ks, descAt));
        u8.set(made, ks);
        made.fill(0);
      }
      if (!inPlace) u8.set(data.subarray(lo, hi), dataAt);
      if (open) {
        verified = this.fns.openBurst(slot, descAt, count, dataAt - lo, ks, res);
        results.set(u8.subarray(res, res + count), first);
      } else {
        this.fns.sealBurst(slot, descAt, count, dataAt - lo, ks);
      }
      if (!inPlace) data.set(u8.subarray(dataAt, dataAt + (hi - lo)), lo);
    } finally {
      // Keystream is key material: it does not outlive the call (nor does the source's copy of it).
      u8.fill(0, ks, descAt);
    }
    return verified;
  }

  /** Grows the memory to at least `bytes`; views are remade (growing detaches the old buffer). */
  private reserve(bytes: number): void {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / PAGE));
    this.u8 = new Uint8Array(this.memory.buffer);
    this.u32 = new Uint32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
  }
}
