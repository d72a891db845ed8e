/** The Wireshark pre-shared key file: exact text, UAT quoting, what is left out and why. */
import { describe, expect, it } from 'vitest';
import { decodeSaFile } from '../../src/config/sa-file.js';
import { CIPHER_SUITES } from '../../src/crypto/suite.js';
import {
  quoteUatString,
  renderWiresharkKeys,
  WIRESHARK_KEYS_HEADER,
  WIRESHARK_PSK_FILE,
  WIRESHARK_PSK_PREFERENCE,
  WIRESHARK_SETUP,
  wiresharkKeyEntries,
} from '../../src/interop/wireshark-keys.js';
import { ConfigError } from '../../src/util/errors.js';
import { fromHex } from '../../src/util/hex.js';

const K128 = fromHex('071b113b0ca743fecccf3d051f737382');
const K256 = fromHex('e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72');
const SCI = fromHex('12153524c0895e81');

/** A data row as uat.c's putfld() writes it: bare lower-case hex, then a quoted string with \xNN escapes. */
const UAT_ROW = /^(?:[0-9a-f]{32}|[0-9a-f]{64}),"(?:[ !#-[\]-~]|\\x[0-9a-f]{2})+"$/;

describe('renderWiresharkKeys', () => {
  it('writes the UAT file Wireshark reads as psk_config_data: comments, then Key,"Info" rows', () => {
    const { text, rows, skipped } = renderWiresharkKeys([
      { key: K128, suite: CIPHER_SUITES['GCM-AES-128'], sci: SCI, an: 2 },
      { key: K256, suite: CIPHER_SUITES['GCM-AES-256'], info: 'lab link, rx' },
    ]);
    expect(text).toBe(
      [
        WIRESHARK_KEYS_HEADER,
        '# Install as psk_config_data in a Wireshark profile directory (Default: ~/.config/wireshark/psk_config_data).',
        '# Plain suites only (GCM-AES-128/256); every row is tried on every MACsec frame whose SCI is known.',
        '#Key,"Info"',
        '071b113b0ca743fecccf3d051f737382,"macsec-sim GCM-AES-128 SCI 12:15:35:24:c0:89/24193 AN 2"',
        'e3c08a8f06c6e3ad95a70557b23f75483ce33021a9c72b7025666204c69c0b72,"lab link, rx"',
        '',
      ].join('\n'),
    );
    expect(rows).toBe(2);
    expect(skipped).toEqual([]);
    expect(WIRESHARK_KEYS_HEADER).toMatch(/^# .*Wireshark MACsec Pre-Shared Key List/);
  });

  it('keeps every line a comment or a well-formed row, in ASCII', () => {
    const { text } = renderWiresharkKeys([
      { key: K128, suite: CIPHER_SUITES['GCM-AES-128'], info: 'quote " backslash \\ newline \n tab \t é' },
      { key: K256, suite: CIPHER_SUITES['GCM-AES-256'], sci: SCI, an: 0 },
    ]);
    expect(text.endsWith('\n')).toBe(true);
    for (const line of text.slice(0, -1).split('\n')) {
      expect(line).toMatch(/^[\x20-\x7e]*$/);
      if (!line.startsWith('#')) expect(line).toMatch(UAT_ROW);
    }
  });

  it('quotes strings the way uat.c does: ", \\ and non-printable octets as \\xNN (UTF-8 octet by octet)', () => {
    expect(quoteUatString('plain text, with comma')).toBe('"plain text, with comma"');
    expect(quoteUatString('a"b\\c')).toBe('"a\\x22b\\x5cc"');
    expect(quoteUatString('line\nnext\ttab\x7f')).toBe('"line\\x0anext\\x09tab\\x7f"');
    expect(quoteUatString('é')).toBe('"\\xc3\\xa9"');
  });

  it('leaves XPN keys out with a note: Wireshark pre-shared keys serve the plain suites only', () => {
    const { text, rows, skipped } = renderWiresharkKeys([
      { key: K128, suite: CIPHER_SUITES['GCM-AES-XPN-128'], sci: SCI, an: 1 },
      { key: K256, suite: CIPHER_SUITES['GCM-AES-XPN-256'] },
      { key: K128, suite: CIPHER_SUITES['GCM-AES-128'] },
    ]);
    expect(rows).toBe(1);
    expect(text).not.toContain('XPN');
    expect(skipped).toHaveLength(2);
    expect(skipped[0]).toMatch(/^GCM-AES-XPN-128 SCI 12:15:35:24:c0:89\/24193 AN 1: not written: .*plain suites only.*SSCI and salt/);
    expect(skipped[1]).toMatch(/^GCM-AES-XPN-256: not written/);
  });

  it('leaves all-zero keys out (Wireshark never tries them) and writes a repeated key once', () => {
    const { text, rows, skipped } = renderWiresharkKeys([
      { key: new Uint8Array(16), suite: CIPHER_SUITES['GCM-AES-128'], an: 0 },
      { key: K128, suite: CIPHER_SUITES['GCM-AES-128'], sci: SCI, an: 0 },
      { key: K128, suite: CIPHER_SUITES['GCM-AES-128'], sci: SCI, an: 1 },
    ]);
    expect(rows).toBe(1);
    expect(text.split('\n').filter((l) => l.startsWith(`071b`))).toHaveLength(1);
    expect(skipped).toEqual([
      'GCM-AES-128 AN 0: not written: Wireshark never tries a key of all zeros',
      'GCM-AES-128 SCI 12:15:35:24:c0:89/24193 AN 1: same key as row 1, written once (Wireshark tries every row on every frame, whatever the SCI and AN)',
    ]);
  });

  it('writes only the header for no keys', () => {
    const { text, rows } = renderWiresharkKeys([]);
    expect(rows).toBe(0);
    expect(text.split('\n').filter((l) => l !== '').every((l) => l.startsWith('#'))).toBe(true);
  });

  it('rejects entries that could never be right', () => {
    const suite = CIPHER_SUITES['GCM-AES-256'];
    expect(() => renderWiresharkKeys([{ key: K128, suite }])).toThrow(ConfigError);
    expect(() => renderWiresharkKeys([{ key: K128, suite }])).toThrow(/entries\[0\]\.key: expected 32 octets for GCM-AES-256, got 16 octets/);
    expect(() => renderWiresharkKeys([{ key: K256, suite, info: '' }])).toThrow(/Missing PSK ID/);
    expect(() => renderWiresharkKeys([{ key: K256, suite, sci: SCI.subarray(0, 6) }])).toThrow(/entries\[0\]\.sci/);
    expect(() => renderWiresharkKeys([{ key: K256, suite, an: 4 }])).toThrow(/entries\[0\]\.an/);
  });

  it('takes its entries from an SA file', () => {
    const file = decodeSaFile({
      cipherSuite: 'GCM-AES-128',
      channels: [
        { sci: '12153524c0895e81', direction: 'transmit', sas: [{ an: 0, key: '071b113b0ca743fecccf3d051f737382' }] },
        { sci: 'f0761e8dcd3d0001', direction: 'receive', sas: [{ an: 3, key: 'ad7a2bd03eac835a6f620fdcb506b345' }] },
      ],
    });
    const { text, rows } = renderWiresharkKeys(wiresharkKeyEntries(file));
    expect(rows).toBe(2);
    expect(text).toContain('071b113b0ca743fecccf3d051f737382,"macsec-sim GCM-AES-128 SCI 12:15:35:24:c0:89/24193 AN 0"\n');
    expect(text).toContain('ad7a2bd03eac835a6f620fdcb506b345,"macsec-sim GCM-AES-128 SCI f0:76:1e:8d:cd:3d/1 AN 3"\n');
  });
});

describe('WIRESHARK_SETUP', () => {
  it('names the file, where it goes, the preference and the fields to check', () => {
    expect(WIRESHARK_PSK_FILE).toBe('psk_config_data');
    expect(WIRESHARK_PSK_PREFERENCE).toBe('macsec.psk_list');
    for (const text of [
      '~/.config/wireshark/psk_config_data',
      '~/.config/wireshark/profiles/NAME/psk_config_data',
      'macsec.psk_list',
      "-o 'uat:psk_config_data:KEYHEX,\"info\"'",
      'macsec.verify_info.psk_name.info',
      '4.6',
    ]) {
      expect(WIRESHARK_SETUP).toContain(text);
    }
    expect(WIRESHARK_SETUP).toMatch(/^[\x20-\x7e\n]*$/);
  });
});
