/** `macsec-sim/crypto` for the pages until the package's browser-safe entry lands (see vite.config.ts). */
export { protect, validate, type ProtectOptions } from '../../src/crypto/macsec.js';
export { SaContext, type SaKey } from '../../src/crypto/sa.js';
export { CIPHER_SUITES, CIPHER_SUITE_NAMES, CONFIDENTIALITY_OFFSETS, type CipherSuite, type CipherSuiteName, type ConfidentialityOffset } from '../../src/crypto/suite.js';
export { gcmTrace, type GcmTrace, type TraceInput, type IvOctetSource } from '../../src/crypto/trace.js';
