/** `macsec-sim/explain`: a frame taken apart field by field, with what each rule of the standard says. */
export { explainFrame, type ExplainOptions, type KeyResolver, type ResolvedKey } from '../explain/explain.js';
export { renderTree, type ExplainNode } from '../explain/tree.js';
export { TRACE_STEPS, ivSourceText, renderSteps, traceJson, traceReceived, type TraceStep } from '../explain/steps.js';
