import type { Endpoint } from '../../observe/observation.js';

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

/** A network-level finding of a stateful detector (scan, flood), before it becomes an event. */
export interface NetworkAlert {
  /** Catalog threat id. */
  readonly threatId: (typeof NETWORK_THREATS)[number];
  readonly ruleId: string;
  readonly ruleName: string;
  readonly time: number;
  readonly source: Endpoint;
  readonly destination: Endpoint;
  readonly transport: 'tcp' | 'udp';
  /** One line of evidence: what was counted. */
  readonly evidence: string;
  readonly tags: readonly string[];
}
