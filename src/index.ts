/**
 * macsec-sim as a library: the layers of IEEE 802.1AE, each usable alone.
 *
 *   wire     bytes <-> typed frames (clause 9)        crypto   cipher suites and backends (clause 14)
 *   secy     the SecY state machine (clause 10)       capture  pcap / pcapng
 *   link     the simulated link and scenarios         mka      IEEE 802.1X key agreement
 */
export * from './wire/error.js';
export * from './wire/ethernet.js';
export * from './wire/frame.js';
export * from './wire/mac.js';
export * from './wire/sci.js';
export * from './wire/sectag.js';

export * from './crypto/suite.js';
export * from './crypto/backend.js';
export { SaContext, type SaKey } from './crypto/sa.js';
export { protect, validate, checkProtectOptions, type ProtectOptions, type ValidateOptions } from './crypto/macsec.js';
export { gcmTrace, type GcmTrace, type TraceInput, type CounterStep, type GhashStep, type IvOctetSource } from './crypto/trace.js';

export * from './secy/index.js';
export * as capture from './capture/index.js';
export * as mka from './mka/index.js';

export { decodeSaFile, loadSaFile, type SaFile, type ChannelSpec, type SaSpec } from './config/sa-file.js';
export { decodeScenario, loadScenarioFile, builtinScenarios, type Scenario } from './link/scenario.js';
export { simulate, simulationSteps, type SimulationResult, type SimulateOptions, type SimEvent, type PortView } from './link/simulate.js';
export { explainFrame } from './explain/explain.js';
export { renderTree, type ExplainNode } from './explain/tree.js';
export { loadVectorFile, runVector, type MacsecVector, type VectorResult } from './conformance/vectors.js';
export { ConfigError } from './util/errors.js';
export { fromHex, toHex, HexError } from './util/hex.js';
