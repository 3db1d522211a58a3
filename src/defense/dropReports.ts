import { randomUUID } from 'node:crypto';
import type { SecurityEvent } from '../events/securityEvent.js';
import { unmapIPv4 } from './address.js';
import type { BanKey } from './banList.js';

/** Addresses named per report: a /64 has 2^64 of them; a few show the rotation. */
const SAMPLE = 4;

interface Tally {
  count: number;
  first: number;
  last: number;
  port: number;
  /** The first few distinct addresses dropped under this ban. */
  readonly addresses: string[];
  /** More distinct addresses than the sample holds were dropped. */
  more: boolean;
}

/**
 * Connections closed at accept, tallied per ban (a banned /64 is one report however many of
 * its addresses knock) and summarised into one `dropped` event per ban and interval. At most
 * `maxTargets` bans are tallied at once: when full, the caller reports early and starts afresh,
 * so a flood from many banned sources costs bounded memory and loses no count.
 */
export class DropReports {
  readonly #tallies = new Map<BanKey, Tally>();
  readonly #maxTargets: number;

  constructor(maxTargets = 10_000) {
    this.#maxTargets = Math.max(1, maxTargets);
  }

  get size(): number {
    return this.#tallies.size;
  }

  /** Count one drop. False when a new ban would exceed the bound: drain, then note again. */
  note(key: BanKey, address: string, port: number | undefined, now: number): boolean {
    const tally = this.#tallies.get(key);
    if (tally === undefined) {
      if (this.#tallies.size >= this.#maxTargets) return false;
      this.#tallies.set(key, { count: 1, first: now, last: now, port: port ?? 0, addresses: [address], more: false });
      return true;
    }
    tally.count++;
    tally.last = now;
    if (!tally.more && !tally.addresses.includes(address)) {
      if (tally.addresses.length < SAMPLE) tally.addresses.push(address);
      else tally.more = true;
    }
    return true;
  }

  /** One `dropped` event per ban tallied since the last drain; the tallies start afresh. */
  drain(targetOf: (key: BanKey) => string): SecurityEvent[] {
    const events: SecurityEvent[] = [];
    for (const [key, tally] of this.#tallies) events.push(droppedEvent(targetOf(key), tally));
    this.#tallies.clear();
    return events;
  }
}

function droppedEvent(target: string, tally: Tally): SecurityEvent {
  const addresses = tally.addresses.map(unmapIPv4);
  const source = addresses[0] as string;
  const single = target === `${source}/32` && !tally.more && addresses.length === 1;
  const from = single
    ? `banned ${source}`
    : `banned ${target} (${addresses.length}${tally.more ? '+' : ''} address${addresses.length === 1 && !tally.more ? '' : 'es'}: ${addresses.join(', ')}${tally.more ? ', …' : ''})`;
  return {
    '@timestamp': new Date(tally.last).toISOString(),
    message: `dropped: ${tally.count} connection${tally.count === 1 ? '' : 's'} from ${from}`,
    event: {
      id: randomUUID(),
      kind: 'event',
      category: ['network', 'intrusion_detection'],
      type: ['denied'],
      action: 'dropped',
      outcome: 'success',
      module: 'bansho',
      dataset: 'bansho.gateway',
      count: tally.count,
      start: new Date(tally.first).toISOString(),
      end: new Date(tally.last).toISOString(),
    },
    source: { ip: source, port: tally.port },
    network: { transport: 'tcp' },
    bansho: { sensor: 'gateway', evidence: `${tally.count} connection(s) closed at accept under the ban on ${target}` },
  };
}
