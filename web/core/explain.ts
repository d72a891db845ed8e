/** `macsec-sim/explain` for the pages until the package's browser-safe entry lands (see vite.config.ts). */
export { explainFrame, type KeyResolver } from '../../src/explain/explain.js';
export type { ExplainNode } from '../../src/explain/tree.js';
export { TRACE_STEPS, ivSourceText, type TraceStep } from '../../src/explain/steps.js';
