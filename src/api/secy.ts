/** `macsec-sim/secy`: the SecY (IEEE 802.1AE clause 10) with its controls (10.7), operations and counters. */
export {
  SecY,
  type PNExhaustedEvent,
  type PersistNeededEvent,
  type ReceiveSAParams,
  type ReceiveSAState,
  type RekeyNeededEvent,
  type SecYEvents,
  type SecYListener,
  type TransmitSAParams,
  type TransmitSAState,
} from '../secy/secy.js';
export {
  DEFAULT_MAX_FRAME_SIZE,
  DEFAULT_REKEY_THRESHOLD,
  DEFAULT_REKEY_THRESHOLD_XPN,
  VALIDATE_FRAMES,
  type SciInput,
  type SecYControls,
  type SecYOptions,
  type ValidateFrames,
} from '../secy/controls.js';
export {
  SECY_COUNTERS,
  RECEIVE_SA_COUNTERS,
  RECEIVE_SC_COUNTERS,
  TRANSMIT_SA_COUNTERS,
  TRANSMIT_SC_COUNTERS,
  type SecYCounters,
  type SecYCountersView,
  type ReceiveSACounters,
  type ReceiveSCCounters,
  type TransmitSACounters,
  type TransmitSCCounters,
  type FormatOptions,
} from '../secy/counters.js';
export { isDelivered, type ReceiveOutcome, type ReceiveDelivered, type ReceiveDropped, type ReceiveUncontrolled, type TransmitOutcome, type TransmitSent, type TransmitDropped } from '../secy/outcome.js';
export { DEFAULT_PN_HEADROOM, type RestoreResult, type SnapshotOptions, type TransmitSnapshot, type TransmitSASnapshot } from '../secy/snapshot.js';
