/**
 * SSH as tshark's dissector reads it, on port 22 (packet-ssh.c): the version banners
 * (`ssh_version`), then the unencrypted binary packets of the key exchange (`ssh_message`),
 * named by message code — whose names for codes 30–34 depend on the key exchange both KEXINITs
 * agree on — and, once a side has sent New Keys, its encrypted packets (`ssh_encrypted`; see
 * `#encrypted` for what tshark 4.0 names of them). Each event carries the dialect tshark's
 * column shows: `SSH` until the client's banner has told the version, then `SSHv2` (or `SSHv1`).
 */

import { u32 } from '../decode/bytes.js';
import type { ProtocolEvent, SshDialect } from './events.js';
import { PART, PART_BEGUN, PDUS, type Reading } from './reading.js';

/** TCP port tshark gives to its SSH dissector. */
export const SSH_PORT = 22;

const MESSAGES: Readonly<Record<number, string>> = {
  1: 'Disconnect',
  2: 'Ignore',
  3: 'Unimplemented',
  4: 'Debug',
  5: 'Service Request',
  6: 'Service Accept',
  7: 'Extension Info',
  20: 'Key Exchange Init',
  21: 'New Keys',
};

/** Names of the key-exchange-specific codes, by tshark's family of the agreed method. */
const KEX_MESSAGES: Readonly<Record<KexFamily, Readonly<Record<number, string>>>> = {
  dh: { 30: 'Diffie-Hellman Key Exchange Init', 31: 'Diffie-Hellman Key Exchange Reply' },
  'dh-gex': {
    30: 'Diffie-Hellman Group Exchange Request (Old)',
    31: 'Diffie-Hellman Group Exchange Group',
    32: 'Diffie-Hellman Group Exchange Init',
    33: 'Diffie-Hellman Group Exchange Reply',
    34: 'Diffie-Hellman Group Exchange Request',
  },
  ecdh: {
    30: 'Elliptic Curve Diffie-Hellman Key Exchange Init',
    31: 'Elliptic Curve Diffie-Hellman Key Exchange Reply',
  },
};

type KexFamily = 'dh' | 'dh-gex' | 'ecdh';

/** tshark's ssh_set_kex_specific_dissector: plain DH unless the method is a known GEX or ECDH one. */
function kexFamily(method: string | null): KexFamily {
  if (method === 'diffie-hellman-group-exchange-sha1' || method === 'diffie-hellman-group-exchange-sha256')
    return 'dh-gex';
  if (
    method !== null &&
    (method.startsWith('ecdh-sha2-') ||
      method === 'curve25519-sha256@libssh.org' ||
      method === 'curve25519-sha256' ||
      method === 'curve448-sha512')
  )
    return 'ecdh';
  return 'dh';
}

/** Longest unencrypted packet buffered: RFC 4253 §6.1 asks implementations to take 35,000 bytes. */
const MAX_PACKET = 35_000;
/** Longest banner line kept (RFC 4253 §4.2: 255 characters). */
const MAX_BANNER = 255;

interface Side {
  /** Before the banner: the banner's bytes so far. */
  banner: string | null;
  /** Bytes of an unencrypted packet not yet complete. */
  pending: Uint8Array;
  /** New Keys sent: what follows is encrypted. */
  encrypted: boolean;
}

export class SshConversation {
  readonly #sides: [Side, Side] = [newSide(), newSide()];
  #version: SshDialect = 'SSH';
  /** The key exchange methods each side's KEXINIT offered, in order of preference. */
  readonly #kexOffers: { client: string[] | null; server: string[] | null } = { client: null, server: null };

