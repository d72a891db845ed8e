/**
 * MACsec test vectors (IEEE 802.1AE Annex C, and frames captured elsewhere in the same schema): decoding
 * parsed vector data with errors that name the source, the vector and the field, and running each in both
 * directions. Reading vector files is Node's (conformance/files.ts); this module takes data.
 */
import { checkBackendName, DEFAULT_BACKEND, type BackendName } from '../crypto/backend.js';
import { protect, transmitTci, validate, type BurstProtectOptions } from '../crypto/macsec.js';
import { SaContext } from '../crypto/sa.js';
import { cipherSuite, CONFIDENTIALITY_OFFSETS, type CipherSuite, type ConfidentialityOffset } from '../crypto/suite.js';
import { isMkaVector, runMkaVector, type MkaVector } from '../mka/vectors.js';
import { ConfigError } from '../util/errors.js';
import { fromHex, HexError, toHex, equalBytes } from '../util/hex.js';
import { parseMacsecFrame } from '../wire/frame.js';
import { ICV_LENGTH, SCI_LENGTH, TCI_E, TCI_ES, TCI_SC, TCI_SCB, shortLength, type SecTag } from '../wire/sectag.js';
import { implicitSci } from '../wire/sci.js';

export interface MacsecVector {
  readonly name: string;
  readonly suite: CipherSuite;
  readonly key: Uint8Array;
  readonly sci: Uint8Array;
  readonly an: number;
  readonly pn: bigint;
  readonly ssci: Uint8Array | undefined;
  readonly salt: Uint8Array | undefined;
  /** The TCI/AN octet as in the protected frame. */
  readonly tci: number;
  readonly sl: number;
  readonly confidentiality: boolean;
  readonly confidentialityOffset: ConfidentialityOffset;
  readonly clearTags: number;
  readonly unprotectedFrame: Uint8Array;
  readonly protectedFrame: Uint8Array;
  readonly icv: Uint8Array;
}

/**
 * Vector data that cannot be used: names the source (a file, or `vectors` for data given directly), the
 * vector (its name, else `#n`) and the field. A ConfigError, so the CLI turns it into exit 2.
 */
export class VectorFileError extends ConfigError {
  override readonly name: string = 'VectorFileError';
  constructor(
    readonly file: string,
    readonly vector: string | undefined,
    field: string | undefined,
    readonly detail: string,
  ) {
    const where = `${file}${vector !== undefined ? `: vector ${vector}` : ''}${field !== undefined ? `: ${field}` : ''}`;
    super(where, 'a usable vector', detail, `${where}: ${detail}`);
  }
}

type Json = Record<string, unknown>;

