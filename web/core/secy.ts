/** `macsec-sim/secy` for the pages until the package's browser-safe entry lands (see vite.config.ts). */
export { SecY, VALIDATE_FRAMES, type ValidateFrames, type ReceiveOutcome } from '../../src/secy/index.js';
