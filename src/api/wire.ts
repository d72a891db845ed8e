/** `macsec-sim/wire`: bytes <-> typed frames (IEEE 802.1AE clause 9). Bad frames never throw: a `Parsed` says why. */
export { WireError, type WireErrorCode, type Parsed } from '../wire/error.js';
export { EtherType, etherTypeName, parseEthernet, parseVlanTag, MIN_FRAME_LENGTH, type EthernetHeader, type VlanTag } from '../wire/ethernet.js';
export { parseMacsecFrame, MAX_CLEAR_TAGS, type MacsecFrame, type MacsecFrameOptions } from '../wire/frame.js';
export { parseMac, formatMac, isGroupAddress, MAC_LENGTH, type MacAddress } from '../wire/mac.js';
export { makeSci, parseSci, formatSci, implicitSci, END_STATION_PORT, SCB_PORT, type Sci } from '../wire/sci.js';
export {
  parseSecTag,
  emitSecTag,
  secTagLength,
  shortLength,
  TCI_V,
  TCI_ES,
  TCI_SC,
  TCI_SCB,
  TCI_E,
  TCI_C,
  AN_MASK,
  SCI_LENGTH,
  SECTAG_LENGTH,
  ICV_LENGTH,
  type SecTag,
  type SecTagOptions,
  type Tci,
  type AN,
  type TransmitTci,
} from '../wire/sectag.js';
export { packedFrames, type PackedFrames } from '../wire/packed.js';
export { fromHex, toHex, HexError } from '../util/hex.js';
export { ConfigError } from '../util/errors.js';
