/** `macsec-sim/link` for the pages until the package's browser-safe entry lands (see vite.config.ts). */
export { simulate, PORT_MAC, type SimEvent, type PortView, type SimulationResult, type SimulateOptions } from '../../src/link/simulate.js';
export { decodeScenario, type Scenario, type ActorSpec } from '../../src/link/scenario.js';
export { formatDuration, parseDuration } from '../../src/link/clock.js';
export type { Side } from '../../src/link/actors.js';
export type { SecYCounters } from '../../src/secy/counters.js';
export { ConfigError } from '../../src/util/errors.js';
