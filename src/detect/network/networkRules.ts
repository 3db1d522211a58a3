/**
 * The monitor's network detectors as data: the rules they report under (id, name, threat of
 * the catalog, tags) and the shape of each detector's settings — limits, severity and score —
 * whose values are the config's (built in: src/catalog/defaults.yaml; a site's `network`
 * section over them, src/config/networkSection.ts). The detectors themselves
 * (src/monitor/detect/) only count.
 */
import type { Endpoint } from '../../observe/observation.js';
import type { NetworkFinding, Severity } from '../finding.js';

/** Catalog threats the scan, flood and guessing detectors name (src/catalog/threats/behaviour.yaml). */
export const NETWORK_THREATS = [
  'port-scan',
  'syn-flood',
  'ssh-brute-force',
  'ftp-brute-force',
  'smtp-auth-brute-force',
  'mailbox-brute-force',
  'database-brute-force',
] as const;

export type NetworkThreat = (typeof NETWORK_THREATS)[number];

/** What a network rule names. */
export interface NetworkRule {
  readonly name: string;
  readonly threatId: NetworkThreat;
  readonly tags: readonly string[];
}

const scan = (kind: string, name: string): NetworkRule => ({
  name: `${name} port scan`,
  threatId: 'port-scan',
  tags: ['scan', kind],
});

/** Password guessing against a service whose replies say each guess failed. */
const guessing = (failures: string, threatId: NetworkThreat, tag: string): NetworkRule => ({
  name: `Many failed ${failures} from one source at one server (password guessing)`,
  threatId,
  tags: ['bruteforce', tag],
});

export const NETWORK_RULES = {
  'monitor-port-scan-syn': scan('syn', 'SYN'),
  'monitor-port-scan-fin': scan('fin', 'FIN'),
  'monitor-port-scan-null': scan('null', 'NULL'),
  'monitor-port-scan-xmas': scan('xmas', 'Xmas'),
  'monitor-port-scan-udp': scan('udp', 'UDP'),
  'monitor-syn-flood': { name: 'SYN flood', threatId: 'syn-flood', tags: ['dos', 'syn-flood'] },
  'monitor-syn-flood-spoofed': {
    name: 'SYN flood (spoofed sources)',
    threatId: 'syn-flood',
    tags: ['dos', 'syn-flood', 'spoofed'],
  },
  'monitor-ssh-brute-force': {
    name: 'Many SSH connections from one source to one server (password guessing)',
    threatId: 'ssh-brute-force',
    tags: ['bruteforce', 'ssh'],
  },
  'monitor-ftp-brute-force': guessing('FTP logins', 'ftp-brute-force', 'ftp'),
  'monitor-smtp-auth-brute-force': guessing('SMTP AUTH attempts', 'smtp-auth-brute-force', 'smtp'),
  'monitor-pop3-brute-force': guessing('POP3 logins', 'mailbox-brute-force', 'pop3'),
  'monitor-imap-brute-force': guessing('IMAP logins', 'mailbox-brute-force', 'imap'),
  'monitor-mysql-brute-force': guessing('MySQL logins', 'database-brute-force', 'mysql'),
  'monitor-postgresql-brute-force': guessing('PostgreSQL logins', 'database-brute-force', 'postgresql'),
} as const satisfies Readonly<Record<string, NetworkRule>>;

export type NetworkRuleId = keyof typeof NETWORK_RULES;

/** How bad a detector's findings are, and what they add to a source's score. */
export interface FindingWeight {
  readonly severity: Severity;
  readonly score: number;
}

/**
 * Each detector's limits (seconds and counts), severity and score: the built-in values are data
 * (src/catalog/defaults.yaml), the config file's `network` section over them (src/config/).
 */
export interface NetworkSettings {
  readonly portScan: FindingWeight & {
    /** Sliding window, seconds. */
    readonly windowSeconds: number;
    /** Distinct ports probed on one host (vertical scan). */
    readonly ports: number;
    /** Distinct hosts probed (horizontal sweep). */
    readonly hosts: number;
    /**
     * Distinct ports on one host when the probes are FIN, NULL or Xmas: segments no real TCP
     * stack sends, so a handful is already a scan.
     */
    readonly stealthPorts: number;
    /** Seconds before the same source is reported again. */
    readonly cooldownSeconds: number;
  };
  readonly synFlood: FindingWeight & {
    readonly windowSeconds: number;
    /** SYNs to one destination (address and port) in the window. */
    readonly syns: number;
    /** SYNs to anywhere in the window, from spoofed sources to spoofed or many destinations. */
    readonly globalSyns: number;
    /** Distinct sources among them, for the global rule (one busy client is no flood). */
    readonly globalSources: number;
    /** At most this share of them may complete the handshake. */
    readonly maxCompletedShare: number;
    readonly cooldownSeconds: number;
  };
  readonly sshBruteForce: FindingWeight & {
    /** The ports SSH servers listen on. */
    readonly ports: readonly number[];
    /** Connection attempts from one source to one SSH server that make a finding… */
    readonly connections: number;
    /** …when they come faster than this many per this window (a leaky bucket). */
    readonly windowSeconds: number;
    readonly cooldownSeconds: number;
  };
  readonly loginGuessing: FindingWeight & {
    /** Failed-login replies (FTP 530, SMTP 535, POP3, IMAP, MySQL 1045, PostgreSQL 28P01) to one source from one server that make a finding… */
    readonly failures: number;
    /** …when they come faster than this many per this window (a leaky bucket). */
    readonly windowSeconds: number;
    readonly cooldownSeconds: number;
  };
}

export type NetworkDetectorName = keyof NetworkSettings;

/** What a detector saw, to be named by one of its rules. */
export interface NetworkSighting {
  readonly time: number;
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly transport: 'tcp' | 'udp';
  readonly evidence: string;
  /** Tags beyond the rule's own (a scan's `vertical` or `horizontal`). */
  readonly moreTags?: readonly string[];
}

/** A sighting as the finding of rule `ruleId`, weighed as its detector's settings say. */
export function networkFinding(ruleId: NetworkRuleId, weight: FindingWeight, seen: NetworkSighting): NetworkFinding {
  const rule: NetworkRule = NETWORK_RULES[ruleId];
  return {
    family: 'network',
    ruleId,
    ruleName: rule.name,
    threatId: rule.threatId,
    severity: weight.severity,
    score: weight.score,
    action: 'log',
    tags: seen.moreTags ? [...rule.tags, ...seen.moreTags] : rule.tags,
    time: seen.time,
    source: seen.source,
    destination: seen.destination,
    transport: seen.transport,
    evidence: seen.evidence,
  };
}
