/** `macsec-sim/wire` for the pages until the package's browser-safe entry lands (see vite.config.ts). */
export { parseMacsecFrame, type MacsecFrame } from '../../src/wire/frame.js';
export { TCI_V, TCI_ES, TCI_SC, TCI_SCB, TCI_E, TCI_C, AN_MASK, ICV_LENGTH, SCI_LENGTH } from '../../src/wire/sectag.js';
export { ETHERTYPE_OFFSET, VLAN_TAG_LENGTH } from '../../src/wire/ethernet.js';
export { implicitSci } from '../../src/wire/sci.js';
export { fromHex, toHex, HexError } from '../../src/util/hex.js';
