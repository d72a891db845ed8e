/** `macsec-sim/mka` for the pages until the package's browser-safe entry lands (see vite.config.ts). */
export { decodeMkpdu, ParameterSetType, type Mkpdu } from '../../src/mka/mkpdu.js';
export { deriveIck, deriveKek, unwrapSak } from '../../src/mka/keys.js';
export type { KayEvent } from '../../src/mka/kay.js';
