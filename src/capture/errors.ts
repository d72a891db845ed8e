/**
 * Why a capture file could not be read. Every reader failure is one of these (never a
 * RangeError from a DataView), so a corrupt or hostile file cannot escape as a crash.
 */
export type CaptureErrorCode =
  | 'BAD_MAGIC' // neither pcap nor pcapng, or a bad pcapng byte-order magic
  | 'VERSION' // a format version this reader does not know (pcap 2.x, pcapng 1.x only)
  | 'TRUNCATED' // the file ends inside a header, record or block
  | 'BAD_BLOCK' // a pcapng block inconsistent with itself (lengths, options, interface ids)
  | 'LINKTYPE' // a packet whose link type is not Ethernet
  | 'TOO_LARGE' // a record over the size limit
  | 'FCS'; // fcsMode 'present' but a frame too short to hold an Ethernet header and FCS

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
  constructor(
    readonly code: CaptureErrorCode,
    /** The file read, when the caller named it. */
    readonly file: string | undefined,
    /** Octet offset in the file of the header, record or block at fault. */
    readonly offset: number,
    /** What went wrong; states the offset, so the message stands alone. */
    detail: string,
  ) {
    super(`${file ?? '<capture>'}: ${detail}`);
  }
}

/** `truncated <what> at offset N (needs X octets, Y left)`, the wording all readers share. */
export function truncated(file: string | undefined, what: string, offset: number, needs: number, left: number): CaptureError {
  return new CaptureError('TRUNCATED', file, offset, `truncated ${what} at offset ${offset} (needs ${needs} octets, ${left} left)`);
}
