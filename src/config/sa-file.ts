/**
 * Secure association files: one SecY's keys in the field names of the test vectors.
 *
 * One SA (the transmit SC and the one receive SC share it, as in a vector):
 *   { "cipherSuite": "GCM-AES-128", "key": "…", "sci": "…", "an": 0, "pn": "1",
 *     "confidentiality": true, "confidentialityOffset": 0, "includeSci": true }
 * Or secure channels with their SAs (several ANs, both directions):
 *   { "cipherSuite": "GCM-AES-XPN-128", "confidentiality": true,
 *     "channels": [ { "sci": "…", "direction": "transmit" | "receive" | "both",
 *                     "sas": [ { "an": 0, "key": "…", "pn": "1", "ssci": "…", "salt": "…" } ] } ] }
 * `includeSci`, `endStation` and `scb` set the TCI bits a transmitter uses (defaults: SCI included). Any other
 * field is refused with its JSON path, as in scenario files.
 */
import { cipherSuite, CONFIDENTIALITY_OFFSETS, SALT_LENGTH, SSCI_LENGTH, type CipherSuite, type ConfidentialityOffset } from '../crypto/suite.js';
import { ConfigError } from '../util/errors.js';
import { SCI_LENGTH } from '../wire/sectag.js';
import { Fields, isObject } from '../util/json.js';

export interface SaSpec {
  readonly an: number;
  readonly key: Uint8Array;
  /** The first PN to send, or the lowest acceptable one on receive. */
  readonly pn: bigint;
  readonly ssci: Uint8Array | undefined;
  readonly salt: Uint8Array | undefined;
}

export type Direction = 'transmit' | 'receive' | 'both';

export interface ChannelSpec {
  readonly sci: Uint8Array;
  readonly direction: Direction;
  readonly sas: readonly SaSpec[];
}

export interface SaFile {
  readonly suite: CipherSuite;
  readonly confidentiality: boolean;
  readonly confidentialityOffset: ConfidentialityOffset;
  readonly includeSci: boolean;
  readonly endStation: boolean;
  readonly scb: boolean;
  readonly channels: readonly ChannelSpec[];
}

/** The fields of one SA: at the top level of the one-SA form, or in `channels[i].sas[j]`. */
const SA_FIELDS = ['an', 'key', 'pn', 'ssci', 'salt'] as const;
/** The fields for the whole SecY; the one-SA form adds `sci` and SA_FIELDS, the channel form `channels`. */
const FILE_FIELDS = ['cipherSuite', 'confidentiality', 'confidentialityOffset', 'includeSci', 'endStation', 'scb'] as const;

function saSpec(f: Fields, suite: CipherSuite): SaSpec {
  return {
    an: f.integer('an', 0, 3),
    key: f.hex('key', suite.keyLength),
    pn: f.bigint('pn', suite.xpn ? 0n : 1n, suite.maxPN, 1n),
    ssci: suite.xpn ? f.hex('ssci', SSCI_LENGTH) : noXpnField(f, 'ssci', suite),
    salt: suite.xpn ? f.hex('salt', SALT_LENGTH) : noXpnField(f, 'salt', suite),
  };
}

function noXpnField(f: Fields, field: string, suite: CipherSuite): undefined {
  if (f.has(field)) f.fail(field, `no ${field} for ${suite.name} (XPN suites only)`, f.raw(field));
  return undefined;
}

/** Decodes an SA file's JSON; `file` names it in errors. */
export function decodeSaFile(doc: unknown, file = 'SA file'): SaFile {
  if (!isObject(doc)) throw new ConfigError(file, 'a JSON object', Array.isArray(doc) ? 'an array' : typeof doc);
  // Unknown fields are refused (a typo such as "confidentialty" would otherwise change what is protected).
  const f = new Fields(doc, '').only(...FILE_FIELDS, ...(doc['channels'] !== undefined ? ['channels'] : ['sci', ...SA_FIELDS]));
  const name = f.string('cipherSuite', 'GCM-AES-128');
  const suite = cipherSuite(name) ?? f.fail('cipherSuite', 'GCM-AES-128, GCM-AES-256, GCM-AES-XPN-128 or GCM-AES-XPN-256', name);
  const offset = f.integer('confidentialityOffset', 0, 50, 0);
  if (!(CONFIDENTIALITY_OFFSETS as readonly number[]).includes(offset)) f.fail('confidentialityOffset', '0, 30 or 50', offset);
  const endStation = f.boolean('endStation', false);
  const scb = f.boolean('scb', false);
  const includeSci = f.boolean('includeSci', !endStation && !scb);
  if (includeSci && (endStation || scb)) f.fail('includeSci', 'false when endStation or scb is set (9.5: SC=1 excludes ES and SCB)', includeSci);
  const channels: ChannelSpec[] = f.has('channels')
    ? f.array('channels').map((c) => {
        c.only('sci', 'direction', 'sas');
        const text = c.string('direction', 'both');
        const direction: Direction = text === 'transmit' || text === 'receive' || text === 'both' ? text : c.fail('direction', 'transmit, receive or both', text);
        const sas = c.array('sas').map((s) => saSpec(s.only(...SA_FIELDS), suite));
        const ans = new Set(sas.map((s) => s.an));
        if (ans.size !== sas.length) c.fail('sas', 'one SA per AN', sas.map((s) => s.an));
        return { sci: c.hex('sci', SCI_LENGTH), direction, sas };
      })
    : [{ sci: f.hex('sci', SCI_LENGTH), direction: 'both' as const, sas: [saSpec(f, suite)] }];
  if (channels.filter((c) => c.direction !== 'receive').length > 1) {
    throw new ConfigError(`${file}: channels`, 'at most one transmit channel (a SecY has one transmit SC, 10.1)', 'several');
  }
  return {
    suite,
    confidentiality: f.boolean('confidentiality', true),
    confidentialityOffset: offset as ConfidentialityOffset,
    includeSci,
    endStation,
    scb,
    channels,
  };
}
