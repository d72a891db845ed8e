/** `macsec-sim/conformance`: running test vectors given as data, and the shipped vector files as data. */
export { runVectors, VectorFileError, type VectorReport, type VectorResult, type VectorStatus } from '../conformance/vectors.js';
export { ANNEX_C_ENTRIES, ANNEX_C_VECTORS, MKA_VECTORS, SHIPPED_VECTORS, type AnnexCEntry, type ShippedVectorFile } from '../conformance/shipped.js';
