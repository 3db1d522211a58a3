import type { Severity } from '../detect/types.js';

/**
 * The catalog entry each of CRS's attack classes (its `attack-*` tags) is reported as. CRS's
 * evidence is generic, so it names generic threats, never a CVE or a worm.
 */
const THREAT_OF_CLASS: Readonly<Record<string, string>> = {
  sqli: 'sql-injection',
  xss: 'xss',
  lfi: 'path-traversal',
  rfi: 'remote-file-inclusion',
  rce: 'command-injection',
  'injection-php': 'code-injection',
  'injection-java': 'code-injection',
  'injection-generic': 'code-injection',
  ssti: 'code-injection',
  ssrf: 'server-side-request-forgery',
  'reputation-scanner': 'vulnerability-scanner',
  protocol: 'malformed-request',
  'multipart-header': 'malformed-request',
  'deprecated-header': 'malformed-request',
  fixation: 'session-fixation',
  disclosure: 'information-disclosure',
  generic: 'code-injection',
};

/** The threat of a match without a class (the anomaly evaluation) or of an unknown class. */
export const CRS_DEFAULT_THREAT = 'malformed-request';

/** Every threat a CRS match can name (the catalog must know them all). */
export const CRS_THREATS: readonly string[] = [...new Set([...Object.values(THREAT_OF_CLASS), CRS_DEFAULT_THREAT])];

export function threatOfClass(attack: string | null): string {
  return (attack !== null ? THREAT_OF_CLASS[attack] : undefined) ?? CRS_DEFAULT_THREAT;
}

/** CRS's severities in bansho's words. */
export function severityOf(crsSeverity: string | undefined): Severity {
  switch (crsSeverity) {
    case 'EMERGENCY':
    case 'ALERT':
    case 'CRITICAL':
      return 'critical';
    case 'ERROR':
      return 'high';
    case 'WARNING':
      return 'medium';
    case 'NOTICE':
      return 'low';
    default:
      return 'info';
  }
}

/** What a rule of each severity adds to the anomaly score, as crs-setup.conf sets it by default. */
export function anomalyScoreOf(crsSeverity: string | undefined): number {
  switch (crsSeverity) {
    case 'EMERGENCY':
    case 'ALERT':
    case 'CRITICAL':
      return 5;
    case 'ERROR':
      return 4;
    case 'WARNING':
      return 3;
    case 'NOTICE':
      return 2;
    default:
      return 0;
  }
}
