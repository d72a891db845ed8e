/** `macsec-sim/config`: SA files decoded from objects, and SecYs built from them. */
export { decodeSaFile, type SaFile, type ChannelSpec, type SaSpec, type Direction } from '../config/sa-file.js';
export { transmitSecY, receiveSecY, type TransmitSecYOptions, type ReceiveSecYOptions } from '../config/secy-builder.js';
