import cluster, { type Worker } from 'node:cluster';
import type { GatewayTotals } from '../gatewayTotals.js';
import { BanCustodyBook } from './banCustody.js';
import { type BanNews, isPeerMessage, type PeerMessage } from './peerNews.js';
import { isTotalsMessage, type TotalsMessage } from './poolTotals.js';
import { RelayRounds } from './relayRounds.js';

/**
 * A worker's first words once it listens: its start-up lines (what it guards, then CRS, the
 * dashboard, the honeypot ...), which the primary prints once, from worker 1, when all are up.
 */
export interface ReadyMessage {
  readonly bansho: 'ready';
  readonly lines: readonly string[];
}

export function isReadyMessage(message: unknown): message is ReadyMessage {
  const m = message as { bansho?: unknown; lines?: unknown } | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    m.bansho === 'ready' &&
    Array.isArray(m.lines) &&
    m.lines.length > 0 &&
    m.lines.every((line) => typeof line === 'string')
  );
}

/** How long a ban's refusal waits at most for the other workers to acknowledge it (issue 21's bar). */
const BAN_ACK_BOUND_MS = 100;
/** How long a scrape of the pool's totals waits for a worker (one that is late counts with its last reply). */
const TOTALS_BOUND_MS = 1000;

/** Which of the N workers a process is (1-based), from the environment the primary gave it. */
export const WORKER_INDEX_ENV = 'BANSHO_WORKER';

export interface WorkerPoolOptions {
  readonly workers: number;
  readonly log: (line: string) => void;
  /** How long a replacement waits after a worker died, so a crash loop does not spin. */
  readonly restartDelayMs?: number;
}

/**
 * `serve --workers N`: N gateway processes on one listening socket (node:cluster), each a whole
 * gateway with its own upstream pool and rules, all sharing bans, scores and behaviour counts
 * through the news this primary relays (./peerNews.ts). A ban is acknowledged: the worker that
 * made it writes its refusal once every other worker holds it (./relayRounds.ts), so the source's
 * next connection is dropped whichever worker takes it. The dashboard's worker asks the others
 * for their totals through it (./poolTotals.ts). The primary holds no request; it
 * relays, replaces a worker that dies after it started (handing the bans it held unwritten
 * to a sibling to write: ./banCustody.ts), passes SIGHUP on, and on
 * SIGTERM/SIGINT lets every worker drain. Resolves
 * when all are gone; rejects when a worker dies before it ever listened (a start-up failure:
 * a taken port, a broken config — starting it again would fail the same way).
 */
