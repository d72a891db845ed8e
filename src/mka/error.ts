/**
 * Why an MKPDU (or a wrapped key) was rejected. Parsers return these inside an `MkaResult` instead of
 * throwing, so a hostile frame never escapes as an exception. Validation steps follow 802.1X-2010 11.11.2.
 */
export type MkaErrorCode =
  | 'TRUNCATED' // fewer octets than the headers or the EAPOL Packet Body Length need
  | 'NOT_MKPDU' // EtherType not 0x888E, or EAPOL Packet Type not 5 (EAPOL-MKA, Table 11-3)
  | 'BAD_VERSION' // EAPOL Protocol Version or MKA Version 0
  | 'BAD_DESTINATION' // DA is an individual address (11.11.2 a)
  | 'BAD_LENGTH' // a length field inconsistent with the MKPDU or with its parameter set type (11.11.2 b-d)
  | 'UNKNOWN_CKN' // no ICK for this CKN: not a member of that CA (11.11.2 f)
  | 'BAD_ALGORITHM' // Algorithm Agility other than 00-80-C2-01 (11.11.2 g)
  | 'BAD_ICV' // the ICV does not verify (11.11.2 f)
  | 'UNWRAP_FAILED'; // AES Key Unwrap integrity check failed (RFC 3394 2.2.3): wrong KEK or a damaged wrap

export class MkaError extends Error {
  override readonly name = 'MkaError';
  constructor(
    readonly code: MkaErrorCode,
    /** The field at fault, as the standard names it. */
    readonly field: string,
    /** Octet offset of that field in the frame (0 when the input is not a frame). */
    readonly offset: number,
    detail: string,
  ) {
    super(`${code}: ${field} at offset ${offset}: ${detail}`);
  }
}

export type MkaResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: MkaError };

export const ok = <T>(value: T): MkaResult<T> => ({ ok: true, value });
export const fail = <T>(code: MkaErrorCode, field: string, offset: number, detail: string): MkaResult<T> => ({
  ok: false,
  error: new MkaError(code, field, offset, detail),
});
