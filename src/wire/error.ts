/**
 * Why bytes did not parse as what they claimed to be. Parsers return these (inside a
 * `Parsed` result) instead of throwing, so a hostile frame can never escape as an exception.
 */
export type WireErrorCode =
  | 'TRUNCATED' // fewer octets than the header, SecTAG and ICV need
  | 'NOT_MACSEC' // no SecTAG: the EtherType is not 0x88E5 (802.1AE 9.2)
  | 'VERSION' // V bit set (9.5)
  | 'ES_WITH_SC' // ES and SC both set (9.5)
  | 'SCB_WITH_SC' // SCB and SC both set (9.5)
  | 'SL_RESERVED' // the two high bits of the SL octet set (9.7)
  | 'SL_TOO_LARGE' // SL of 48 or more: such frames must carry SL 0 (9.7)
  | 'SL_MISMATCH' // SL disagrees with the octets present (9.7)
  | 'PN_ZERO' // PN 0 outside the XPN suites (9.8)
  | 'E_WITHOUT_C' // E set with C clear (9.5)
  | 'BAD_VLAN' // a VLAN tag cut short
  | 'BAD_LENGTH'; // a field of the wrong size

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly code: WireErrorCode,
    /** The field at fault, as the standard names it. */
    readonly field: string,
    /** Octet offset of that field in the frame. */
    readonly offset: number,
    detail: string,
  ) {
    super(`${code}: ${field} at offset ${offset}: ${detail}`);
  }
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: WireError };

export const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const fail = <T>(code: WireErrorCode, field: string, offset: number, detail: string): Parsed<T> => ({
  ok: false,
  error: new WireError(code, field, offset, detail),
});