export function runWorkerPool(options: WorkerPoolOptions): Promise<void> {
  const { workers, log } = options;
  const indexOf = new Map<Worker, number>();
  const ready = new Set<number>();
  // The workers that hear relayed news: those that have joined, from before they read their ban list.
  const joined = new Set<Worker>();
  const acks = new RelayRounds<Worker, true>((to, id) => sendTo(to, { bansho: 'peer-held', id }), BAN_ACK_BOUND_MS);
  // Each worker's bans the store has not taken; those of a worker that ended go to another to write.
  const custody = new BanCustodyBook<Worker>();
  const handOrphans = (to: Worker): void => {
    if (custody.orphans > 0) sendTo(to, { bansho: 'peer-adopt', bans: custody.take() });
  };
  // A join's round: the siblings' unwritten bans go to the newcomer ahead of its `peer-joined`
  // (and those of ended workers that no sibling was there to take).
  const briefs = new RelayRounds<Worker, readonly BanNews[]>((to, _id, replies) => {
    for (const bans of replies.values()) for (const news of bans) sendTo(to, { bansho: 'peer-news', news });
    handOrphans(to);
    sendTo(to, { bansho: 'peer-joined' });
  }, BAN_ACK_BOUND_MS);
  const totals = new RelayRounds<Worker, GatewayTotals>((to, id, replies) => {
    const workers = [...replies].map(([w, t]) => ({ index: indexOf.get(w) ?? 0, pid: w.process.pid ?? 0, totals: t }));
    sendTo(to, { bansho: 'totals-all', id, workers });
  }, TOTALS_BOUND_MS);
  const relayTotals = (from: Worker, message: TotalsMessage): void => {
    if (message.bansho === 'totals') totals.reply(from, message.id, message.totals);
    else if (message.bansho === 'totals-ask') {
      const to = [...indexOf.keys()].filter((w) => w !== from && w.isConnected());
      const id = totals.open(from, message.id, to);
      if (id !== null) for (const w of to) sendTo(w, { bansho: 'totals-ask', id });
    }
  };
  // Each joined worker's client connections, as it last told them: each hears the others' sum.
  const holding = new Map<Worker, number>();
  const tellShares = (except: Worker | null): void => {
    let total = 0;
    for (const count of holding.values()) total += count;
    for (const w of joined)
      if (w !== except)
        sendTo(w, { bansho: 'peer-share', others: total - (holding.get(w) ?? 0), workers: joined.size });
  };
  const relay = (from: Worker, message: PeerMessage): void => {
    if (message.bansho === 'peer-join') {
      const to = [...joined].filter((w) => w !== from && w.isConnected());
      // Counted among the joined first: a ban made while its siblings answer is relayed to it too.
      joined.add(from);
      const id = briefs.open(from, 0, to);
      if (id !== null) for (const w of to) sendTo(w, { bansho: 'peer-arrived', id });
      tellShares(null);
    } else if (message.bansho === 'peer-briefed') briefs.reply(from, message.id, message.bans);
    else if (message.bansho === 'peer-custody') custody.told(from, message.change);
    else if (message.bansho === 'peer-holding') {
      if (!joined.has(from)) return;
      holding.set(from, message.count);
      // The teller's own share is unchanged: only the others' sum moved.
      tellShares(from);
    } else if (message.bansho === 'peer-ack') acks.reply(from, message.id, true);
    else if (message.bansho === 'peer-news') {
      if (message.id === undefined) {
        for (const w of joined) if (w !== from) sendTo(w, message);
        return;
      }
      const to = [...joined].filter((w) => w !== from && w.isConnected());
      const id = acks.open(from, message.id, to);
      if (id !== null) for (const w of to) sendTo(w, { bansho: 'peer-news', news: message.news, id });
    }
  };
  const leave = (worker: Worker): void => {
    const was = joined.delete(worker);
    acks.gone(worker);
    briefs.gone(worker);
    totals.gone(worker);
    if (!was) return;
    holding.delete(worker);
    if (!stopping) tellShares(null);
  };
  // Worker 1's start lines: it alone runs the dashboard and keeps the firewall table.
  let firstWorkerLines: readonly string[] | null = null;
  let announced = false;
  let stopping = false;

  // Every worker accepts on the shared socket itself (SCHED_NONE), rather than the primary
  // accepting each connection and passing it over IPC in turn (node's default on Linux): a
  // banned source is then dropped by a worker's handle guard for one getpeername and a reset,
  // where the hand-over cost the primary and the worker several times that (bench/gateway.ts).
  // With a new connection per request the hand-over doubles the CPU a request costs (the bare
  // reference proxy: 378 µs against 187, 0.70× one process against 1.47×; bench/workers.ts).
  // Its one gain, connections held open spread more evenly (a burst of them can land 45/19 on
  // two workers accepting themselves), measured within the noise of 2 workers' req/s.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const fork = (index: number): void => {
    indexOf.set(cluster.fork({ [WORKER_INDEX_ENV]: String(index) }), index);
  };

  return new Promise<void>((resolve, reject) => {
    cluster.on('message', (from: Worker, message: unknown) => {
      if (isPeerMessage(message)) {
        relay(from, message);
        return;
      }
      if (isTotalsMessage(message)) {
        relayTotals(from, message);
        return;
      }
      if (!isReadyMessage(message)) return;
      const index = indexOf.get(from) ?? 0;
      ready.add(index);
      if (index === 1) firstWorkerLines = message.lines;
      if (ready.size === workers && !announced) {
        announced = true;
        const [guarding, ...rest] = firstWorkerLines ?? message.lines;
        log(`${guarding}, ${workers} worker processes`);
        for (const line of rest) log(line);
      }
    });
    cluster.on('disconnect', leave);
    cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
      leave(worker);
      const index = indexOf.get(worker) ?? 0;
      indexOf.delete(worker);
      // A worker stopped with the pool keeps its own unwritten bans (spilled at close).
      if (!stopping) {
        custody.ended(worker);
        const heir = [...joined].find((w) => w.isConnected());
        if (heir !== undefined) handOrphans(heir);
      }
      if (stopping) {
        if (indexOf.size === 0) resolve();
        return;
      }
      const how = signal ?? `code ${code}`;
      if (!ready.has(index)) {
        stop('a worker failed to start');
        reject(new Error(`gateway worker ${index} exited (${how}) before it listened`));
        return;
      }
      log(`bansho: gateway worker ${index} exited (${how}); starting another`);
      setTimeout(() => {
        if (!stopping) fork(index);
      }, options.restartDelayMs ?? 1000).unref();
    });
    const stop = (why: string): void => {
      if (stopping) return;
      stopping = true;
      log(`bansho: ${why}: stopping ${indexOf.size} worker process(es)`);
      for (const w of indexOf.keys()) w.process.kill('SIGTERM');
      if (indexOf.size === 0) resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
    process.on('SIGHUP', () => {
      for (const w of indexOf.keys()) w.process.kill('SIGHUP');
    });
    for (let i = 1; i <= workers; i++) fork(i);
  });
}

/**
 * A channel can break while it still counts as connected (a worker going away writes EPIPE):
 * the failed write is left to that worker's 'disconnect' and 'exit', not raised as an 'error'
 * that nothing here listens for (it would end the primary).
 */
function sendTo(worker: Worker, message: PeerMessage | TotalsMessage): void {
  if (worker.isConnected()) worker.send(message, ignoreFailure);
}

function ignoreFailure(): void {}
