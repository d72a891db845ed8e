/** The throughput benchmark: `runBench` measures, `renderTable` and `renderSvg` present, the report is JSON. */
export { averageFrameOctets, IMIX_SIZES, IMIX_WEIGHTS, type BenchMethod, type BenchMode, type BenchSize, type CaseSpec } from './cases.js';
export { frameGbps, LINK_RATES_GBPS, lineRateFps, lineRateFractions, wireOctets, type LinkRate } from './line-rate.js';
export { machineInfo, type MachineInfo } from './machine.js';
export { renderSvg, renderTable } from './render.js';
export { BENCH_MODES, checkTargets, DEFAULT_SIZES, runBench, type BenchOptions, type BenchReport, type BenchResult, type TargetCheck } from './runner.js';
