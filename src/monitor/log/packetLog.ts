import { flowKey } from '../decode/flowKey.js';
import { LINKTYPE, macAt } from '../decode/link.js';
import type { DecodedPacket } from '../decode/packet.js';
import { type TcpHeader, windowScaleShift } from '../decode/tcp.js';
import { arpColumns } from './arpInfo.js';
import { ByteBudget } from './byteBudget.js';
import { type Columns, LineFormatter } from './columns.js';
import { FTP_PORT, FtpControlConversation, type FtpDataChannel, FtpDataChannels, ftpDataInfo } from './ftpLog.js';
import { HttpLogConversation } from './httpLog.js';
import { looksLikeHttp } from './httpStart.js';
import { EchoTracker, icmpColumns } from './icmpInfo.js';
import { igmpColumns } from './igmp.js';
import { IMAP_PORT, ImapLogConversation } from './imapLog.js';
import { fragmentColumns, ipProtocolName } from './ipInfo.js';
import { IRC_PORT, ircInfo } from './ircLog.js';
import type { MacNames } from './names.js';
import { PGSQL_PORT, PgsqlLogConversation } from './pgsqlLog.js';
import { POP_PORT, PopLogConversation } from './popLog.js';
import { SMTP_PORTS, SmtpLogConversation } from './smtpLog.js';
import { SSH_PORT, SshLogConversation } from './sshLog.js';
import { switchProtocolColumns } from './switchProtocols.js';
import {
  ANALYSIS,
  analyseSegment,
  analysisPrefix,
  ConversationAnalysis,
  isPortReuse,
  RETRANSMITTED,
} from './tcpAnalysis.js';
import { tcpInfo } from './tcpInfo.js';
import { looksLikeTls, TLS_PORTS, TlsLogConversation, tlsByHeuristic } from './tlsLog.js';
import { udpColumns } from './udpInfo.js';
import { WebSocketLogConversation } from './webSocketLog.js';

/** Telnet's port: tshark shows every segment with data as `Telnet Data ...`, whatever it holds. */
const TELNET_PORT = 23;

/** TCP ports tshark 4.0 gives to its HTTP dissector (`tshark -G decodes`). */
const HTTP_PORTS = new Set([80, 631, 1900, 2710, 2869, 3128, 3132, 3689, 5985, 8080, 8088, 11371]);

const SEGMENT_NOTE = ' [TCP segment of a reassembled PDU]';

const TELNET_DATA = { kind: 'message', protocol: 'TELNET', info: 'Telnet Data ...' } as const;

interface LogConversation {
  readonly analysis: ConversationAnalysis;
  /** Address and port of the endpoint whose packet opened the conversation (direction 0). */
  readonly firstIp: string;
  readonly firstPort: number;
  /** 'port': HTTP by port; 'heuristic': HTTP once a payload looked like it; 'no': not (yet) HTTP. */
  http: 'port' | 'heuristic' | 'no';
  httpLog: HttpLogConversation | null;
  /** TLS by port, or inside a CONNECT tunnel once the data looks like TLS. */
  tls: TlsLogConversation | null;
  /** WebSocket, once an HTTP upgrade to it was answered. */
  webSocket: WebSocketLogConversation | null;
  /** The service a port (or an FTP announcement) gave the conversation, and the server's port. */
  readonly service: { readonly port: number; readonly log: ServiceLog } | null;
  /** What a CONNECT tunnel carries, once one is open: the service of the port it leads to. */
  tunnel: ServiceLog | null;
  /** A port of it belongs to a dissector (HTTP, TLS, a service), so no heuristic is tried. */
  readonly portClaimed: boolean;
}

type AppSummary =
  | { readonly kind: 'message'; readonly protocol: string; readonly info: string }
  | { readonly kind: 'segment'; readonly info: string | null; readonly after?: string };

export interface PacketLogOptions {
  /** Names for Ethernet addresses of non-IP frames (tshark resolves them by default). */
  readonly macNames?: MacNames;
  /** Most TCP conversations remembered; the oldest are forgotten beyond this. */
  readonly maxConversations?: number;
}

/**
 * The packet log: one line per frame in tshark's default summary format. Stateful (TCP
 * conversations, HTTP message boundaries, ICMP echo pairs) because tshark's single pass is.
 */
