import { type AbuseReport, headline, recipientOf } from './abuseReport.js';
import { renderText } from './reportText.js';

/** The envelope and the message text: what an SMTP server is handed. */
export interface ArfMessage {
  readonly from: string;
  /** Null when RDAP named no abuse contact: the message can be shown but not sent. */
  readonly to: string | null;
  readonly messageId: string;
  readonly subject: string;
  readonly raw: string;
}

/**
 * The report as an ARF-style message (RFC 5965 structure): `multipart/report;
 * report-type=feedback-report` with the text for people, the `message/feedback-report` part
 * (Feedback-Type, User-Agent, Version, Source-IP, Arrival-Date, Incidents) and the evidence
 * as a text attachment. Deterministic for the same report (boundary and ids derive from it).
 */
export function arfMessage(report: AbuseReport): ArfMessage {
  const inc = report.incident;
  const key = inc.reportKey;
  const domain = report.id.split('@')[1] ?? 'localhost';
  const boundary = `=_bansho_${key}`;
  const to = recipientOf(report);
  const subject = `Abuse report: ${headline(report)} from ${inc.ip} (${new Date(inc.start).toISOString().slice(0, 10)} UTC)`;
  const messageId = `<${key}.${report.createdAt}@${domain}>`;
  const from = report.reporter.name
    ? `${encodeWord(report.reporter.name)} <${report.reporter.email}>`
    : report.reporter.email;

  const headers = [
    `From: ${from}`,
    ...(to ? [`To: ${to}`] : []),
    `Subject: ${encodeWord(subject)}`,
    `Date: ${mailDate(report.createdAt)}`,
    `Message-ID: ${messageId}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=feedback-report; boundary="${boundary}"`,
  ];
  const feedback = [
    'Feedback-Type: abuse',
    `User-Agent: ${report.userAgent}`,
    'Version: 1',
    `Source-IP: ${inc.ip}`,
    `Arrival-Date: ${mailDate(inc.start)}`,
    `Incidents: ${inc.attacks}`,
  ].join('\r\n');
  const evidence = report.evidence.entries
    .flatMap((e) => [
      `${new Date(e.time).toISOString()} ${inc.ip}${e.sourcePort !== null ? `:${e.sourcePort}` : ''} ${e.sensor} ${e.action}${e.threatId ? ` ${e.threatId}` : ''}`,
      ...e.lines.map((l) => `  ${l}`),
    ])
    .join('\r\n');

  const raw = [
    ...headers,
    '',
    'This is an abuse report in the Abuse Reporting Format (RFC 5965).',
    '',
    `--${boundary}`,
    ...textPart('text/plain; charset=utf-8', renderText(report)),
    `--${boundary}`,
    'Content-Type: message/feedback-report',
    'Content-Transfer-Encoding: 7bit',
    '',
    feedback,
    '',
    `--${boundary}`,
    ...textPart(
      'text/plain; charset=utf-8; name="evidence.txt"',
      `${evidence}\r\n`,
      'attachment; filename="evidence.txt"',
    ),
    `--${boundary}--`,
    '',
  ].join('\r\n');
  return { from: report.reporter.email, to, messageId, subject, raw };
}

/** A text body part: 7bit when it is short-lined ASCII, base64 otherwise (RFC 2045). */
function textPart(contentType: string, text: string, disposition?: string): string[] {
  const crlf = text.replace(/\r?\n/g, '\r\n');
  const plain = !/[^\x20-\x7e\r\n]/.test(crlf) && crlf.split('\r\n').every((l) => l.length <= 998);
  const head = [
    `Content-Type: ${contentType}`,
    `Content-Transfer-Encoding: ${plain ? '7bit' : 'base64'}`,
    ...(disposition ? [`Content-Disposition: ${disposition}`] : []),
    '',
  ];
  const body = plain
    ? crlf
    : (
        Buffer.from(crlf, 'utf8')
          .toString('base64')
          .match(/.{1,76}/g) ?? []
      ).join('\r\n');
  return [...head, body.replace(/\r\n$/, '')];
}

/** RFC 5322 date in UTC: `Sun, 06 Dec 2026 15:22:51 +0000`. */
export function mailDate(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

/** A header value, as an RFC 2047 encoded word when it is not plain ASCII. */
function encodeWord(text: string): string {
  if (!/[^\x20-\x7e]/.test(text)) return text;
  return `=?utf-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}
