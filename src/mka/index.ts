/** MKA (IEEE 802.1X-2010/2020 clause 9 and 11): key hierarchy, MKPDU codec, test-vector runner and the KaY. */
export { MkaError, type MkaErrorCode, type MkaResult } from './error.js';
export { aesCmac, BLOCK_LENGTH, kdf, Label } from './kdf.js';
export * from './keys.js';
export * from './mkpdu.js';
export * from './vectors.js';
export * from './kay.js';
