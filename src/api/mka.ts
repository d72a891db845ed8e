/** `macsec-sim/mka`: IEEE 802.1X MKA: the KaY, the MKPDU codec and the key hierarchy. */
export { KaY, type KayOptions, type KaySecY, type KayEvent, type KayEventKind, type KayStatus, type KayCounters, type KayReceiveResult, type NoPeerPolicy } from '../mka/kay.js';
export { parseMkpdu, decodeMkpdu, emitMkpdu, PAE_GROUP_ADDRESS, ParameterSetType, type Mkpdu, type MkpduRepr, type IckLookup } from '../mka/mkpdu.js';
export { deriveCak, deriveCkn, deriveCakKeys, deriveSak, deriveIck, deriveKek, wrapSak, unwrapSak, ickLookup, type CakKeys, type CakLength, type SakLength } from '../mka/keys.js';
export { MkaError, type MkaErrorCode, type MkaResult } from '../mka/error.js';
