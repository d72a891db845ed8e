/** The shipped Annex C vector files (vectors/*.json) as the tests read them: the raw JSON fields, in hex. */
import { ANNEX_C_VECTORS } from '../../src/conformance/shipped.js';

export interface AnnexCVector {
  readonly name: string;
  readonly cipherSuite: string;
  readonly key: string;
  readonly sci: string;
  readonly an: number;
  readonly pn: string;
  readonly ssci?: string;
  readonly salt?: string;
  readonly tci: string;
  readonly confidentiality: boolean;
  readonly unprotectedFrame: string;
  readonly protectedFrame: string;
  readonly icv: string;
}

/** Every Annex C frame, in the order `macsec vectors` runs them. */
export const annexCVectors = (): AnnexCVector[] => ANNEX_C_VECTORS.flatMap((f) => f.data as AnnexCVector[]);

/** The vector of `file` (e.g. gcm-aes-128.json) whose name starts with `prefix`. */
export function annexCVector(file: string, prefix: string): AnnexCVector {
  const found = ANNEX_C_VECTORS.find((f) => f.file === file)?.data as AnnexCVector[] | undefined;
  const v = found?.find((x) => x.name.startsWith(prefix));
  if (v === undefined) throw new Error(`no vector ${prefix} in ${file}`);
  return v;
}
