import type { CrsSettings } from '../../config/crsSettings.js';
import type { BehaviourSettings } from '../../detect/behaviour/httpBehaviour.js';
import type { NamedLists } from '../../detect/compile.js';
import type { NetworkFinding } from '../../detect/finding.js';

/** What the monitor's judge worker is started with. */
export interface JudgeSetup {
  readonly lists: NamedLists;
  readonly allFlows: boolean;
  readonly behaviours: BehaviourSettings;
  readonly trustedProxies: readonly string[];
  /** The OWASP CRS to run beside the packs (config `crs`, `--crs`), or null. */
  readonly crs: CrsSettings | null;
}

/**
 * One item to judge, in capture order, as a tuple (thousands cross per batch). Byte ranges
 * point into the batch's `bytes`.
 */
export type JudgeItem =
  | readonly [
      kind: 'request',
      conn: number,
      start: number,
      clientIp: string,
      clientPort: number,
      serverIp: string,
      serverPort: number,
      at: number,
      length: number,
      malformed: string | null,
      status: number | null,
      time: number,
    ]
  | readonly [
      kind: 'datagram',
      sourceIp: string,
      sourcePort: number,
      destinationIp: string,
      destinationPort: number,
      time: number,
      frame: number,
      at: number,
      length: number,
    ]
  | readonly [kind: 'closed', conn: number]
  | readonly [kind: 'alert', alert: NetworkFinding];

/** main → worker. */
export interface JudgeBatch {
  readonly seq: number;
  readonly items: readonly JudgeItem[];
  /** Request heads and datagram payloads of the batch, end to end. */
  readonly bytes: Uint8Array;
}

/** worker → main. */
export interface JudgeReply {
  readonly seq: number;
  /**
   * `Array<SecurityEvent | number>` as JSON text (one string crosses threads as one copy): an
   * event, or the id of a connection to report as a flow, whose summary and packet records the main
   * thread holds.
   */
  readonly out: string;
  readonly counts: { datagrams: number; detections: number; alerts: number; flows: number };
}