/** The entries of parsed vector data: an array, or an object holding one under `vectors` or `cases`. */
export function vectorEntries(file: string, doc: unknown): Json[] {
  const list = Array.isArray(doc) ? doc : isObject(doc) ? (doc['vectors'] ?? doc['cases']) : undefined;
  if (!Array.isArray(list)) throw new VectorFileError(file, undefined, undefined, 'expected an array of vectors, or an object with "vectors" or "cases"');
  // A file that checks nothing must not read as "0 passed, 0 failed" and exit 0.
  if (list.length === 0) throw new VectorFileError(file, undefined, undefined, 'expected at least one vector, got an empty list');
  return list.map((entry: unknown, i) => {
    if (!isObject(entry)) throw new VectorFileError(file, `#${i + 1}`, undefined, 'not an object');
    return entry;
  });
}

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Decodes one MACsec vector; throws VectorFileError naming the field that is missing or malformed. */
export function decodeVector(file: string, entry: Json, index: number): MacsecVector {
  const name = typeof entry['name'] === 'string' ? entry['name'] : `#${index + 1}`;
  const bad = (field: string, detail: string): never => {
    throw new VectorFileError(file, name, field, detail);
  };
  const str = (field: string): string => {
    const v = entry[field];
    return typeof v === 'string' ? v : bad(field, v === undefined ? 'missing' : `expected a string, got ${typeof v}`);
  };
  const hex = (field: string): Uint8Array => {
    try {
      return fromHex(str(field), field);
    } catch (e) {
      if (e instanceof HexError) bad(field, e.message.replace(`${field}: `, ''));
      throw e;
    }
  };
  const optionalHex = (field: string): Uint8Array | undefined => (entry[field] === undefined || entry[field] === null ? undefined : hex(field));
  const int = (field: string, fallback?: number): number => {
    const v = entry[field] ?? fallback;
    return typeof v === 'number' && Number.isInteger(v) ? v : bad(field, v === undefined ? 'missing' : `expected an integer, got ${JSON.stringify(v)}`);
  };

  const suiteName = str('cipherSuite');
  const suite = cipherSuite(suiteName) ?? bad('cipherSuite', `unknown cipher suite ${JSON.stringify(suiteName)}`);
  const key = hex('key');
  const sci = hex('sci');
  const an = int('an');
  if (an < 0 || an > 3) bad('an', `expected 0-3, got ${an}`);
  const pnText = entry['pn'];
  let pn: bigint;
  if (typeof pnText === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(pnText)) pn = BigInt(pnText);
  else if (typeof pnText === 'number' && Number.isSafeInteger(pnText)) pn = BigInt(pnText);
  else pn = bad('pn', `expected a decimal string, got ${JSON.stringify(pnText)}`);
  const tciText = str('tci');
  if (!/^[0-9a-f]{2}$/i.test(tciText)) bad('tci', `expected one octet in hex, got ${JSON.stringify(tciText)}`);
  const confidentiality = entry['confidentiality'];
  if (typeof confidentiality !== 'boolean') bad('confidentiality', 'expected true or false');
  const offset = int('confidentialityOffset', 0);
  if (!(CONFIDENTIALITY_OFFSETS as readonly number[]).includes(offset)) bad('confidentialityOffset', `expected 0, 30 or 50, got ${offset}`);
  const clearTags = int('clearTags', 0);
  if (clearTags < 0 || clearTags > 2) bad('clearTags', `expected 0, 1 or 2, got ${clearTags}`);
  return {
    name,
    suite,
    key,
    sci,
    an,
    pn,
    ssci: optionalHex('ssci'),
    salt: optionalHex('salt'),
    tci: parseInt(tciText, 16),
    sl: int('sl'),
    confidentiality: confidentiality as boolean,
    confidentialityOffset: offset as ConfidentialityOffset,
    clearTags,
    unprotectedFrame: hex('unprotectedFrame'),
    protectedFrame: hex('protectedFrame'),
    icv: hex('icv'),
  };
}

/** Any vector: a MACsec frame, or (with a `kind`) an MKA key-hierarchy or MKPDU vector. */
export type AnyVector = { readonly type: 'macsec'; readonly vector: MacsecVector } | { readonly type: 'mka'; readonly vector: MkaVector };

/** Every vector parsed vector data holds, decoded; `file` names the source in errors. */
export function decodeVectors(doc: unknown, file: string): AnyVector[] {
  return vectorEntries(file, doc).map((entry, i) =>
    isMkaVector(entry) ? { type: 'mka', vector: entry } : { type: 'macsec', vector: decodeVector(file, entry, i) },
  );
}

/** Runs an MKA vector; it has no backend, so it reports the one it was asked for. */
export function runMka(v: MkaVector, backend: BackendName): VectorResult {
  const r = runMkaVector(v);
  return { name: r.name, backend, status: r.ok ? 'pass' : 'fail', problems: r.ok ? [] : [r.detail] };
}

export type VectorStatus = 'pass' | 'fail' | 'inconsistent';

export interface VectorResult {
  readonly name: string;
  readonly backend: BackendName;
  readonly status: VectorStatus;
  /** What failed, or what in the vector contradicts itself; empty on a pass. */
  readonly problems: readonly string[];
}

