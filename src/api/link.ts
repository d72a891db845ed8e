/** `macsec-sim/link`: two SecYs on a simulated link; scenarios given as objects, the built-in ones as data. */
export { simulate, simulationSteps, PORT_MAC, type SimulateOptions, type SimulationResult, type SimEvent, type PortView } from '../link/simulate.js';
export { decodeScenario, type Scenario, type ActorSpec } from '../link/scenario.js';
export { BUILTIN_SCENARIOS, builtinScenario, type BuiltinScenario } from '../link/builtin.js';
export { formatDuration, parseDuration } from '../link/clock.js';
export type { Side } from '../link/actors.js';
export { renderResult } from '../link/report.js';
