import type { HttpNaming } from '../protocols/http/httpNaming.js';
import type { TlsConversation } from '../protocols/tls.js';
import type { WebSocketConversation } from '../protocols/webSocket.js';
import type { Connection, Ending } from './connection.js';
import { type ConversationAnalysis, newConversationAnalysis } from './sequenceAnalysis.js';
import type { Service } from './service.js';

/** What a conversation is opened with: its key, who opened it, and what its ports (or an FTP announcement) make it. */
export type ConversationInit = Pick<
  Conversation,
  | 'key'
  | 'firstIp'
  | 'firstPort'
  | 'httpByPort'
  | 'httpNaming'
  | 'tls'
  | 'service'
  | 'portClaimed'
  | 'mysqlPort'
  | 'read'
>;

/**
 * One TCP conversation (a 4-tuple, until its ports are reused): tshark's sequence analysis of
 * both directions, what reads its payload — HTTP (by port, or once the data looked like it),
 * TLS, WebSocket after an upgrade, a service by port, a CONNECT tunnel's service — and the
 * connection its endpoints hold (a new one when a SYN follows an ended one).
 */
export class Conversation {
  /** Its key in the table (../decode/flowKey.ts). */
  readonly key: string;
  /** tshark's sequence analysis; none for a conversation nothing reads (see `read`). */
  readonly analysis: ConversationAnalysis | null;
  /** The connection as tracked: null until the first segment is, and once it ended. */
  connection: Connection | null = null;
  /** How the last connection ended (it is let go then, its record reported); null before one did. */
  ended: Ending | null = null;
  /** Address and port of the endpoint whose packet opened the conversation (direction 0). */
  readonly firstIp: string;
  readonly firstPort: number;
  /** 'port': HTTP by port; 'heuristic': HTTP once a payload looked like it; 'no': not (yet) HTTP. */
  http: 'port' | 'heuristic' | 'no';
  /** HTTP by port: what its client sends is reported to the rule engine even when it is no HTTP. */
  readonly httpByPort: boolean;
  /** tshark's naming of its HTTP frames, from its connection's one HTTP framing (while the log is made). */
  httpNaming: HttpNaming | null;
  /** TLS by port, or inside a CONNECT tunnel once the data looks like TLS, or after STARTTLS. */
  tls: TlsConversation | null = null;
  /** WebSocket, once an HTTP upgrade to it was answered. */
  webSocket: WebSocketConversation | null = null;
  /** The service a port (or an FTP announcement) gave the conversation, and the server's port. */
  readonly service: { readonly port: number; readonly reader: Service } | null;
  /** What a CONNECT tunnel carries, once one is open: the service of the port it leads to. */
  tunnel: Service | null = null;
  /** A port of it belongs to a dissector (HTTP, TLS, a service), so no heuristic is tried. */
  readonly portClaimed: boolean;
  /** The server's port when the conversation is MySQL's (read for refused logins only), else 0. */
  readonly mysqlPort: number;
  /** Anything reads its payload (where only services are read, a conversation without one is just tracked). */
  readonly read: boolean;

  constructor(init: ConversationInit) {
    ({ key: this.key, firstIp: this.firstIp, firstPort: this.firstPort, httpByPort: this.httpByPort } = init);
    ({ httpNaming: this.httpNaming, tls: this.tls, service: this.service } = init);
    ({ portClaimed: this.portClaimed, mysqlPort: this.mysqlPort, read: this.read } = init);
    this.http = init.httpByPort ? 'port' : 'no';
    this.analysis = init.read ? newConversationAnalysis() : null;
  }

  /** 0 for a packet from the endpoint that opened the conversation, else 1. */
  directionOf(ip: string, port: number): 0 | 1 {
    return this.firstIp === ip && this.firstPort === port ? 0 : 1;
  }
}
