import { addTotals, type GatewayTotals, isGatewayTotals } from '../gatewayTotals.js';

/** A sibling worker's totals: which worker (1-based) and which process of it gave them. */
export interface SiblingTotals {
  readonly index: number;
  readonly pid: number;
  readonly totals: GatewayTotals;
}

/**
 * The messages on the IPC channel about the pool's totals. A worker asks the primary
 * (`totals-ask`), the primary asks every other worker with a relay id of its own, each replies
 * (`totals`), and the primary answers the asker with the replies that came in time (`totals-all`).
 */
export type TotalsMessage =
  | { readonly bansho: 'totals-ask'; readonly id: number }
  | { readonly bansho: 'totals'; readonly id: number; readonly totals: GatewayTotals }
  | { readonly bansho: 'totals-all'; readonly id: number; readonly workers: readonly SiblingTotals[] };

export function isTotalsMessage(message: unknown): message is TotalsMessage {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { bansho?: unknown; id?: unknown; totals?: unknown; workers?: unknown };
  if (typeof m.id !== 'number' || !Number.isSafeInteger(m.id)) return false;
  switch (m.bansho) {
    case 'totals-ask':
      return true;
    case 'totals':
      return isGatewayTotals(m.totals);
    case 'totals-all':
      return Array.isArray(m.workers) && m.workers.every(isSiblingTotals);
    default:
      return false;
  }
}

function isSiblingTotals(value: unknown): value is SiblingTotals {
  const s = value as Partial<SiblingTotals> | null;
  return (
    typeof s === 'object' &&
    s !== null &&
    typeof s.index === 'number' &&
    typeof s.pid === 'number' &&
    isGatewayTotals(s.totals)
  );
}

/** A cluster worker's side: answers the primary's asks with its own totals, and asks for its siblings'. */
export interface PoolTotals {
  /** Answer every ask with `own()` from now on (until then: nothing, and the asker goes without). */
  answerWith(own: () => GatewayTotals): void;
  /** The other workers' totals, as many as replied within the primary's bound. */
  siblings(): Promise<readonly SiblingTotals[]>;
  close(): void;
}

/** Null outside a cluster worker. */
export function joinPoolTotals(): PoolTotals | null {
  const send = process.send?.bind(process);
  if (send === undefined) return null;
  let own: (() => GatewayTotals) | null = null;
  const waiting = new Map<number, (workers: readonly SiblingTotals[]) => void>();
  let nextId = 1;
  const onMessage = (message: unknown): void => {
    if (!isTotalsMessage(message)) return;
    if (message.bansho === 'totals-ask') {
      if (own !== null && process.connected)
        send({ bansho: 'totals', id: message.id, totals: own() } satisfies TotalsMessage);
    } else if (message.bansho === 'totals-all') {
      waiting.get(message.id)?.(message.workers);
      waiting.delete(message.id);
    }
  };
  // Without a primary nobody answers: an ask settles with no sibling.
  const onDisconnect = (): void => {
    for (const done of waiting.values()) done([]);
    waiting.clear();
  };
  process.on('message', onMessage);
  process.once('disconnect', onDisconnect);
  return {
    answerWith(f) {
      own = f;
    },
    siblings() {
      if (!process.connected) return Promise.resolve([]);
      const id = nextId++;
      return new Promise((resolve) => {
        waiting.set(id, resolve);
        send({ bansho: 'totals-ask', id } satisfies TotalsMessage);
      });
    },
    close() {
      process.off('message', onMessage);
      process.off('disconnect', onDisconnect);
      onDisconnect();
    },
  };
}

/**
 * The pool's sum as the dashboard's worker keeps it. Exported counters must never go back, so a
 * sibling that did not reply in time counts with its last totals, and a worker replaced after a
 * crash keeps its predecessor's counts in the sum (its link state and backlog are no longer news).
 */
export class PoolSum {
  readonly #last = new Map<number, SiblingTotals>();
  #retired: GatewayTotals | null = null;

  update(replies: readonly SiblingTotals[]): void {
    for (const reply of replies) {
      const before = this.#last.get(reply.index);
      if (before !== undefined && before.pid !== reply.pid) this.#retire(before.totals);
      this.#last.set(reply.index, reply);
    }
  }

  /** `own` with every sibling's latest and every retired worker's last. */
  total(own: GatewayTotals): GatewayTotals {
    let sum = this.#retired === null ? own : addTotals(own, this.#retired);
    for (const s of this.#last.values()) sum = addTotals(sum, s.totals);
    return sum;
  }

  #retire(totals: GatewayTotals): void {
    const counts: GatewayTotals = {
      ...totals,
      workers: 0,
      bansInMemory: 0,
      fleet: totals.fleet === null ? null : { ...totals.fleet, state: 'up', backlog: 0 },
    };
    this.#retired = this.#retired === null ? counts : addTotals(this.#retired, counts);
  }
}
