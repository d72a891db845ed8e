/**
 * macsec-sim as a library: the browser-safe core, every layer of IEEE 802.1AE (no Node module reachable).
 * Each part is also its own entry: macsec-sim/wire, /crypto, /secy, /mka, /link, /explain, /config,
 * /conformance. What needs Node (the node and native backends, worker threads, files) is macsec-sim/node.
 */
export * from './api/wire.js';
export * from './api/crypto.js';
export * from './api/secy.js';
export * from './api/mka.js';
export * from './api/link.js';
export * from './api/explain.js';
export * from './api/config.js';
export * from './api/conformance.js';