/** Where a vector disagrees with itself: such a vector proves nothing and must not pass. */
export function inconsistencies(v: MacsecVector): string[] {
  const p: string[] = [];
  if (v.key.length !== v.suite.keyLength) p.push(`key is ${v.key.length} octets, ${v.suite.name} needs ${v.suite.keyLength}`);
  if (v.sci.length !== SCI_LENGTH) p.push(`sci is ${v.sci.length} octets, not ${SCI_LENGTH}`);
  if (v.suite.xpn && (v.ssci === undefined || v.salt === undefined)) p.push(`${v.suite.name} needs ssci and salt`);
  if (!v.suite.xpn && (v.ssci !== undefined || v.salt !== undefined)) p.push(`ssci/salt given for ${v.suite.name}`);
  if (v.pn > v.suite.maxPN) p.push(`pn ${v.pn} exceeds ${v.suite.name}'s maximum`);
  const e = (v.tci & TCI_E) !== 0;
  if (e !== v.confidentiality) p.push(`tci ${v.tci.toString(16)} says E=${e ? 1 : 0} but confidentiality is ${v.confidentiality}`);
  if ((v.tci & 3) !== v.an) p.push(`tci AN ${v.tci & 3} differs from an ${v.an}`);
  const secTagOffset = 12 + 4 * v.clearTags;
  const f = v.protectedFrame;
  if (f.length < secTagOffset + 8 + ICV_LENGTH) return [...p, 'protectedFrame is too short to hold a SecTAG and an ICV'];
  if (f[secTagOffset + 2] !== v.tci) p.push(`tci ${v.tci.toString(16)} differs from the frame's TCI octet ${f[secTagOffset + 2]!.toString(16)}`);
  if (f[secTagOffset + 3] !== v.sl) p.push(`sl ${v.sl} differs from the frame's SL ${f[secTagOffset + 3]}`);
  const userLength = v.unprotectedFrame.length - 12 - 4 * v.clearTags;
  if (v.sl !== shortLength(userLength)) p.push(`sl ${v.sl} does not fit ${userLength} octets of user data (expected ${shortLength(userLength)})`);
  const pnLow = (f[secTagOffset + 4]! * 2 ** 24 + ((f[secTagOffset + 5]! << 16) | (f[secTagOffset + 6]! << 8) | f[secTagOffset + 7]!));
  if (BigInt(pnLow) !== (v.pn & 0xffff_ffffn)) p.push(`pn ${v.pn} does not match the frame's PN field ${pnLow}`);
  if (!equalBytes(f.subarray(f.length - ICV_LENGTH), v.icv)) p.push('icv differs from the last 16 octets of protectedFrame');
  const implied = (v.tci & TCI_SC) === 0 ? implicitSci(v.unprotectedFrame, { es: (v.tci & TCI_ES) !== 0, scb: (v.tci & TCI_SCB) !== 0 }) : undefined;
  if (implied !== undefined && !equalBytes(v.sci, implied)) p.push(`ES=1, SC=0 but sci is not the source address with port ${v.tci & TCI_SCB ? 0 : 1}`);
  if (v.tci & TCI_SC && !equalBytes(f.subarray(secTagOffset + 8, secTagOffset + 16), v.sci)) p.push("sci differs from the SecTAG's SCI");
  return p;
}

/** The SCI a receiver uses for a frame (10.6.1): the SecTAG's, else the one ES implies, else the one receive SC. */
function receiverSci(v: MacsecVector, frame: Uint8Array, secTag: SecTag): Uint8Array {
  return secTag.sci ?? implicitSci(frame, secTag.tci) ?? v.sci;
}

/** How a transmitter sends the vector's frame: its AN, SCI and TCI bits, mode and offset (the PN aside). */
export function vectorProtectOptions(v: MacsecVector): BurstProtectOptions {
  const bits = { includeSci: (v.tci & TCI_SC) !== 0, endStation: (v.tci & TCI_ES) !== 0, scb: (v.tci & TCI_SCB) !== 0, confidentiality: v.confidentiality };
  return { ...transmitTci(v.an, bits), sci: v.sci, confidentialityOffset: v.confidentialityOffset, clearTags: v.clearTags };
}

