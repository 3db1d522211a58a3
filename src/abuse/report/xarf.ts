import { isIPv6 } from 'node:net';
import type { AbuseReport } from './abuseReport.js';

/**
 * X-ARF 0.2's report part (x-arf.org): `Category: abuse` with a Report-Type and the schema
 * that describes it. Of the published types, password guessing is a `login-attack`; every
 * other attack from a host (a worm, a bot, a scanner using someone's machine) is reported as a
 * `malware-attack`, the type for a host that attacks on someone else's behalf.
 */
export interface XarfReport {
  readonly 'Reported-From': string;
  readonly Category: 'abuse';
  readonly 'Report-Type': 'login-attack' | 'malware-attack';
  readonly 'Report-ID': string;
  readonly 'User-Agent': string;
  /** RFC 3339, UTC. */
  readonly Date: string;
  readonly Source: string;
  readonly 'Source-Type': 'ipv4' | 'ipv6';
  readonly Attachment: 'text/plain';
  readonly 'Schema-URL': string;
  readonly Version: 0.2;
  readonly Occurrences: number;
  readonly Service?: string;
  readonly Port?: number;
}

const SCHEMA_URL = {
  'login-attack': 'http://www.x-arf.org/schema/abuse_login-attack_0.1.2.json',
  'malware-attack': 'http://www.x-arf.org/schema/abuse_malware-attack_0.1.3.json',
} as const;

export function xarfReport(report: AbuseReport): XarfReport {
  const inc = report.incident;
  const main = inc.threats[0]?.id ?? '';
  const type = /brute-force$/.test(main) ? 'login-attack' : 'malware-attack';
  return {
    'Reported-From': report.reporter.email,
    Category: 'abuse',
    'Report-Type': type,
    'Report-ID': report.id,
    'User-Agent': report.userAgent,
    Date: new Date(inc.start).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    Source: inc.ip,
    'Source-Type': isIPv6(inc.ip) ? 'ipv6' : 'ipv4',
    Attachment: 'text/plain',
    'Schema-URL': SCHEMA_URL[type],
    Version: 0.2,
    Occurrences: inc.attacks,
    ...(inc.service.protocol ? { Service: inc.service.protocol } : {}),
    ...(inc.service.port !== null ? { Port: inc.service.port } : {}),
  };
}

/** The X-ARF report as JSON (which is also the YAML X-ARF's report part is read as). */
export function renderXarf(report: AbuseReport): string {
  return `${JSON.stringify(xarfReport(report), null, 2)}\n`;
}
