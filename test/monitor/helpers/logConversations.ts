/**
 * A protocol analyzer and the packet log's rendering of its events, together: one segment in,
 * what the log shows of it out — a message (protocol and Info), a segment of a PDU still to
 * come, or nothing (plain TCP) — for tests that feed one analyzer directly.
 */
import type { Columns } from '../../../src/monitor/log/columns.js';
import { applicationColumns } from '../../../src/monitor/log/info/application.js';
import { pop3Columns } from '../../../src/monitor/log/info/pop3.js';
import type { ByteBudget } from '../../../src/monitor/protocols/byteBudget.js';
import type { ProtocolEvent } from '../../../src/monitor/protocols/events.js';
import { Pop3Conversation } from '../../../src/monitor/protocols/pop3.js';
import type { Reading } from '../../../src/monitor/protocols/reading.js';
import { SmtpConversation } from '../../../src/monitor/protocols/smtp.js';
import { SshConversation } from '../../../src/monitor/protocols/ssh.js';
import { WebSocketConversation } from '../../../src/monitor/protocols/webSocket.js';

export type LogSummary =
  | { readonly kind: 'message'; readonly protocol: string; readonly info: string }
  | { readonly kind: 'segment' }
  | null;

function summary(reading: Reading, events: readonly ProtocolEvent[]): LogSummary {
  if (reading === null) return null;
  if (reading.kind === 'part') return { kind: 'segment' };
  const c = applicationColumns(events, reading) as Columns;
  return { kind: 'message', protocol: c.protocol, info: c.info };
}

export class SmtpLogConversation {
  readonly #c: SmtpConversation;
  constructor(budget: ByteBudget) {
    this.#c = new SmtpConversation(budget);
  }
  onSegment(dir: 0 | 1, payload: Uint8Array, toServer: boolean): LogSummary {
    const events: ProtocolEvent[] = [];
    return summary(this.#c.onSegment(dir, payload, toServer, events), events);
  }
}

export class SshLogConversation {
  readonly #c = new SshConversation();
  onSegment(dir: 0 | 1, payload: Uint8Array, fromServer: boolean): LogSummary {
    const events: ProtocolEvent[] = [];
    return summary(this.#c.onSegment(dir, payload, fromServer, events), events);
  }
}

export class WebSocketLogConversation {
  readonly #c = new WebSocketConversation();
  onSegment(dir: 0 | 1, payload: Uint8Array): LogSummary {
    const events: ProtocolEvent[] = [];
    return summary(this.#c.onSegment(dir, payload, events), events);
  }
}

export class PopLogConversation {
  readonly #c: Pop3Conversation;
  constructor(budget: ByteBudget) {
    this.#c = new Pop3Conversation(budget);
  }
  onSegment(payload: Uint8Array, toServer: boolean): Columns {
    const events: ProtocolEvent[] = [];
    this.#c.onSegment(payload, toServer, events);
    return pop3Columns(events[0] as Parameters<typeof pop3Columns>[0]);
  }
}
