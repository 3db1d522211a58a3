import type { ByteBudget } from '../protocols/byteBudget.js';
import { FTP_PORT, FtpControlConversation, type FtpDataChannel, type FtpDataChannels } from '../protocols/ftp.js';
import { HTTP_PORTS } from '../protocols/http/messageStart.js';
import { IMAP_PORT, ImapConversation } from '../protocols/imap.js';
import { IRC_PORT } from '../protocols/irc.js';
import { PGSQL_PORT, PgsqlConversation } from '../protocols/pgsql.js';
import { POP_PORT, Pop3Conversation } from '../protocols/pop3.js';
import { SMTP_PORTS, SmtpConversation } from '../protocols/smtp.js';
import { SSH_PORT, SshConversation } from '../protocols/ssh.js';
import { TLS_PORTS } from '../protocols/tls.js';

/**
 * Which protocol a TCP conversation speaks, decided once per conversation for everything that
 * reads it (the packet log and the detectors alike): by port as tshark 4.0 registers its
 * dissectors, then by the heuristics ./application.ts applies to ports no dissector claims.
 */

/** Telnet's port: tshark shows every segment with data as `Telnet Data ...`, whatever it holds. */
export const TELNET_PORT = 23;

/**
 * A service read line by line or message by message, for a conversation on its port or a
 * CONNECT tunnel that leads to that port. `tcp`: none (a tunnel to a port without one).
 */
export type Service =
  | { readonly kind: 'smtp'; readonly conversation: SmtpConversation }
  | { readonly kind: 'ftp'; readonly conversation: FtpControlConversation }
  | { readonly kind: 'ftp-data'; readonly channel: FtpDataChannel }
  | { readonly kind: 'ssh'; readonly conversation: SshConversation }
  | { readonly kind: 'pop3'; readonly conversation: Pop3Conversation }
  | { readonly kind: 'imap'; readonly conversation: ImapConversation }
  | { readonly kind: 'pgsql'; readonly conversation: PgsqlConversation }
  | { readonly kind: 'irc' }
  | { readonly kind: 'telnet' }
  | { readonly kind: 'tcp' };

/** Ports of the services above, as tshark 4.0 registers them. */
export const SERVICE_PORTS: ReadonlySet<number> = new Set([
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
export function portProtocol(a: number, b: number): 'http' | 'tls' | number | null {
  return portClaim(Math.min(a, b)) ?? portClaim(Math.max(a, b));
}

function portClaim(port: number): 'http' | 'tls' | number | null {
  if (HTTP_PORTS.has(port)) return 'http';
  if (TLS_PORTS.has(port)) return 'tls';
  if (SERVICE_PORTS.has(port)) return port;
  return null;
}

/** What services share across conversations: message data's memory, FTP's announced data connections. */
export interface ServiceContext {
  readonly budget: ByteBudget;
  readonly ftpChannels: FtpDataChannels;
  /** Every protocol is read (for the packet log), not only the services (see ./conversations.ts). */
  readonly readsAll: boolean;
}

/**
 * The service for a port in SERVICE_PORTS. FTP tells its client from its server by the
 * addresses of the conversation's first packet (`source`, `destination`, `sourcePort`); a
 * tunnel's FTP announces data connections to no address of this capture, so it passes none.
 */
export function serviceFor(
  port: number,
  context: ServiceContext,
  source: string,
  destination: string,
  sourcePort: number,
): Service {
  if (SMTP_PORTS.has(port)) return { kind: 'smtp', conversation: new SmtpConversation(context.budget) };
  switch (port) {
    case FTP_PORT: {
      const [client, server] = sourcePort === FTP_PORT ? [destination, source] : [source, destination];
      return { kind: 'ftp', conversation: new FtpControlConversation(context.ftpChannels, client, server) };
    }
    case SSH_PORT:
      return { kind: 'ssh', conversation: new SshConversation() };
    case POP_PORT:
      return { kind: 'pop3', conversation: new Pop3Conversation(context.budget) };
    case IMAP_PORT:
      return { kind: 'imap', conversation: new ImapConversation() };
    case PGSQL_PORT:
      return { kind: 'pgsql', conversation: new PgsqlConversation() };
    case IRC_PORT:
      return { kind: 'irc' };
    case TELNET_PORT:
      return { kind: 'telnet' };
    default:
      return { kind: 'tcp' };
  }
}

/** Give back what a forgotten service kept of a message (SMTP's and POP3's share of the budget). */
export function disposeService(s: Service | null): void {
  if (s !== null && (s.kind === 'smtp' || s.kind === 'pop3')) s.conversation.dispose();
}
