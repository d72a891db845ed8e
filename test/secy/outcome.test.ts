/**
 * Which frames a packed outcome code lets through, as the capture runs and the link model read it
 * (PACKED_DELIVERED, PACKED_SENT): stated here from 802.1AE, not from the tables' own lists.
 */
import { describe, expect, it } from 'vitest';
import { PACKED_CODE_NAMES, PackedCode } from '../../src/crypto/packed.js';
import { PACKED_DELIVERED, PACKED_SENT } from '../../src/secy/outcome.js';

// 10.6.5: validated frames (OK, Delayed, Unchecked, and Invalid with validateFrames Check) go to the
// Controlled Port; 10.6.1: untagged frames and frames of an unknown SC or unused SA do where validateFrames
// is not Strict (their counters only count such deliveries). Every other receive counter is a drop.
const DELIVERED = ['InPktsOK', 'InPktsDelayed', 'InPktsUnchecked', 'InPktsInvalid', 'InPktsUntagged', 'InPktsUnknownSCI', 'InPktsUnusedSA'];
// 10.5: protected (integrity only or encrypted) frames go on the wire, and with protectFrames off the frame as it is.
const SENT = ['OutPktsProtected', 'OutPktsEncrypted', 'OutPktsUntagged'];

describe('packed codes that let a frame through', () => {
  it('every code: delivered to the Controlled Port exactly for the counters 10.6 delivers under; sent exactly for those 10.5 sends under', () => {
    for (const [name, code] of Object.entries(PackedCode)) {
      expect([name, PACKED_DELIVERED[code]], name).toEqual([name, DELIVERED.includes(name) ? 1 : 0]);
      expect([name, PACKED_SENT[code]], name).toEqual([name, SENT.includes(name) ? 1 : 0]);
    }
    // The uncontrolled-only frames (E=1, C=0, 9.5) and the general path's None are neither.
    expect([PACKED_DELIVERED[PackedCode.SimInPktsUncontrolled], PACKED_DELIVERED[PackedCode.None], PACKED_SENT[PackedCode.None]]).toEqual([0, 0, 0]);
    expect(PACKED_DELIVERED.length).toBe(PACKED_CODE_NAMES.length);
  });
});
