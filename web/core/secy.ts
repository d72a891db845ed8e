/** `macsec-sim/secy` for the pages until the package's browser-safe entry lands (see vite.config.ts). */
export { SecY, VALIDATE_FRAMES, DEFAULT_REKEY_THRESHOLD, DEFAULT_REKEY_THRESHOLD_XPN, type ValidateFrames, type ReceiveOutcome } from '../../src/secy/index.js';
