import type { Worker } from 'node:worker_threads';
import type { CrsSettings } from '../../config/crsSettings.js';
import type { BehaviourSettings } from '../../detect/behaviour/httpBehaviour.js';
import type { NamedLists } from '../../detect/compile.js';
import type { NetworkFinding } from '../../detect/finding.js';
import type { SecurityEvent } from '../../events/securityEvent.js';
import { startModuleWorker } from '../../runtime/moduleWorker.js';
import type { PacketTable } from '../evidence/packetTable.js';
import { flowEvent } from '../evidence/securityEvents.js';
import type { ConnectionView } from '../tcp/connection.js';
import type { Datagram, Judge, JudgeCounts, JudgedRequest } from './judge.js';
import type { JudgeBatch, JudgeItem, JudgeReply, JudgeSetup } from './protocol.js';

export interface RemoteJudgeOptions {
  /** Named lists for the rules (the site's own names). */
  readonly lists: NamedLists;
  readonly allFlows: boolean;
  /** The behaviours' limits: the site policy's (config/sitePolicy.ts), the config's over the built-in ones. */
  readonly behaviours: BehaviourSettings;
  /** CIDRs of proxies in front of the watched server (config `trusted_proxies`). */
  readonly trustedProxies?: readonly string[];
  /** The OWASP CRS to run beside the packs (config `crs`, `--crs`). */
  readonly crs?: CrsSettings | null;
  /** Events, in capture order, as the worker's answers arrive. */
  readonly onEvent: (event: SecurityEvent) => void;
}

/**
 * A closed connection whose verdict is on its way: what its flow event needs, should it be
 * one. A snapshot rather than the connection, whose buffers and cutters can then go at once.
 */
interface Closing {
  /** Closed: its counts no longer change, so its conn record is read only should it be reported. */
  readonly conn: ConnectionView;
  readonly packets: PacketTable | null;
}

/**
 * Batches (about a capture chunk each) sent ahead of the worker's answers: enough that the
 * packet path need not wait while the worker loads the rules, few enough to bound memory.
 */
const MAX_IN_FLIGHT = 16;

/**
 * The judge on a worker thread (./monitorWorker.ts), so that the engine's work on requests and
 * datagrams overlaps the packet path's decoding, packet log and reassembly. Items are batched
 * and sent when the event loop turns (after each capture chunk), in order; the worker answers
 * each batch in order, and its events are passed on in that order, so the events are the same,
 * in the same order, as with a LocalJudge. Flows come back as connection ids and are built
 * here, where the connections' packet records are.
 */
export class RemoteJudge implements Judge<ConnectionView> {
  readonly counts: JudgeCounts = { datagrams: 0, detections: 0, alerts: 0, flows: 0 };
  readonly #o: RemoteJudgeOptions;
  readonly #setup: JudgeSetup;
  /** Started with the first batch: a capture with nothing to judge never loads the rules. */
  #worker: Worker | null = null;
  #items: JudgeItem[] = [];
  #bytes: Uint8Array[] = [];
  #byteLength = 0;
  #closing = new Map<number, Closing>();
  /** Batches sent and not yet answered, oldest first: their closed connections' ids. */
  readonly #inFlight: Array<{ seq: number; closed: number[]; answered: Promise<void> }> = [];
  #closedInBatch: number[] = [];
  readonly #answers = new Map<number, (reply: JudgeReply) => void>();
  #seq = 0;
  #flushScheduled = false;
  #failure: Error | null = null;
  /** Set once the worker is told to stop: its exit is then no failure. */
  #finishing = false;

  constructor(options: RemoteJudgeOptions) {
    this.#o = options;
    const setup: JudgeSetup = {
      lists: options.lists,
      allFlows: options.allFlows,
      behaviours: options.behaviours,
      trustedProxies: options.trustedProxies ?? [],
      crs: options.crs ?? null,
    };
    this.#setup = setup;
  }

  /**
   * Start the worker now rather than with the first batch: a reader that knows there will be
   * something to judge lets the rules load while it reads.
   */
  start(): void {
    this.#started();
  }

