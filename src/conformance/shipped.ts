/**
 * The vector files this package ships, as data (no file system needed): IEEE 802.1AE Annex C's 32 frames
 * (vectors/*.json) and the MKA key and MKPDU vectors (vectors/mka/*.json), in the order `macsec vectors`
 * runs them. Give any of them to `runVectors`.
 */
import gcmAes128 from '../../vectors/gcm-aes-128.json' with { type: 'json' };
import gcmAes256 from '../../vectors/gcm-aes-256.json' with { type: 'json' };
import gcmAesXpn128 from '../../vectors/gcm-aes-xpn-128.json' with { type: 'json' };
import gcmAesXpn256 from '../../vectors/gcm-aes-xpn-256.json' with { type: 'json' };
import mka from '../../vectors/mka/vectors.json' with { type: 'json' };

export interface ShippedVectorFile {
  /** The file's path under vectors/. */
  readonly file: string;
  /** Its parsed contents. */
  readonly data: unknown;
}

/** One frame of an Annex C vector file, as the JSON has it (octets in hex). */
export interface AnnexCEntry {
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

/** IEEE 802.1AE Annex C, one file per cipher suite. */
export const ANNEX_C_VECTORS: readonly ShippedVectorFile[] = [
  { file: 'gcm-aes-128.json', data: gcmAes128 },
  { file: 'gcm-aes-256.json', data: gcmAes256 },
  { file: 'gcm-aes-xpn-128.json', data: gcmAesXpn128 },
  { file: 'gcm-aes-xpn-256.json', data: gcmAesXpn256 },
];

/** IEEE 802.1X MKA: key hierarchy, key wrap and MKPDU vectors. */
export const MKA_VECTORS: readonly ShippedVectorFile[] = [{ file: 'mka/vectors.json', data: mka }];

/** Every shipped vector file, Annex C first. */
export const SHIPPED_VECTORS: readonly ShippedVectorFile[] = [...ANNEX_C_VECTORS, ...MKA_VECTORS];

/** Every Annex C frame, in the order `macsec vectors` runs them. */
export const ANNEX_C_ENTRIES: readonly AnnexCEntry[] = [...gcmAes128, ...gcmAes256, ...gcmAesXpn128, ...gcmAesXpn256];
