/** The shipped Annex C vector files (vectors/*.json) as the tests read them: the raw JSON fields, in hex. */
import { ANNEX_C_ENTRIES, ANNEX_C_VECTORS, type AnnexCEntry } from '../../src/conformance/shipped.js';

export type AnnexCVector = AnnexCEntry;

/** Every Annex C frame, in the order `macsec vectors` runs them. */
export const annexCVectors = (): AnnexCVector[] => [...ANNEX_C_ENTRIES];

/** The vector of `file` (e.g. gcm-aes-128.json) whose name starts with `prefix`. */
export function annexCVector(file: string, prefix: string): AnnexCVector {
  const found = ANNEX_C_VECTORS.find((f) => f.file === file)?.data as AnnexCVector[] | undefined;
  const v = found?.find((x) => x.name.startsWith(prefix));
  if (v === undefined) throw new Error(`no vector ${prefix} in ${file}`);
  return v;
}