  #started(): Worker {
    if (this.#worker !== null) return this.#worker;
    const worker = startModuleWorker('monitorWorker', import.meta.url, this.#setup);
    worker.on('message', (reply: JudgeReply) => {
      this.#answers.get(reply.seq)?.(reply);
      this.#answers.delete(reply.seq);
    });
    worker.on('error', (err) => this.#fail(err));
    worker.on('exit', (code) => {
      if (!this.#finishing) this.#fail(new Error(`the monitor's judge worker exited (code ${code})`));
    });
    this.#worker = worker;
    return worker;
  }

  request(conn: ConnectionView, req: JudgedRequest): void {
    const at = this.#keep(req.raw);
    const c = conn.client;
    const s = conn.server;
    this.#add([
      'request',
      conn.id,
      conn.start,
      c.ip,
      c.port,
      s.ip,
      s.port,
      at,
      req.raw.length,
      req.malformed,
      req.status,
      req.time,
    ]);
  }

  datagram(d: Datagram): void {
    const at = this.#keep(d.payload);
    const s = d.source;
    const t = d.destination;
    this.#add(['datagram', s.ip, s.port, t.ip, t.port, d.time, d.frame, at, d.payload.length]);
  }

  closed(conn: ConnectionView): void {
    // Only a connection that carried a request can have had a detection (most carry none).
    if (!this.#o.allFlows && conn.transactions.length === 0) return;
    // The connection lets its packet records go once closed: keep the table it had.
    this.#closing.set(conn.id, { conn, packets: conn.packets });
    this.#closedInBatch.push(conn.id);
    this.#add(['closed', conn.id]);
  }

  alert(alert: NetworkFinding): void {
    this.#add(['alert', alert]);
  }

  /**
   * Send what is batched, then wait until at most `maxInFlight` batches are unanswered: the
   * capture reader calls this after each chunk, so a slow judge holds the reading back.
   */
  async settle(maxInFlight = MAX_IN_FLIGHT): Promise<void> {
    this.#flush();
    while (this.#inFlight.length > maxInFlight) await this.#inFlight[0]?.answered;
    if (this.#failure) throw this.#failure;
  }

  /** Judge everything sent, pass its events on, and stop the worker. */
  async finish(): Promise<void> {
    try {
      await this.settle(0);
    } finally {
      this.#finishing = true;
      await this.#worker?.terminate();
    }
  }

  #keep(bytes: Uint8Array): number {
    const at = this.#byteLength;
    // Copied when the batch is sent: the bytes are views into capture chunks that move on.
    this.#bytes.push(bytes);
    this.#byteLength += bytes.length;
    return at;
  }

  #add(item: JudgeItem): void {
    this.#items.push(item);
    if (this.#flushScheduled) return;
    // A live capture has no chunk boundary to flush at: the batch goes when the event loop turns.
    this.#flushScheduled = true;
    setImmediate(() => this.#flush());
  }

  #flush(): void {
    this.#flushScheduled = false;
    if (this.#items.length === 0 || this.#failure) return;
    const bytes = new Uint8Array(this.#byteLength);
    let at = 0;
    for (const b of this.#bytes) {
      bytes.set(b, at);
      at += b.length;
    }
    const batch: JudgeBatch = { seq: ++this.#seq, items: this.#items, bytes };
    const closed = this.#closedInBatch;
    this.#items = [];
    this.#bytes = [];
    this.#byteLength = 0;
    this.#closedInBatch = [];
    const answered = new Promise<void>((resolve) => {
      this.#answers.set(batch.seq, (reply) => {
        this.#take(reply, closed);
        resolve();
      });
    });
    this.#inFlight.push({ seq: batch.seq, closed, answered });
    this.#started().postMessage(batch, [bytes.buffer]);
  }

  /** A batch's answer (answers come in the order the batches went). */
  #take(reply: JudgeReply, closed: readonly number[]): void {
    this.#inFlight.shift();
    Object.assign(this.counts, reply.counts);
    for (const item of JSON.parse(reply.out) as Array<SecurityEvent | number>) {
      if (typeof item !== 'number') {
        this.#o.onEvent(item);
        continue;
      }
      const c = this.#closing.get(item);
      if (c === undefined) continue;
      const { conn } = c;
      const uid = conn.uid;
      const http = conn.transactions.map((t, i) => t.record(uid, i + 1));
      const { dns, capture } = conn;
      this.#o.onEvent(
        flowEvent({ conn: { uid, ...conn.connFacts() }, http, dns, packets: c.packets?.records() ?? [], capture }),
      );
    }
    for (const id of closed) this.#closing.delete(id);
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    // Release every waiter: `settle` and `finish` report the failure.
    for (const answer of this.#answers.values()) answer({ seq: 0, out: '[]', counts: this.counts });
    this.#answers.clear();
  }
}