export class PacketLog {
  readonly #conversations = new Map<string, LogConversation>();
  readonly #echoes = new EchoTracker();
  readonly #messageBudget = new ByteBudget();
  readonly #ftpChannels = new FtpDataChannels();
  readonly #format = new LineFormatter();
  readonly #macNames: MacNames | undefined;
  readonly #maxConversations: number;
  #startNs: number | null = null;
  #startSeconds = 0;

  constructor(options: PacketLogOptions = {}) {
    this.#macNames = options.macNames;
    this.#maxConversations = options.maxConversations ?? 200_000;
  }

  /**
   * The log line for one frame (frames must come in capture order). `tcpKey`, when the caller
   * already has it, is the `flowKey` of a TCP packet.
   */
  line(p: DecodedPacket, tcpKey?: string): string {
    const f = p.frame;
    const ns = this.#relativeNs(f.seconds, f.fraction, f.precision);
    const time = relativeText(ns, f.precision);
    const ip = p.ip;
    if (!ip) {
      const source = this.#mac(macAt(f.data, p.link.sourceMacAt));
      const destination = this.#mac(macAt(f.data, p.link.destinationMacAt));
      const c = p.arp ? arpColumns(p.arp) : linkOnlyColumns(p);
      return this.#format.line(f.number, time, source, destination, c.protocol, f.originalLength, c.info);
    }
    const c = this.#ipColumns(p, ns, tcpKey);
    return this.#format.line(f.number, time, ip.source, ip.destination, c.protocol, f.originalLength, c.info);
  }

  /** Nanoseconds since the first frame. */
  #relativeNs(seconds: number, fraction: number, precision: number): number {
    const fracNs = fraction * (POW10[9 - precision] ?? 10 ** (9 - precision));
    if (this.#startNs === null) {
      this.#startSeconds = seconds;
      this.#startNs = fracNs;
    }
    return (seconds - this.#startSeconds) * 1e9 + fracNs - this.#startNs;
  }

  #ipColumns(p: DecodedPacket, ns: number, tcpKey: string | undefined): Columns {
    const ip = p.ip!;
    if (ip.fragmented && (ip.fragmentOffset !== 0 || ip.moreFragments)) return fragmentColumns(ip);
    const t = p.transport;
    switch (t.kind) {
      case 'tcp':
        return this.#tcp(p, t.tcp, ns, tcpKey);
      case 'udp': {
        const illegalZero = ip.version === 6 && t.udp.checksum === 0;
        return udpColumns(t.udp, ip.payloadLength, p.payload, illegalZero, (mac) => this.#mac(mac));
      }
      case 'icmp':
        return icmpColumns(ip, t.icmp, p.frame.number, this.#echoes, p.payload);
      default:
        if (!p.error && ip.protocol === 2) {
          const igmp = igmpColumns(p.payload);
          if (igmp) return igmp;
        }
        return {
          protocol: p.error ? (ip.version === 4 ? 'IPv4' : 'IPv6') : ipProtocolName(ip.protocol),
          info: p.error ?? '',
        };
    }
  }

  #mac(mac: string | null): string {
    if (!mac) return '';
    return this.#macNames ? this.#macNames.name(mac) : mac;
  }

