/** Vector files on disk (Node): read, parsed and decoded, errors naming the file first. */
import { readFileSync } from 'node:fs';
import { checkBackendName, DEFAULT_BACKEND, type BackendName } from '../crypto/backend.js';
import { isMkaVector } from '../mka/vectors.js';
import { decodeVector, decodeVectors, tally, vectorEntries, vectorResults, VectorFileError, type AnyVector, type MacsecVector, type VectorReport } from './vectors.js';

function readVectorFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new VectorFileError(file, undefined, undefined, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new VectorFileError(file, undefined, undefined, `not valid JSON (${(e as Error).message})`);
  }
}

/** The MACsec frame vectors of a file (MKA vectors in it are left out). */
export function loadVectorFile(file: string): MacsecVector[] {
  return vectorEntries(file, readVectorFile(file)).flatMap((entry, i) => (isMkaVector(entry) ? [] : [decodeVector(file, entry, i)]));
}

/** Every vector a file holds: MACsec frames, and (with a `kind`) MKA key-hierarchy and MKPDU vectors. */
export function loadAnyVectorFile(file: string): AnyVector[] {
  return decodeVectors(readVectorFile(file), file);
}

/** `runVectors` over a vector file: what `macsec vectors FILE --json` prints; errors name the file. */
export function runVectorFile(file: string, options: { readonly backend?: BackendName } = {}): VectorReport {
  const backend = checkBackendName(options.backend ?? DEFAULT_BACKEND);
  const results = [...vectorResults(loadAnyVectorFile(file), [backend])].map((r) => r.result);
  return { ...tally(results), results };
}