/** What `macsec vectors --json` prints: the tally and every result. */
export interface VectorReport {
  readonly passed: number;
  readonly failed: number;
  readonly results: readonly VectorResult[];
}

/** Passed and failed among `results` (an inconsistent vector counts as failed). */
export function tally(results: readonly VectorResult[]): { passed: number; failed: number } {
  const passed = results.filter((r) => r.status === 'pass').length;
  return { passed, failed: results.length - passed };
}

/**
 * Each vector on each backend, in that order; an MKA vector involves no MACsec backend, so it runs once
 * (reported under the first).
 */
export function* vectorResults(vectors: readonly AnyVector[], backends: readonly BackendName[]): Generator<{ readonly vector: AnyVector; readonly result: VectorResult }> {
  for (const v of vectors) {
    for (const backend of v.type === 'mka' ? backends.slice(0, 1) : backends) {
      yield { vector: v, result: v.type === 'mka' ? runMka(v.vector, backend) : runVector(v.vector, backend) };
    }
  }
}

/**
 * Runs parsed vector data (a vector file's contents: an array, or `{vectors}` / `{cases}`; MKA vectors told
 * apart by their `kind`) and returns exactly what `macsec vectors --json` prints for it. Data that is not
 * usable throws a ConfigError naming the entry and the field; `backend` defaults to noble.
 */
export function runVectors(data: unknown, options: { readonly backend?: BackendName } = {}): VectorReport {
  const backend = checkBackendName(options.backend ?? DEFAULT_BACKEND);
  const results = [...vectorResults(decodeVectors(data, 'vectors'), [backend])].map((r) => r.result);
  return { ...tally(results), results };
}

/** Protects, validates, and checks that one flipped bit of the ICV and of the secure data is caught. */
export function runVector(v: MacsecVector, backend: BackendName): VectorResult {
  const result = (status: VectorStatus, problems: string[]): VectorResult => ({ name: v.name, backend, status, problems });
  const bad = inconsistencies(v);
  if (bad.length > 0) return result('inconsistent', bad);
  const problems: string[] = [];
  const sa = new SaContext({ suite: v.suite, key: v.key, ssci: v.ssci, salt: v.salt }, backend);
  try {
    const out = protect(sa, v.unprotectedFrame, { ...vectorProtectOptions(v), pn: v.pn });
    if (!equalBytes(out, v.protectedFrame)) problems.push(`protect: got ${toHex(out)}, expected ${toHex(v.protectedFrame)}`);

    const open = (frame: Uint8Array): Uint8Array | null | string => {
      const parsed = parseMacsecFrame(frame, { clearTags: v.clearTags, allowZeroPN: v.suite.xpn });
      if (!parsed.ok) return parsed.error.message;
      return validate(sa, frame, parsed.value, {
        sci: receiverSci(v, frame, parsed.value.secTag),
        pnHigh: Number(v.pn >> 32n),
        confidentialityOffset: v.confidentialityOffset,
      });
    };
    const plain = open(v.protectedFrame);
    if (typeof plain === 'string') problems.push(`validate: frame rejected: ${plain}`);
    else if (plain === null) problems.push('validate: ICV did not verify');
    else if (!equalBytes(plain, v.unprotectedFrame)) problems.push(`validate: got ${toHex(plain)}, expected ${toHex(v.unprotectedFrame)}`);

    const flip = (offset: number): Uint8Array => {
      const copy = v.protectedFrame.slice();
      copy[offset]! ^= 0x01;
      return copy;
    };
    const icvOffset = v.protectedFrame.length - ICV_LENGTH;
    if (open(flip(icvOffset + 7)) !== null) problems.push('tamper: a flipped ICV bit was not rejected');
    if (open(flip(icvOffset - 1)) !== null) problems.push('tamper: a flipped secure-data bit was not rejected');
  } catch (e) {
    problems.push(`error: ${(e as Error).message}`);
  } finally {
    sa.wipe();
  }
  return result(problems.length === 0 ? 'pass' : 'fail', problems);
}
