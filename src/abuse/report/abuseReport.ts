import type { AbuseAnswer } from '../rdap/abuseAnswer.js';
import { type Evidence, type EvidenceLimits, evidenceOf } from './evidence.js';
import type { AbuseIncident } from './incident.js';
import { type OwnNetwork, Redactor } from './redact.js';

/** Who sends the report: the address abuse desks reply to. */
export interface Reporter {
  readonly name: string | null;
  readonly email: string;
}

/** Everything the three report formats (text, X-ARF, MIME) are rendered from. */
export interface AbuseReport {
  /** `KEY@reporter-domain`: X-ARF's Report-ID, the same for the same events. */
  readonly id: string;
  readonly incident: AbuseIncident;
  readonly evidence: Evidence;
  /** The RDAP answer naming the recipient; null when there is none. */
  readonly contact: AbuseAnswer | null;
  /** Why there is no RDAP answer (the lookup failed, or was not made). */
  readonly contactUnknown: string | null;
  readonly reporter: Reporter;
  /** The source's origin from offline data, one line; null when not known. */
  readonly origin: string | null;
  readonly createdAt: number;
  readonly userAgent: string;
}

export interface ComposeInput {
  readonly incident: AbuseIncident;
  readonly contact: AbuseAnswer | null;
  readonly contactUnknown: string | null;
  readonly reporter: Reporter;
  readonly own: OwnNetwork;
  readonly origin: string | null;
  readonly limits: EvidenceLimits;
  readonly createdAt: number;
  readonly userAgent: string;
}

/** Put a report together: the evidence redacted and bounded, the id derived from the events. Pure. */
export function composeReport(input: ComposeInput): AbuseReport {
  const redactor = new Redactor(input.incident.ip, input.own);
  const domain = input.reporter.email.split('@')[1] || 'localhost';
  return {
    id: `${input.incident.reportKey}@${domain}`,
    incident: input.incident,
    evidence: evidenceOf(input.incident.events, redactor, input.limits),
    contact: input.contact,
    contactUnknown: input.contact ? null : input.contactUnknown,
    reporter: input.reporter,
    origin: input.origin,
    createdAt: input.createdAt,
    userAgent: input.userAgent,
  };
}

/** `2026-12-06 15:22:51 UTC`: every time in a report, with its zone stated. */
export function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The recipient's address, when RDAP named one. */
export function recipientOf(report: AbuseReport): string | null {
  return report.contact?.kind === 'contact' ? report.contact.email : null;
}

/** `PrettyPark and 2 other threats`: the subject's short name for what happened. */
export function headline(report: AbuseReport): string {
  const [first, ...rest] = report.incident.threats;
  const name = first?.name ?? 'attacks';
  return rest.length === 0 ? name : `${name} and ${rest.length} other threat${rest.length === 1 ? '' : 's'}`;
}
