/**
 * Layering and import circles, checked by `npm run lint` (dependency-cruiser). A folder of src/ imports only
 * folders of a lower rank (and itself); folders of one rank do not import each other:
 *
 *   10 cli                      yargs commands (and capture-stream.ts, a capture command's streamed run)
 *    9 api (and src/index.ts)   the entry points: macsec-sim, macsec-sim/<part>, macsec-sim/node
 *    8 runs, bench, fuzz        a command's work: runs over captures (MKA-keyed: mka-*.ts), generate-run and
 *                               compare, the teach server, throughput, the fuzz harness
 *    7 interop                  Wireshark's key table (from SA files)
 *    6 config                   SA files, SecYs built from them, key resolvers for explain, snapshot files
 *    5 explain, link, conformance   explain/steps.ts (the GCM walk-through), link/histogram.ts,
 *                               conformance/generate.ts (cases for a device): browser-safe, no files
 *    4 mka                      802.1X: drives a SecY
 *    3 secy                     802.1AE clause 10
 *    2 crypto                   clause 14 (and trace.ts, every GCM value of one frame)
 *    1 wire, capture            clause 9 frames; pcap/pcapng (which know no MACsec; stream.ts and window.ts
 *                               read a capture as it comes)
 *    0 util
 */
const RANKS = {
  util: 0,
  wire: 1,
  capture: 1,
  crypto: 2,
  secy: 3,
  mka: 4,
  explain: 5,
  link: 5,
  conformance: 5,
  config: 6,
  interop: 7,
  runs: 8,
  bench: 8,
  fuzz: 8,
  api: 9,
  cli: 10,
};
const folders = Object.keys(RANKS);

const layering = folders.map((from) => {
  const notBelow = folders.filter((to) => to !== from && RANKS[to] >= RANKS[from]);
  return {
    name: `layers-${from}`,
    comment: `src/${from} (rank ${RANKS[from]}) imports only lower layers: not ${notBelow.join(', ')}`,
    severity: 'error',
    from: { path: `^src/${from}/` },
    to: { path: `^src/(${[...notBelow, 'index\\.ts$'].join('|')})` },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'Import circles are errors: a module cannot be understood (or loaded) before the ones it needs.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'src-folders-known',
      comment: 'Every folder of src/ has a rank (see the table above).',
      severity: 'error',
      from: { path: '^src/', pathNot: `^src/(${folders.join('|')})/|^src/index\\.ts$` },
      to: {},
    },
    ...layering,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
