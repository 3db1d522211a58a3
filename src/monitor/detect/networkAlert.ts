import type { Endpoint } from '../../observe/observation.js';

/** A network-level finding of a stateful detector (scan, flood), before it becomes an event. */
export interface NetworkAlert {
  /** Catalog threat id. */
  readonly threatId: 'port-scan' | 'syn-flood';
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
