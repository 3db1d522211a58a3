import type { BanManager } from './banManager.js';

/** Where a copy of the ban list is kept (the kernel's sets, ./nftFirewall.ts). */
export interface BanCopy {
  ban(target: string, until: number): void;
  lift(target: string): void;
}

/**
 * Keep `copy` equal to the manager's list: every ban in force now, then every change as it
 * happens (bans made here, a sibling's, the store's change log: `bansho bans`, `analyze
 * --follow --ban`, other gateways). Subscribed before the list is read, in the same turn, so
 * no ban falls between. Returns the unsubscribe.
 */
export function mirrorBans(bans: BanManager, copy: BanCopy, now: number): () => void {
  const off = bans.onUpdate((update) => {
    if (update.kind === 'set') copy.ban(update.target, update.until);
    else copy.lift(update.target);
  });
  for (const [target, until] of bans.list.entries(now)) copy.ban(target, until);
  return off;
}
