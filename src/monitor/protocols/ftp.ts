import type { ProtocolEvent } from './events.js';
import { latin1, lineOrRest } from './textLines.js';

/**
 * FTP as tshark's dissector reads it (packet-ftp.c, tshark 4.0). On the control connection
 * (port 21) each segment's first line is a request or a reply (`ftp_request`, `ftp_reply`).
 * The data connections it announces — a 227 reply to PASV, a 229 to EPSV, a PORT or EPRT
 * command — carry FTP data (`ftp_data`), named by how the connection was set up and the first
 * command the client sent after that.
 */
export const FTP_PORT = 21;

/** A data connection announced on a control connection. */
export interface FtpDataChannel {
  /** tshark's name for the setup (PASV, EPASV, PORT), or null where it keeps none (EPRT). */
  readonly setup: string | null;
  /** The first command after the setup, as sent; null until one comes. */
  command: Uint8Array | null;
}

/** Announced data connections remembered at most (oldest forgotten first). */
const MAX_CHANNELS = 4096;

/**
 * The data connections announced so far, by the address and port that listens for them
 * (tshark looks a new conversation up by both ends' addresses and the listening port).
 */
export class FtpDataChannels {
  readonly #byEndpoint = new Map<string, { peer: string; channel: FtpDataChannel }>();

  /** The channel a connection from `ip` to `listenIp`:`listenPort` belongs to, if announced. */
  find(listenIp: string, listenPort: number, ip: string): FtpDataChannel | null {
    // Asked for every new TCP conversation: no key is built while nothing was announced.
    if (this.#byEndpoint.size === 0) return null;
    const found = this.#byEndpoint.get(`${listenIp}|${listenPort}`);
    return found !== undefined && found.peer === ip ? found.channel : null;
  }

  announce(listenIp: string, listenPort: number, peer: string, setup: string | null): FtpDataChannel {
    const key = `${listenIp}|${listenPort}`;
    this.#byEndpoint.delete(key);
    if (this.#byEndpoint.size >= MAX_CHANNELS) {
      const oldest = this.#byEndpoint.keys().next().value;
      if (oldest !== undefined) this.#byEndpoint.delete(oldest);
    }
    const channel: FtpDataChannel = { setup, command: null };
    this.#byEndpoint.set(key, { peer, channel });
    return channel;
  }
}

/** The control connection: its lines' Info, and the data connections its lines announce. */
export class FtpControlConversation {
  /** The last channel announced, until the client's next command names it. */
  #awaitingCommand: FtpDataChannel | null = null;
  #authRequested = false;
  #tls = false;

  constructor(
    private readonly channels: FtpDataChannels,
    /** Addresses of the client and the server. */
    private readonly client: string,
    private readonly server: string,
  ) {}

  /** A 234 reply to AUTH was seen: what follows in either direction is TLS (explicit FTPS). */
  get tlsStarted(): boolean {
    return this.#tls;
  }

  /** A segment's first line; its event goes to `out`. */
  onSegment(payload: Uint8Array, toServer: boolean, out: ProtocolEvent[]): void {
    const { end } = lineOrRest(payload, 0);
    const bytes = payload.subarray(0, end);
    const line = latin1(payload, 0, end);
    if (toServer) out.push({ kind: 'ftp_request', command: this.#request(line, bytes), line: bytes });
    else out.push({ kind: 'ftp_reply', code: this.#response(line), line: bytes });
  }

  /** Returns the command's verb. */
  #request(line: string, bytes: Uint8Array): string {
    if (this.#awaitingCommand !== null) {
      // A copy: the data connection's segments name it long after this frame.
      this.#awaitingCommand.command = Uint8Array.from(bytes);
      this.#awaitingCommand = null;
    }
    const space = line.indexOf(' ');
    const verb = line.slice(0, 4).toUpperCase();
    if (verb === 'AUTH') this.#authRequested = true;
    else if (verb === 'PORT' && line[4] === ' ') {
      const at = hostPort(line.slice(5));
      if (at !== null) this.#awaitingCommand = this.channels.announce(at.ip, at.port, this.server, 'PORT');
    } else if (verb === 'EPRT' && line[4] === ' ') {
      const at = extendedAddress(line.slice(5));
      // tshark 4.0 files no setup for EPRT: its data shows as plain `FTP Data: N bytes`.
      if (at !== null) this.channels.announce(at.ip, at.port, this.server, null);
    }
    return (space < 0 ? line : line.slice(0, space)).toUpperCase();
  }

  /** Returns the reply code, or -1. */
  #response(line: string): number {
    // Three digits, then a blank, a hyphen (a multiline reply's first line) or the line's end.
    const code = /^\d{3}(?:[ -]|$)/.test(line) ? Number(line.slice(0, 3)) : -1;
    if (line.startsWith('234') && this.#authRequested) this.#tls = true;
    else if (line.startsWith('227')) {
      const at = hostPort(line.slice(3));
      if (at !== null) this.#awaitingCommand = this.channels.announce(at.ip, at.port, this.client, 'PASV');
    } else if (line.startsWith('229')) {
      const port = extendedPassivePort(line.slice(3));
      if (port !== null) this.#awaitingCommand = this.channels.announce(this.server, port, this.client, 'EPASV');
    }
    return code;
  }
}

/** A data connection's segment. */
export function ftpData(channel: FtpDataChannel, length: number): ProtocolEvent {
  return { kind: 'ftp_data', length, setup: channel.setup, command: channel.command };
}

/** The first `h1,h2,h3,h4,p1,p2` in `text` (PASV's reply, PORT's argument), each a number up to 255. */
function hostPort(text: string): { ip: string; port: number } | null {
  for (let at = 0; at < text.length; at++) {
    if (!isDigit(text.charCodeAt(at)) || (at > 0 && isDigit(text.charCodeAt(at - 1)))) continue;
    const numbers: number[] = [];
    let i = at;
    while (numbers.length < 6) {
      let end = i;
      while (end < text.length && isDigit(text.charCodeAt(end)) && end - i < 3) end++;
      if (end === i) break;
      const n = Number(text.slice(i, end));
      if (n > 255) break;
      numbers.push(n);
      if (numbers.length < 6 && text[end] !== ',') break;
      i = end + 1;
    }
    if (numbers.length === 6) {
      const [a, b, c, d, high, low] = numbers as [number, number, number, number, number, number];
      return { ip: `${a}.${b}.${c}.${d}`, port: high * 256 + low };
    }
  }
  return null;
}

/** EPSV's `(|||port|)`: the delimiter is whatever character follows the parenthesis. */
function extendedPassivePort(text: string): number | null {
  const open = text.indexOf('(');
  if (open < 0 || open + 4 >= text.length) return null;
  const d = text[open + 1];
  if (text[open + 2] !== d || text[open + 3] !== d) return null;
  const close = text.indexOf(d as string, open + 4);
  const port = Number(text.slice(open + 4, close));
  return close > open + 4 && Number.isInteger(port) && port > 0 && port < 65536 ? port : null;
}

/** EPRT's `|1|address|port|` (IPv4 or IPv6, any delimiter). */
function extendedAddress(text: string): { ip: string; port: number } | null {
  const d = text[0];
  if (d === undefined) return null;
  const parts = text.split(d);
  if (parts.length < 5 || (parts[1] !== '1' && parts[1] !== '2')) return null;
  const port = Number(parts[3]);
  return parts[2] && Number.isInteger(port) && port > 0 && port < 65536 ? { ip: parts[2], port } : null;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}
