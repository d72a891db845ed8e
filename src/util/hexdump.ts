import { toHex } from './hex.js';

/** Lines of "offset  hex octets  ascii", 16 octets a line, at most `limit` octets. */
export function hexdump(bytes: Uint8Array, baseOffset = 0, limit = 256): string[] {
  const lines: string[] = [];
  const end = Math.min(bytes.length, limit);
  for (let o = 0; o < end; o += 16) {
    const row = bytes.subarray(o, Math.min(o + 16, end));
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${(baseOffset + o).toString(16).padStart(4, '0')}  ${toHex(row, ' ').padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > end) lines.push(`… ${bytes.length - end} more octets`);
  return lines;
}