  #tcp(p: DecodedPacket, tcp: TcpHeader, ns: number, tcpKey: string | undefined): Columns {
    const ip = p.ip!;
    const key = tcpKey ?? flowKey(p, tcp.sourcePort, tcp.destinationPort);
    let conv = this.#conversations.get(key);
    let reused = false;
    const dir0 = conv ? directionOf(conv, ip.source, tcp.sourcePort) : 0;
    // Only a SYN's window scale counts (tshark's verify_tcp_window_scaling).
    const wsShift = (tcp.flags & 0x02) !== 0 ? windowScaleShift(p.frame.data, tcp) : -1;
    const facts = {
      seq: tcp.seq,
      ack: tcp.ack,
      flags: tcp.flags,
      window: tcp.window,
      length: tcp.payloadLength,
      wsShift,
      frame: p.frame.number,
      time: ns,
    };
    if (conv && isPortReuse(conv.analysis, dir0, facts)) {
      disposeService(conv);
      this.#conversations.delete(key);
      conv = undefined;
      reused = true;
    }
    if (!conv) conv = this.#open(key, ip.source, ip.destination, tcp);
    const dir = directionOf(conv, ip.source, tcp.sourcePort);
    const a = analyseSegment(conv.analysis, dir, facts);
    const flags = reused ? a.flags | ANALYSIS.REUSED_PORTS : a.flags;
    const analysis = reused ? { ...a, flags } : a;
    // Read now, as the numbers in `a` are: this packet's, whatever the application layer does next.
    const reverseBase = conv.analysis.flows[dir === 0 ? 1 : 0].baseSeq;
    const prefix = analysisPrefix(analysis);
    if (a.gap > 0 && (flags & ANALYSIS.LOST_PACKET) !== 0) conv.httpLog?.skip(dir, a.gap);
    const app = this.#application(conv, dir, tcp, p.payload, flags);
    // The TCP text is built only when the Info shows it (not under an HTTP or TLS message).
    if (app === null) return { protocol: 'TCP', info: prefix + tcpInfo(p.frame.data, tcp, a, reverseBase) };
    if (app.kind === 'message') return { protocol: app.protocol, info: prefix + app.info };
    // A record's first segment: tshark clears the Info, leaving only the note.
    if (app.info === '') return { protocol: 'TCP', info: prefix + SEGMENT_NOTE.slice(1) };
    const text = app.info ?? tcpInfo(p.frame.data, tcp, a, reverseBase);
    return { protocol: 'TCP', info: prefix + text + SEGMENT_NOTE + (app.after ?? '') };
  }

  #open(key: string, source: string, destination: string, tcp: TcpHeader): LogConversation {
    if (this.#conversations.size >= this.#maxConversations) {
      const oldest = this.#conversations.keys().next().value;
      if (oldest !== undefined) {
        const evicted = this.#conversations.get(oldest);
        if (evicted) disposeService(evicted);
        this.#conversations.delete(oldest);
      }
    }
    // A connection an FTP control connection announced is FTP data, whatever its ports.
    const channel =
      this.#ftpChannels.find(destination, tcp.destinationPort, source) ??
      this.#ftpChannels.find(source, tcp.sourcePort, destination);
    const app = channel ? null : portProtocol(tcp.sourcePort, tcp.destinationPort);
    const service =
      channel !== null
        ? { port: tcp.destinationPort, log: { kind: 'ftp-data', channel } as const }
        : typeof app === 'number'
          ? { port: app, log: this.#serviceLog(app, source, destination, tcp) }
          : null;
    const conv: LogConversation = {
      analysis: new ConversationAnalysis(),
      firstIp: source,
      firstPort: tcp.sourcePort,
      http: app === 'http' ? 'port' : 'no',
      httpLog: app === 'http' ? new HttpLogConversation() : null,
      tls: app === 'tls' ? new TlsLogConversation() : null,
      webSocket: null,
      service,
      tunnel: null,
      portClaimed: app !== null || channel !== null,
    };
    this.#conversations.set(key, conv);
    return conv;
  }

  #tunnelled(
    conv: LogConversation,
    http: HttpLogConversation,
    dir: 0 | 1,
    tcp: TcpHeader,
    payload: Uint8Array,
  ): AppSummary | null {
    // tshark's reversal: the proxy's side (the far server's words) is taken for the client's.
    const asClient = dir === http.proxyDirection;
    const proxyPort = asClient ? tcp.sourcePort : tcp.destinationPort;
    // tshark tries the lower of the proxy's port and the tunnel's first: the proxy's port is
    // HTTP's, which declines a tunnel, and the data stays TCP (no heuristic of ours takes it).
    const port = http.tunnelPort;
    conv.tunnel ??=
      port === 0 || proxyPort < port || !SERVICE_PORTS.has(port)
        ? { kind: 'tcp' }
        : this.#serviceLog(port, '', '', tcp);
    return this.#serviceSummary(conv, conv.tunnel, dir, payload, asClient);
  }

  /**
   * The service for a port in SERVICE_PORTS. `source` and `destination` are the addresses of the
   * conversation's first packet, by which FTP tells its client from its server (a tunnel's FTP
   * announces data connections to no address of this capture, so it passes none).
   */
  #serviceLog(port: number, source: string, destination: string, tcp: TcpHeader): ServiceLog {
    if (SMTP_PORTS.has(port)) return { kind: 'smtp', log: new SmtpLogConversation(this.#messageBudget) };
    switch (port) {
      case FTP_PORT: {
        const [client, server] = tcp.sourcePort === FTP_PORT ? [destination, source] : [source, destination];
        return { kind: 'ftp', log: new FtpControlConversation(this.#ftpChannels, client, server) };
      }
      case SSH_PORT:
        return { kind: 'ssh', log: new SshLogConversation() };
      case POP_PORT:
        return { kind: 'pop', log: new PopLogConversation(this.#messageBudget) };
      case IMAP_PORT:
        return { kind: 'imap', log: new ImapLogConversation() };
      case PGSQL_PORT:
        return { kind: 'pgsql', log: new PgsqlLogConversation() };
      case IRC_PORT:
        return { kind: 'irc' };
      case TELNET_PORT:
        return { kind: 'telnet' };
      default:
        return { kind: 'tcp' };
    }
  }

  /** A service's summary of a segment (`toServer`: sent to the service's port); TLS from when it says so. */
  #serviceSummary(
    conv: LogConversation,
    s: ServiceLog,
    dir: 0 | 1,
    payload: Uint8Array,
    toServer: boolean,
  ): AppSummary | null {
    if (payload.length === 0) return null;
    let summary: AppSummary | null;
    switch (s.kind) {
      case 'smtp':
      case 'pgsql':
        summary = s.log.onSegment(dir, payload, toServer);
        break;
      case 'imap': {
        const r = s.log.onSegment(dir, payload, toServer);
        // tshark's heuristic took this segment for TLS (a capture that starts after STARTTLS).
        if (r?.kind === 'tls') {
          conv.tls = new TlsLogConversation();
          return tlsSummary(conv.tls, dir, payload);
        }
        summary = r;
        break;
      }
      case 'ftp':
      case 'pop':
        summary = { kind: 'message', ...s.log.onSegment(payload, toServer) };
        break;
      case 'ssh':
        return s.log.onSegment(dir, payload, !toServer);
      case 'ftp-data':
        return { kind: 'message', protocol: 'FTP-DATA', info: ftpDataInfo(s.channel, payload.length) };
      case 'irc':
        return { kind: 'message', protocol: 'IRC', info: ircInfo(payload, toServer) };
      case 'telnet':
        return TELNET_DATA;
      default:
        return null;
    }
    // After the server accepts STARTTLS (AUTH TLS, STLS, SSL): TLS from the next segment on.
    if (s.log.tlsStarted && !conv.tls) conv.tls = new TlsLogConversation();
    return summary;
  }

  #application(
    conv: LogConversation,
    dir: 0 | 1,
    tcp: TcpHeader,
    payload: Uint8Array,
    flags: number,
  ): AppSummary | null {
    if ((flags & RETRANSMITTED) !== 0) return null;
    if (!conv.tls && conv.httpLog?.tunnelOpen && looksLikeTls(payload)) conv.tls = new TlsLogConversation();
    if (conv.tls) return tlsSummary(conv.tls, dir, payload);
    // Behind HTTP found by port; tshark treats a heuristic HTTP conversation's tunnel otherwise
    // (the client's side stays HTTP), as ./httpLog.ts does.
    if (conv.httpLog?.tunnelOpen && conv.http === 'port') return this.#tunnelled(conv, conv.httpLog, dir, tcp, payload);
    if (conv.webSocket) return conv.webSocket.onSegment(dir, payload);
    if (conv.service)
      return this.#serviceSummary(conv, conv.service.log, dir, payload, tcp.destinationPort === conv.service.port);
    const fin = (tcp.flags & 0x01) !== 0;
    // On a port no dissector claims, tshark's TLS heuristic takes the conversation from this segment on.
    if (conv.http === 'no' && !conv.portClaimed && tlsByHeuristic(payload)) {
      conv.tls = new TlsLogConversation();
      return tlsSummary(conv.tls, dir, payload);
    }
    if (conv.http === 'no') {
      if (payload.length === 0 || !looksLikeHttp(payload)) return null;
      conv.http = 'heuristic';
      conv.httpLog = new HttpLogConversation();
    }
    if (payload.length === 0 && !fin) return null;
    const summary = conv.httpLog!.onSegment(dir, payload, fin);
    if (conv.httpLog!.webSocket) conv.webSocket = new WebSocketLogConversation();
    return summary;
  }
}

/**
 * A service tshark dissects by its port, line by line or message by message: ours to summarise
 * a conversation with, or a CONNECT tunnel that leads to that port (where tshark has the roles
 * reversed: what the proxy relays from the far server counts as the client's). `tcp`: none.
 */
type ServiceLog =
  | { readonly kind: 'smtp'; readonly log: SmtpLogConversation }
  | { readonly kind: 'ftp'; readonly log: FtpControlConversation }
  | { readonly kind: 'ftp-data'; readonly channel: FtpDataChannel }
  | { readonly kind: 'ssh'; readonly log: SshLogConversation }
  | { readonly kind: 'pop'; readonly log: PopLogConversation }
  | { readonly kind: 'imap'; readonly log: ImapLogConversation }
  | { readonly kind: 'pgsql'; readonly log: PgsqlLogConversation }
  | { readonly kind: 'irc' }
  | { readonly kind: 'telnet' }
  | { readonly kind: 'tcp' };

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];
const ZEROS = '000000000';

/** tshark's relative time column: seconds with `precision` decimals, truncated toward zero. */
function relativeText(ns: number, precision: number): string {
  const unit = POW10[9 - precision] ?? 10 ** (9 - precision);
  const negative = ns < 0;
  const abs = Math.floor(Math.abs(ns) / unit);
  const scale = POW10[precision] ?? 10 ** precision;
  const whole = Math.floor(abs / scale);
  const sign = negative ? '-' : '';
  if (precision <= 0) return `${sign}${whole}`;
  return `${sign}${whole}.${fractionDigits(abs - whole * scale, precision)}`;
}

/** '000' to '999': microsecond and nanosecond fractions are read off in threes, not formatted. */
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/** `frac` (below 10^precision) as exactly `precision` digits. */
function fractionDigits(frac: number, precision: number): string {
  if (precision === 6) return (THREE_DIGITS[Math.floor(frac / 1000)] as string) + THREE_DIGITS[frac % 1000];
  if (precision === 9) {
    const high = THREE_DIGITS[Math.floor(frac / 1_000_000)] as string;
    return high + THREE_DIGITS[Math.floor(frac / 1000) % 1000] + THREE_DIGITS[frac % 1000];
  }
  const text = String(frac);
  return ZEROS.slice(0, precision - text.length) + text;
}

/** A TLS segment's summary: records completed are a message; the rest is a segment of one. */
function tlsSummary(tls: TlsLogConversation, dir: 0 | 1, payload: Uint8Array): AppSummary | null {
  const r = tls.onSegment(dir, payload);
  return r && r.kind === 'records' ? { kind: 'message', protocol: r.protocol, info: r.info } : r;
}

/** Ports of the services we summarise (see ServiceLog), as tshark 4.0 registers them. */
const SERVICE_PORTS: ReadonlySet<number> = new Set([
  ...SMTP_PORTS,
  FTP_PORT,
  SSH_PORT,
  POP_PORT,
  IMAP_PORT,
  PGSQL_PORT,
  IRC_PORT,
  TELNET_PORT,
]);

/** tshark tries the lower port's dissector first, then the higher one's: HTTP, TLS, or a service's port. */
function portProtocol(a: number, b: number): 'http' | 'tls' | number | null {
  for (const port of a <= b ? [a, b] : [b, a]) {
    if (HTTP_PORTS.has(port)) return 'http';
    if (TLS_PORTS.has(port)) return 'tls';
    if (SERVICE_PORTS.has(port)) return port;
  }
  return null;
}

/** Give back what a forgotten conversation's SMTP or POP3 log kept of a message. */
function disposeService(conv: LogConversation): void {
  for (const s of [conv.service?.log, conv.tunnel])
    if (s !== undefined && s !== null && (s.kind === 'smtp' || s.kind === 'pop')) s.log.dispose();
}

function linkOnlyColumns(p: DecodedPacket): Columns {
  if (p.error) return { protocol: 'Malformed', info: p.error };
  if (p.link.protocol === 0x9000) return loopColumns(p);
  // A value of at most 1500 is an 802.3 length only in an Ethernet header (elsewhere it is an address family).
  if (p.link.protocol > 1500 || p.frame.linkType === LINKTYPE.ETHERNET) {
    const switchColumns = switchProtocolColumns(p.frame.data, p.link.offset, p.link.protocol);
    if (switchColumns) return switchColumns;
  }
  return { protocol: `0x${p.link.protocol.toString(16).padStart(4, '0')}`, info: 'Ethernet II' };
}

/** Ethernet Configuration Testing Protocol (Cisco keepalives): the function of its first message. */
function loopColumns(p: DecodedPacket): Columns {
  const b = p.frame.data;
  const at = p.link.offset + 2;
  const fn = at + 2 <= b.length ? (b[at] as number) | ((b[at + 1] as number) << 8) : -1;
  return { protocol: 'LOOP', info: fn === 1 ? 'Reply' : fn === 2 ? 'Forward Data' : 'Unknown function' };
}

function directionOf(conv: LogConversation, ip: string, port: number): 0 | 1 {
  return conv.firstIp === ip && conv.firstPort === port ? 0 : 1;
}
