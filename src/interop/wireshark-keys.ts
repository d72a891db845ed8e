/**
 * SAKs as Wireshark's MACsec "Pre-Shared Key List": the table Wireshark 4.6 and newer use to verify and
 * decrypt MACsec frames without MKA. Wireshark 4.0 (Debian 12) has no such table and no decryption.
 *
 * Everything here follows Wireshark's own source, read in the wireshark/wireshark repository:
 * epan/dissectors/packet-macsec.c at blob commit 05e0907c437d01c78a24810763dd06cd52b95a21 (the
 * development branch), epan/uat.c (uat_save, putfld; a recent copy, 1g4-mirror/wireshark at 0c62b136),
 * epan/uat.h (the UAT_FLD_* macros) and epan/uat_load.l (the reader's lexer). That the
 * table is in 4.6: Wireshark's display filter reference lists macsec.verify_info, which this source
 * registers beside the table, from 4.6.0 on (4.4 had macsec.auth_status instead). The table, in
 * proto_register_macsec():
 *
 *   - `uat_new("Pre-Shared Key List", sizeof(psk_config_t), "psk_config_data", true, ...)`, whose third
 *     and fourth arguments are the filename and "from profile": the file is `psk_config_data` in the
 *     configuration profile directory;
 *   - two columns, in this order: `UAT_FLD_BUFFER(psk_config_data, key, "Key", ...)` (bytes, written as
 *     hex) and `UAT_FLD_CSTRING(psk_config_data, name, "Info", ...)` (a string);
 *   - `prefs_register_uat_preference(module, "psk_list", "Pre-Shared Key List", ...)`: the preference
 *     `macsec.psk_list`; `prefs_register_obsolete_preference(module, "psk")`: an older single-key
 *     preference, no longer used;
 *   - update_psk_config() rejects a row unless the key is PSK128_LEN (16) or PSK256_LEN (32) octets
 *     ("Only AES-128 (16 byte) or AES-256 (32 byte) keys are supported") and the Info is non-empty
 *     ("Missing PSK ID!").
 *
 * The file syntax is the UAT one (epan/uat.c, uat_save() and putfld(); epan/uat_load.l):
 *   - lines starting with `#` are comments (the lexer's `comment #[^\n]*\n` at the start of a line);
 *   - one record per line, fields separated by `,`, the line ended by `\n`;
 *   - a PT_TXTMOD_HEXBYTES field (the key) is written bare, two lower-case hex digits per octet
 *     (`fprintf(fp,"%02x", ...)`, read back by the lexer's `binstring`);
 *   - a string field (the Info) is written in double quotes, with `"`, `\` and every octet that is not
 *     printable ASCII written as `\xNN` (putfld: `c == '"' || c == '\\' || ! g_ascii_isprint(c)`), which
 *     the reader undoes (uat_unesc).
 * uat_save() itself heads the file with comment lines, ending with the column titles (`#Key,"Info"`:
 * hex-bytes titles bare, the others quoted); we write the same column line after our own comments.
 *
 * What the dissector does with the table (dissect_macsec(), attempt_packet_decode_with_psks()):
 * every row is tried on every frame, whatever its SCI or AN; the IV is built as SCI || PN, so only the
 * plain suites can work (its own comment: "Using static SAKs (PSKs) with those suites is not possible"
 * about XPN, whose salt and SSCI it learns only from MKA); the PSKs are tried only when the SCI is known
 * (`if (sci_known)`: SC = 1, or ES = 1 where it takes the source address with port 0x0001, or 0x0000 when
 * SCB is also set); and a key of all zeros is never used (macsec_is_valid_key()).
 */
import type { SaFile } from '../config/sa-file.js';
import type { CipherSuite } from '../crypto/suite.js';
import { ConfigError, describe } from '../util/errors.js';
import { toHex } from '../util/hex.js';
import { formatSci } from '../wire/sci.js';
import { SCI_LENGTH } from '../wire/sectag.js';

/** The table's file name in a Wireshark profile directory (the UAT's filename in packet-macsec.c). */
export const WIRESHARK_PSK_FILE = 'psk_config_data';

