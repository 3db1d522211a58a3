import type { SecurityEvent } from '../events/securityEvent.js';
import { toEvent } from '../events/toEvent.js';
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
  return toEvent([], {
    seen: 'drops',
    drops: { ...tally, target, addresses: tally.addresses.map(unmapIPv4) },
    action: 'dropped',
    sensor: 'gateway',
  });
}