  /** In-order payload of a segment from the server (`fromServer`) or the client; its events go to `out`. */
  onSegment(dir: 0 | 1, b: Uint8Array, fromServer: boolean, out: ProtocolEvent[]): Reading {
    if (b.length === 0) return null;
    // The column shows the version known before this segment, which only the client's banner sets.
    const dialect = this.#version;
    const side = this.#sides[dir];
    const before = out.length;
    let pos = 0;
    if (side.banner !== null && (side.banner !== '' || startsWithSsh(b))) {
      const lf = b.indexOf(0x0a);
      const upTo = lf < 0 ? b.length : lf + 1;
      // Kept to the longest banner allowed, however long the sender goes on without a line end.
      side.banner = (side.banner + latin1(b.subarray(0, Math.min(upTo, MAX_BANNER + 2)))).slice(0, MAX_BANNER + 2);
      if (lf < 0) return PART;
      const line = withoutLineEnd(side.banner);
      side.banner = null;
      out.push({ kind: 'ssh_version', fromServer, version: line, dialect });
      if (!fromServer) this.#version = line.startsWith('SSH-1.') && !line.startsWith('SSH-1.99') ? 'SSHv1' : 'SSHv2';
      pos = upTo;
    }
    const startedMidPacket = side.pending.length > 0;
    this.#packets(side, b.subarray(pos), fromServer, dialect, out);
    if (out.length > before) return PDUS;
    return startedMidPacket ? PART : PART_BEGUN;
  }

  /** The binary packets in `data` (after what `side` holds over), read into events. */
  #packets(side: Side, data: Uint8Array, fromServer: boolean, dialect: SshDialect, out: ProtocolEvent[]): void {
    if (data.length === 0) return;
    // No client banner yet, or keys already in use: tshark cannot frame what follows.
    if (this.#version === 'SSH' || side.encrypted) {
      this.#encrypted(data.length, fromServer, dialect, out);
      return;
    }
    const all = side.pending.length > 0 ? Buffer.concat([side.pending, data]) : data;
    side.pending = EMPTY;
    let at = 0;
    while (at + 5 <= all.length) {
      const length = u32(all, at);
      if (length < 1 || length > MAX_PACKET) {
        this.#encrypted(all.length - at, fromServer, dialect, out);
        return;
      }
      if (at + 4 + length > all.length) break;
      const code = all[at + 5] as number;
      const name = this.#messageName(code, all.subarray(at + 6, at + 4 + length), fromServer);
      out.push({ kind: 'ssh_message', fromServer, code, name, dialect });
      at += 4 + length;
      if (code === 21) {
        side.encrypted = true;
        if (at < all.length) this.#encrypted(all.length - at, fromServer, dialect, out);
        return;
      }
    }
    if (at < all.length) side.pending = Uint8Array.from(all.subarray(at));
  }

  /**
   * Encrypted bytes: tshark names them `Encrypted packet (len=N)`, except where it set up a
   * decryption for the key exchange (all but Diffie-Hellman group exchange), which without
   * keys adds nothing to the column. Not modelled: with an AES-GCM cipher tshark 4.0 decrypts
   * with keys it does not have and prints whatever comes out (`Unknown (223)[Malformed Packet]`).
   */
  #encrypted(length: number, fromServer: boolean, dialect: SshDialect, out: ProtocolEvent[]): void {
    const named = this.#version === 'SSH' || kexFamily(this.#agreedKex()) === 'dh-gex';
    out.push({ kind: 'ssh_encrypted', fromServer, length, named, dialect });
  }

  #messageName(code: number, payload: Uint8Array, fromServer: boolean): string {
    if (code === 20) this.#kexOffers[fromServer ? 'server' : 'client'] = kexOffer(payload);
    const known = MESSAGES[code];
    if (known !== undefined) return known;
    const family = kexFamily(this.#agreedKex());
    return KEX_MESSAGES[family][code] ?? `Unknown (${code})`;
  }

  /** RFC 4253 §7.1: the first of the client's methods the server also offers. */
  #agreedKex(): string | null {
    const { client, server } = this.#kexOffers;
    return client?.find((method) => server?.includes(method)) ?? null;
  }
}

const EMPTY = new Uint8Array(0);

function newSide(): Side {
  return { banner: '', pending: EMPTY, encrypted: false };
}

/** A KEXINIT's first name-list (after the 16-byte cookie): the key exchange methods. */
function kexOffer(payload: Uint8Array): string[] | null {
  if (payload.length < 20) return null;
  const n = u32(payload, 16);
  if (20 + n > payload.length) return null;
  return latin1(payload.subarray(20, 20 + n)).split(',');
}

function startsWithSsh(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0x53 && b[1] === 0x53 && b[2] === 0x48 && b[3] === 0x2d;
}

function withoutLineEnd(line: string): string {
  let end = line.length;
  if (line.charCodeAt(end - 1) === 10) end--;
  if (line.charCodeAt(end - 1) === 13) end--;
  return line.slice(0, end);
}

function latin1(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length).toString('latin1');
}