/** The preference that holds the table (`prefs_register_uat_preference(module, "psk_list", ...)`). */
export const WIRESHARK_PSK_PREFERENCE = 'macsec.psk_list';

export interface WiresharkKeyEntry {
  /** The SAK. */
  readonly key: Uint8Array;
  readonly suite: CipherSuite;
  /** The SC the SAK belongs to: only for the Info text (Wireshark tries every row on every frame). */
  readonly sci?: Uint8Array | undefined;
  /** The SA's association number, likewise only for the Info text. */
  readonly an?: number | undefined;
  /** The Info column, shown as macsec.verify_info.psk_name.info on frames this key verifies; default names suite, SCI and AN. */
  readonly info?: string | undefined;
}

export interface WiresharkKeys {
  /** The file, ready to be written as `psk_config_data` (ASCII, `\n` line ends). */
  readonly text: string;
  /** Data rows written. */
  readonly rows: number;
  /** One sentence per entry left out (or merged), saying why: for the caller to print. */
  readonly skipped: readonly string[];
}

/** The first line of every file we write: what the file is. */
export const WIRESHARK_KEYS_HEADER =
  '# Wireshark MACsec Pre-Shared Key List (UAT "psk_config_data", Wireshark 4.6 or newer), written by macsec-sim.';

const label = (e: WiresharkKeyEntry): string => {
  const parts: string[] = [e.suite.name];
  if (e.sci !== undefined) parts.push(`SCI ${formatSci(e.sci)}`);
  if (e.an !== undefined) parts.push(`AN ${e.an}`);
  return parts.join(' ');
};

