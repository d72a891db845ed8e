/**
 * `macsec-sim/crypto`: the cipher suites (IEEE 802.1AE clause 14), an SA's key context, protect/validate of
 * one frame or a burst, and the backend registry. The core knows `noble`; `useNodeBackends()` from
 * `macsec-sim/node` adds `node` and `native`.
 */
export { CIPHER_SUITES, CIPHER_SUITE_NAMES, CONFIDENTIALITY_OFFSETS, cipherSuite, type CipherSuite, type CipherSuiteName, type ConfidentialityOffset } from '../crypto/suite.js';
export { SaContext, type SaKey } from '../crypto/sa.js';
export { protect, validate, transmitTci, type ProtectOptions, type ValidateOptions } from '../crypto/macsec.js';
export { protectBurst, validateBurst, type BurstProtectOptions, type BurstValidateOptions, type BurstLayout } from '../crypto/burst.js';
export { availableBackends, backendNames, DEFAULT_BACKEND, type BackendAvailability, type BackendName } from '../crypto/backend.js';
export { PackedCode, PACKED_CODE_NAMES, PACKED_ROOM, packedOutcomes, protectPacked, validatePacked, type PackedOutcomes, type PackedReasons, type PackedProtectOptions, type PackedValidateOptions, type PackedTransmitControl, type PackedReceiveControl } from '../crypto/packed.js';
export { gcmTrace, type GcmTrace, type TraceInput, type CounterStep, type GhashStep, type IvOctetSource } from '../crypto/trace.js';
