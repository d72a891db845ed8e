/** `macsec-sim/link`: two SecYs on a simulated link; scenarios given as objects, the built-in ones as data. */
export { simulate, simulationSteps, type SimulateOptions, type SimulationResult } from '../link/simulate.js';
export { decodeScenario, type Scenario } from '../link/scenario.js';
export { BUILTIN_SCENARIOS, builtinScenario, type BuiltinScenario } from '../link/builtin.js';
export { renderResult } from '../link/report.js';
