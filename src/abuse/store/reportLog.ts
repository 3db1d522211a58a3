import type Database from 'better-sqlite3';
import { ensureAbuseTables } from './abuseTables.js';

/** One abuse report that was sent. */
export interface SentReport {
  readonly reportId: string;
  readonly sourceIp: string;
  readonly recipient: string;
  readonly sentAt: number;
  readonly eventIds: readonly string[];
  readonly messageId: string;
  readonly smtpResponse: string | null;
}

interface Row {
  report_id: string;
  source_ip: string;
  recipient: string;
  sent_at: number;
  event_ids: string;
  message_id: string;
  smtp_response: string | null;
}

/** The record of reports sent, so an incident is reported once and a day's cap holds. */
export class ReportLog {
  readonly #db: Database.Database;

  constructor(db: Database.Database) {
    ensureAbuseTables(db);
    this.#db = db;
  }

  record(report: SentReport): void {
    this.#db
      .prepare(
        `INSERT INTO abuse_reports (report_id, source_ip, recipient, sent_at, event_ids, message_id, smtp_response)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        report.reportId,
        report.sourceIp,
        report.recipient,
        report.sentAt,
        JSON.stringify(report.eventIds),
        report.messageId,
        report.smtpResponse,
      );
  }

  /** Reports about one source, newest first. */
  forSource(ip: string): SentReport[] {
    const rows = this.#db
      .prepare('SELECT * FROM abuse_reports WHERE source_ip = ? ORDER BY sent_at DESC')
      .all(ip) as Row[];
    return rows.map(fromRow);
  }

  /** How many reports were sent at or after `since`. */
  sentSince(since: number): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM abuse_reports WHERE sent_at >= ?').get(since) as { n: number })
      .n;
  }
}

function fromRow(r: Row): SentReport {
  return {
    reportId: r.report_id,
    sourceIp: r.source_ip,
    recipient: r.recipient,
    sentAt: r.sent_at,
    eventIds: JSON.parse(r.event_ids) as string[],
    messageId: r.message_id,
    smtpResponse: r.smtp_response,
  };
}
