/**
 * The SSH side of tshark's packet log, for conversations on port 22 (packet-ssh.c): the version
 * banners, then the unencrypted binary packets of the key exchange, named by message code —
 * whose names for codes 30–34 depend on the key exchange both KEXINITs agree on — and, once a
 * side has sent New Keys, its encrypted packets (see `#encrypted` for what tshark 4.0 shows of
 * them). The Protocol column is `SSH` until the client's banner has told the version, then
 * `SSHv2` (or `SSHv1`).
 */

import { u32 } from '../decode/bytes.js';

export type SshSegmentSummary =
  | { readonly kind: 'message'; readonly protocol: string; readonly info: string }
  | { readonly kind: 'segment'; readonly info: string | null };

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

export class SshLogConversation {
  readonly #sides: [Side, Side] = [newSide(), newSide()];
  #version: 'SSH' | 'SSHv1' | 'SSHv2' = 'SSH';
  /** The key exchange methods each side's KEXINIT offered, in order of preference. */
  readonly #kexOffers: { client: string[] | null; server: string[] | null } = { client: null, server: null };

  /** In-order payload of a segment from the server (`fromServer`) or the client. */
  onSegment(dir: 0 | 1, b: Uint8Array, fromServer: boolean): SshSegmentSummary | null {
    if (b.length === 0) return null;
    // The column shows the version known before this segment, which only the client's banner sets.
    const protocol = this.#version;
    const side = this.#sides[dir];
    const names: string[] = [];
    let pos = 0;
    if (side.banner !== null && (side.banner !== '' || startsWithSsh(b))) {
      const lf = b.indexOf(0x0a);
      const upTo = lf < 0 ? b.length : lf + 1;
      // Kept to the longest banner allowed, however long the sender goes on without a line end.
      side.banner = (side.banner + latin1(b.subarray(0, Math.min(upTo, MAX_BANNER + 2)))).slice(0, MAX_BANNER + 2);
      if (lf < 0) return { kind: 'segment', info: null };
      const line = withoutLineEnd(side.banner);
      side.banner = null;
      names.push(`Protocol (${line})`);
      if (!fromServer) this.#version = line.startsWith('SSH-1.') && !line.startsWith('SSH-1.99') ? 'SSHv1' : 'SSHv2';
      pos = upTo;
    }
    const startedMidPacket = side.pending.length > 0;
    const rest = this.#packets(side, b.subarray(pos), fromServer, names);
    if (names.length === 0 && rest === 0) return { kind: 'segment', info: startedMidPacket ? null : '' };
    return { kind: 'message', protocol, info: (fromServer ? 'Server: ' : 'Client: ') + names.join(', ') };
  }

  /**
   * The binary packets in `data` (after what `side` holds over), their names added to `names`;
   * returns how many bytes were shown as encrypted or unframeable (0 when all were packets or held over).
   */
  #packets(side: Side, data: Uint8Array, fromServer: boolean, names: string[]): number {
    if (data.length === 0) return 0;
    // No client banner yet, or keys already in use: tshark cannot frame what follows.
    if (this.#version === 'SSH' || side.encrypted) return this.#encrypted(data.length, names);
    const all = side.pending.length > 0 ? Buffer.concat([side.pending, data]) : data;
    side.pending = EMPTY;
    let at = 0;
    while (at + 5 <= all.length) {
      const length = u32(all, at);
      if (length < 1 || length > MAX_PACKET) return this.#encrypted(all.length - at, names);
      if (at + 4 + length > all.length) break;
      const code = all[at + 5] as number;
      names.push(this.#messageName(code, all.subarray(at + 6, at + 4 + length), fromServer));
      at += 4 + length;
      if (code === 21) {
        side.encrypted = true;
        return at < all.length ? this.#encrypted(all.length - at, names) : 0;
      }
    }
    if (at < all.length) side.pending = Uint8Array.from(all.subarray(at));
    return 0;
  }

  /**
   * Encrypted bytes: tshark names them `Encrypted packet (len=N)`, except where it set up a
   * decryption for the key exchange (all but Diffie-Hellman group exchange), which without
   * keys adds nothing to the column. Not modelled: with an AES-GCM cipher tshark 4.0 decrypts
   * with keys it does not have and prints whatever comes out (`Unknown (223)[Malformed Packet]`).
   */
  #encrypted(n: number, names: string[]): number {
    if (this.#version === 'SSH' || kexFamily(this.#agreedKex()) === 'dh-gex') names.push(`Encrypted packet (len=${n})`);
    return n;
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