/** The quoted form uat.c's putfld() writes for a string field: `"`, `\` and non-printable octets as \xNN. */
export function quoteUatString(text: string): string {
  // Octets, not UTF-16 units: the UAT file is ASCII and uat_unesc() rebuilds the octets from \xNN.
  const bytes = new TextEncoder().encode(text);
  let out = '"';
  for (const b of bytes) {
    const printable = b >= 0x20 && b <= 0x7e; // g_ascii_isprint
    out += printable && b !== 0x22 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"`;
}

/**
 * Renders SAKs as Wireshark's MACsec pre-shared key table. Plain suites only: XPN keys are left out
 * with a note in `skipped`, as are all-zero keys (Wireshark never uses them) and repeats of a key
 * already written (one row per distinct key is all the dissector needs). Throws ConfigError for an
 * entry that could never be right: a key whose length is not the suite's, an SCI that is not 8 octets,
 * an AN outside 0-3, an empty Info (Wireshark rejects the row: "Missing PSK ID!").
 */
export function renderWiresharkKeys(entries: readonly WiresharkKeyEntry[]): WiresharkKeys {
  const skipped: string[] = [];
  const lines = [
    WIRESHARK_KEYS_HEADER,
    `# Install as ${WIRESHARK_PSK_FILE} in a Wireshark profile directory (Default: ~/.config/wireshark/${WIRESHARK_PSK_FILE}).`,
    '# Plain suites only (GCM-AES-128/256); every row is tried on every MACsec frame whose SCI is known.',
    '#Key,"Info"',
  ];
  const written = new Map<string, number>(); // key hex -> row number (1-based)
  entries.forEach((e, i) => {
    const where = `entries[${i}]`;
    if (!(e.key instanceof Uint8Array) || e.key.length !== e.suite.keyLength) {
      throw new ConfigError(`${where}.key`, `${e.suite.keyLength} octets for ${e.suite.name}`, describe(e.key));
    }
    if (e.sci !== undefined && e.sci.length !== SCI_LENGTH) throw new ConfigError(`${where}.sci`, `${SCI_LENGTH} octets`, describe(e.sci));
    if (e.an !== undefined && !(Number.isInteger(e.an) && e.an >= 0 && e.an <= 3)) throw new ConfigError(`${where}.an`, 'an integer 0-3', describe(e.an));
    if (e.info !== undefined && e.info.length === 0) {
      throw new ConfigError(`${where}.info`, 'a non-empty Info (Wireshark rejects the row: "Missing PSK ID!")', '""');
    }
    const name = label(e);
    if (e.suite.xpn) {
      skipped.push(
        `${name}: not written: Wireshark's pre-shared keys serve the plain suites only (the IV it builds is SCI || PN; ` +
          'an XPN IV needs the SSCI and salt, which Wireshark learns only from MKA)',
      );
      return;
    }
    if (e.key.every((b) => b === 0)) {
      skipped.push(`${name}: not written: Wireshark never tries a key of all zeros`);
      return;
    }
    const hex = toHex(e.key);
    const row = written.get(hex);
    if (row !== undefined) {
      skipped.push(`${name}: same key as row ${row}, written once (Wireshark tries every row on every frame, whatever the SCI and AN)`);
      return;
    }
    written.set(hex, written.size + 1);
    lines.push(`${hex},${quoteUatString(e.info ?? `macsec-sim ${name}`)}`);
  });
  return { text: `${lines.join('\n')}\n`, rows: written.size, skipped };
}

/** Every SA of an SA file, transmit and receive channels alike, as table entries. */
export function wiresharkKeyEntries(file: SaFile): WiresharkKeyEntry[] {
  return file.channels.flatMap((c) => c.sas.map((s) => ({ key: s.key, suite: file.suite, sci: c.sci, an: s.an })));
}

/**
 * How to install the file and what to expect, as precisely as packet-macsec.c and uat.c say (see the
 * comment at the top of this file for the lines each point comes from). Printed in the README.
 */
export const WIRESHARK_SETUP = `Decrypting macsec-sim captures in Wireshark

Wireshark 4.6 and newer verify and decrypt MACsec frames with static SAKs from the MACsec
"Pre-Shared Key List", a table kept in the file ${WIRESHARK_PSK_FILE} of the configuration profile.
Wireshark 4.0 (Debian 12) dissects the SecTAG but cannot decrypt.

1. Write the table:
     macsec protect ... --wireshark-keys ${WIRESHARK_PSK_FILE}
   Only GCM-AES-128 and GCM-AES-256 keys go in; XPN keys are left out with a note.

2. Copy it into the profile directory Wireshark reads (Help > About Wireshark > Folders >
   "Personal configuration"; \`tshark -G folders\` prints the same). On Linux:
     Default profile:   ~/.config/wireshark/${WIRESHARK_PSK_FILE}
     A named profile:   ~/.config/wireshark/profiles/NAME/${WIRESHARK_PSK_FILE}
   This replaces any table already there (Wireshark rewrites the file when the table is edited),
   and is read when Wireshark starts or switches to the profile: restart Wireshark after copying.
   For a single run, without the file, a row can be given on the command line instead:
     tshark -o 'uat:${WIRESHARK_PSK_FILE}:KEYHEX,"info"' -r capture.pcap

3. There is no switch to turn on: the table is the preference ${WIRESHARK_PSK_PREFERENCE}
   (Edit > Preferences > Protocols > MACsec > Pre-Shared Key List), and the dissector tries every
   row on every MACsec frame whose SCI it knows. (The older single-key preference macsec.psk is
   obsolete. macsec.mka, on by default, also tries SAKs learnt from EAPOL-MKA in the capture.)

4. Check: on a frame a key verifies, macsec.verify_info.verified is True and
   macsec.verify_info.psk_name.info holds the Info column of that row, so the display filter
   macsec.verify_info.psk_name.info shows exactly those frames. Every other MACsec frame gets
   "[UNVERIFIED]" in the packet list's Info column.

What Wireshark can verify with this table:
  - GCM-AES-128 and GCM-AES-256 (16- and 32-octet keys); not the XPN suites.
  - Frames whose SCI it knows: SC = 1 (SCI in the SecTAG), or ES = 1 (the source address with
    port 1, or port 0 when SCB is also set). Frames with ES = 0 and SC = 0 are not tried.
  - Confidentiality offset 0: it decrypts all the secure data (offsets 30 and 50 do not verify).
  - Up to 1514 octets (MAX_PAYLOAD_LEN) of secure data, SecTAG included when integrity-only.
  - Keys that are not all zeros.
The SCI and AN in the Info text are labels only: Wireshark does not match them to frames.
`;
