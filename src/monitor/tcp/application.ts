import type { TcpHeader } from '../decode/tcp.js';
import { ftpData } from '../protocols/ftp.js';
import { HttpNaming } from '../protocols/http/httpNaming.js';
import type { HttpStream } from '../protocols/http/httpStream.js';
import { looksLikeHttp } from '../protocols/http/messageStart.js';
import { readMysql } from '../protocols/mysql.js';
import { PDUS, type Reading } from '../protocols/reading.js';
import { looksLikeTls, TlsConversation, tlsByHeuristic } from '../protocols/tls.js';
import { WebSocketConversation } from '../protocols/webSocket.js';
import type { Connection, ConnectionView } from './connection.js';
import type { Conversation } from './conversation.js';
import { SERVICE_PORTS, type Service, type ServiceContext, serviceFor } from './service.js';
import type { TcpSegment } from './tcpSegment.js';

/** The ports of the direction bytes were sent in, and whether its FIN came with them. */
export type SentBy = Pick<TcpHeader, 'sourcePort' | 'destinationPort' | 'flags'>;

/**
 * Hand in-order bytes of the one reassembly (../tcp/connection.ts; `payload` may be empty for
 * a bare FIN) to whatever reads the conversation, as tshark picks its dissectors: TLS once
 * found; a CONNECT tunnel's service; WebSocket after an upgrade; a service by port; else TLS or
 * HTTP by heuristic — HTTP named from what `conn`'s HTTP framer made of the same bytes, just
 * before. The reading and the reader go to `seg` (the frame whose bytes completed them), the
 * events to `seg.events`.
 */
export function readApplication(
  conv: Conversation,
  conn: Connection,
  seg: TcpSegment,
  tcp: SentBy,
  payload: Uint8Array,
  context: ServiceContext,
): void {
  if (conv.mysqlPort !== 0 && payload.length > 0)
    readMysql(payload, tcp.destinationPort === conv.mysqlPort, seg.events);
  const dir = seg.dir;
  // The connection's direction of the conversation's `dir` (they differ where the SYN was missed).
  const connDir = conn.originator.ip === conv.firstIp && conn.originator.port === conv.firstPort ? dir : 1 - dir;
  const http = conv.httpNaming !== null ? conn.http : null;
  const tunnelOpen = http?.tunnelOpenBefore(connDir === 0 ? 0 : 1) === true;
  if (!conv.tls && tunnelOpen && looksLikeTls(payload)) conv.tls = new TlsConversation();
  if (conv.tls) {
    readTls(conv.tls, seg, payload);
    return;
  }
  // Behind HTTP found by port; tshark treats a heuristic HTTP conversation's tunnel otherwise
  // (the client's side stays HTTP, its proxy's side is read by nothing).
  if (http !== null && tunnelOpen && conv.http === 'port') {
    readTunnel(conv, http, http.proxyDirection === connDir, seg, tcp, payload, context);
    return;
  }
  if (conv.webSocket) {
    seg.reader = 'other';
    seg.reading = conv.webSocket.onSegment(dir, payload, seg.events);
    return;
  }
  if (conv.service) {
    readService(conv, conv.service.reader, seg, payload, tcp.destinationPort === conv.service.port);
    return;
  }
  if (!context.readsAll) return;
  const fin = (tcp.flags & 0x01) !== 0;
  // On a port no dissector claims, tshark's TLS heuristic takes the conversation from this segment on.
  if (conv.http === 'no' && !conv.portClaimed && tlsByHeuristic(payload)) {
    conv.tls = new TlsConversation();
    readTls(conv.tls, seg, payload);
    return;
  }
  if (conv.http === 'no') {
    if (payload.length === 0 || !looksLikeHttp(payload)) return;
    conv.http = 'heuristic';
    conv.httpNaming = new HttpNaming();
  }
  if (payload.length === 0 && !fin) return;
  const naming = conv.httpNaming as HttpNaming;
  seg.reader = 'http';
  seg.reading = naming.read(conn.http.framer(connDir === 0 ? 0 : 1), payload, fin, seg.events);
  if (conn.http.webSocket) conv.webSocket = new WebSocketConversation();
}

function readTls(tls: TlsConversation, seg: TcpSegment, payload: Uint8Array): void {
  seg.reader = 'tls';
  seg.reading = tls.onSegment(seg.dir, payload, seg.events);
}

/** A CONNECT tunnel behind HTTP found by port; `asClient`: the bytes come from the proxy (which answered the CONNECT). */
function readTunnel(
  conv: Conversation,
  http: HttpStream<ConnectionView>,
  asClient: boolean,
  seg: TcpSegment,
  tcp: SentBy,
  payload: Uint8Array,
  context: ServiceContext,
): void {
  // tshark's reversal: the proxy's side (the far server's words) is taken for the client's.
  const proxyPort = asClient ? tcp.sourcePort : tcp.destinationPort;
  // tshark tries the lower of the proxy's port and the tunnel's first: the proxy's port is
  // HTTP's, which declines a tunnel, and the data stays TCP (no heuristic of ours takes it).
  const port = http.tunnelPort;
  conv.tunnel ??=
    port === 0 || proxyPort < port || !SERVICE_PORTS.has(port)
      ? { kind: 'tcp' }
      : serviceFor(port, context, '', '', tcp.sourcePort);
  readService(conv, conv.tunnel, seg, payload, asClient);
}

/** A service's reading of a segment (`toServer`: sent to the service's port); TLS from when it says so. */
function readService(conv: Conversation, s: Service, seg: TcpSegment, payload: Uint8Array, toServer: boolean): void {
  if (payload.length === 0) return;
  const { dir, events } = seg;
  seg.reader = 'other';
  seg.toServer = toServer;
  let reading: Reading;
  switch (s.kind) {
    case 'smtp':
      reading = s.conversation.onSegment(dir, payload, toServer, events);
      break;
    case 'pgsql':
      seg.reader = 'pgsql';
      reading = s.conversation.onSegment(dir, payload, toServer, events);
      break;
    case 'imap': {
      const r = s.conversation.onSegment(dir, payload, toServer, events);
      // tshark's heuristic took this segment for TLS (a capture that starts after STARTTLS).
      if (r === 'tls') {
        conv.tls = new TlsConversation();
        readTls(conv.tls, seg, payload);
        return;
      }
      reading = r;
      break;
    }
    case 'ftp':
    case 'pop3':
      s.conversation.onSegment(payload, toServer, events);
      reading = PDUS;
      break;
    case 'ssh':
      seg.reader = 'ssh';
      seg.reading = s.conversation.onSegment(dir, payload, !toServer, events);
      return;
    case 'ftp-data':
      events.push(ftpData(s.channel, payload.length));
      seg.reading = PDUS;
      return;
    case 'irc':
      events.push({ kind: 'irc_lines', toServer, lines: payload });
      seg.reading = PDUS;
      return;
    case 'telnet':
      events.push(TELNET_DATA);
      seg.reading = PDUS;
      return;
    default:
      seg.reader = 'none';
      return;
  }
  seg.reading = reading;
  // After the server accepts STARTTLS (AUTH TLS, STLS, SSL): TLS from the next segment on.
  if (s.conversation.tlsStarted && !conv.tls) conv.tls = new TlsConversation();
}

const TELNET_DATA = { kind: 'telnet_data' } as const;
