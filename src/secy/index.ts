/** The SecY (IEEE 802.1AE clause 10): state, secure frame generation and verification, statistics. */
export {
  SecY,
  findSecTag,
  type PNExhaustedEvent,
  type PersistNeededEvent,
  type ReceiveSAParams,
  type ReceiveSAState,
  type RekeyNeededEvent,
  type SecYEvents,
  type SecYListener,
  type TransmitSAParams,
  type TransmitSAState,
} from './secy.js';
export {
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_REKEY_THRESHOLD,
  DEFAULT_REKEY_THRESHOLD_XPN,
  VALIDATE_FRAMES,
  type SciInput,
  type SecYControls,
  type SecYOptions,
  type ValidateFrames,
} from './controls.js';
export * from './counters.js';
export * from './outcome.js';
export { maxReplayWindow, recoverPNHigh, advanceReplay, isLate, type ReplayState } from './replay.js';
export { ReceiveSA, TransmitSA } from './sa.js';
export { ReceiveSC, TransmitSC } from './sc.js';
export {
  DEFAULT_PN_HEADROOM,
  SNAPSHOT_FORMAT,
  decodeTransmitSnapshot,
  type RestoreResult,
  type SnapshotOptions,
  type TransmitSASnapshot,
  type TransmitSnapshot,
} from './snapshot.js';
