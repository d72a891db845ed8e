/**
 * An independent MACsec reference for tests: the frame built octet by octet from 802.1AE 9.3 and 14.5,
 * the cryptography by OpenSSL through node:crypto's AES-GCM. Shares no code with src/.
 */
import { createCipheriv, randomBytes } from 'node:crypto';

export interface ReferenceInput {
  cipherSuite: 'GCM-AES-128' | 'GCM-AES-256' | 'GCM-AES-XPN-128' | 'GCM-AES-XPN-256';
  key: Buffer;
  sci: Buffer;
  an: number;
  pn: bigint;
  ssci?: Buffer;
  salt?: Buffer;
  es: boolean;
  sc: boolean;
  scb: boolean;
  confidentiality: boolean;
  confidentialityOffset: 0 | 30 | 50;
  clearTags: number;
  /** DA ‖ SA ‖ clear tags ‖ user data */
  unprotectedFrame: Buffer;
}

/** The vector in the shared JSON schema (hex strings), as another implementation would publish it. */
export function referenceVector(v: ReferenceInput): Record<string, unknown> {
  const xpn = v.cipherSuite.includes('XPN');
  const header = v.unprotectedFrame.subarray(0, 12 + 4 * v.clearTags);
  const user = v.unprotectedFrame.subarray(header.length);
  const tci = (v.es ? 0x40 : 0) | (v.sc ? 0x20 : 0) | (v.scb ? 0x10 : 0) | (v.confidentiality ? 0x0c : 0) | v.an;
  const sl = user.length < 48 ? user.length : 0;
  const pnLow = Number(v.pn & 0xffffffffn);
  const secTag = Buffer.concat([Buffer.from([0x88, 0xe5, tci, sl]), u32(pnLow), v.sc ? v.sci : Buffer.alloc(0)]);
  let iv: Buffer;
  if (xpn) {
    iv = Buffer.concat([v.ssci!, u64(v.pn)]);
    for (let i = 0; i < 12; i++) iv[i]! ^= v.salt![i]!;
  } else {
    iv = Buffer.concat([v.sci, u32(pnLow)]);
  }
  const clear = v.confidentiality ? Math.min(v.confidentialityOffset, user.length) : user.length;
  const cipher = createCipheriv(`aes-${v.key.length * 8}-gcm` as 'aes-128-gcm', v.key, iv);
  cipher.setAAD(Buffer.concat([v.unprotectedFrame.subarray(0, 12), secTag, user.subarray(0, clear)]));
  const encrypted = Buffer.concat([cipher.update(user.subarray(clear)), cipher.final()]);
  const icv = cipher.getAuthTag();
  const protectedFrame = Buffer.concat([header, secTag, user.subarray(0, clear), encrypted, icv]);
  return {
    name: `reference ${v.cipherSuite} ${v.confidentiality ? `confidentiality/${v.confidentialityOffset}` : 'integrity'} tci=${tci.toString(16)} pn=${v.pn} len=${v.unprotectedFrame.length}`,
    cipherSuite: v.cipherSuite,
    key: v.key.toString('hex'),
    sci: v.sci.toString('hex'),
    an: v.an,
    pn: v.pn.toString(),
    ssci: xpn ? v.ssci!.toString('hex') : null,
    salt: xpn ? v.salt!.toString('hex') : null,
    tci: tci.toString(16).padStart(2, '0'),
    sl,
    confidentiality: v.confidentiality,
    confidentialityOffset: v.confidentialityOffset,
    clearTags: v.clearTags,
    unprotectedFrame: v.unprotectedFrame.toString('hex'),
    protectedFrame: protectedFrame.toString('hex'),
    icv: icv.toString('hex'),
  };
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
function u64(n: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(n);
  return b;
}

export { randomBytes };
