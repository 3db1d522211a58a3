import type { AbuseAnswer } from './rdap/abuseAnswer.js';
import type { AbuseReport } from './report/abuseReport.js';
import { type ArfMessage, arfMessage } from './report/arfMessage.js';
import { decideSend, type SendDecision } from './send/sendDecision.js';
import { sendRaw } from './send/smtpSend.js';
import type { SentReport } from './store/reportLog.js';
import type { AbuseWorkspace } from './workspace.js';

export type SendOutcome =
  | { readonly kind: 'sent'; readonly message: ArfMessage; readonly to: string; readonly response: string }
  | { readonly kind: 'would-send'; readonly message: ArfMessage; readonly to: string }
  | { readonly kind: 'held'; readonly decision: Exclude<SendDecision, { kind: 'send' }>; readonly message: ArfMessage };

const DAY = 86_400_000;

/**
 * Send the report's MIME message to the abuse contact — or, on a dry run, say what would be
 * sent — if `decideSend` allows it; a sent report is recorded with the events it covers, so
 * they are not reported again.
 */
export async function sendReport(
  ws: AbuseWorkspace,
  report: AbuseReport,
  previous: readonly SentReport[],
  contact: AbuseAnswer | { readonly why: string },
  options: { dryRun: boolean; now: number },
): Promise<SendOutcome> {
  const message = arfMessage(report);
  const decision = decideSend({
    recipient: recipientFacts(contact),
    newAttacks: report.incident.attacks,
    previous,
    sentToday: ws.reports.sentSince(Math.floor(options.now / DAY) * DAY),
    dailyCap: ws.config.dailyCap,
    smtpConfigured: ws.config.smtp !== null,
  });
  if (decision.kind !== 'send') return { kind: 'held', decision, message };
  if (options.dryRun) return { kind: 'would-send', message, to: decision.to };
  const smtp = ws.config.smtp as NonNullable<typeof ws.config.smtp>;
  const delivery = await sendRaw(smtp, { from: smtp.from.email, to: decision.to }, message.raw);
  ws.reports.record({
    reportId: report.id,
    sourceIp: report.incident.ip,
    recipient: decision.to,
    sentAt: options.now,
    eventIds: report.incident.events.map((e) => e.event.id),
    messageId: message.messageId,
    smtpResponse: delivery.response,
  });
  return { kind: 'sent', message, to: decision.to, response: delivery.response };
}

function recipientFacts(contact: AbuseAnswer | { readonly why: string }): { email: string } | { why: string } {
  if ('why' in contact) return { why: contact.why };
  if (contact.kind === 'contact') return { email: contact.email };
  if (contact.kind === 'no-registry') return { why: 'no registry holds this address' };
  return {
    why: `the registry lists no abuse contact for ${contact.network.name ?? contact.network.handle ?? 'the network'}`,
  };
}
