/** The Annex C vectors as data (vectors/*.json), for the pages' defaults. */
import gcm128 from '../../../vectors/gcm-aes-128.json';
import gcm256 from '../../../vectors/gcm-aes-256.json';
import xpn128 from '../../../vectors/gcm-aes-xpn-128.json';
import xpn256 from '../../../vectors/gcm-aes-xpn-256.json';

export interface VectorJson {
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

export const ANNEX_C: readonly VectorJson[] = [...gcm128, ...gcm256, ...xpn128, ...xpn256];
