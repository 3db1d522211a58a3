import type { BanCustody } from '../../defense/banManager.js';
import type { RequestSignal } from '../../detect/behaviour/behaviourTypes.js';
import type { Ban } from '../../store/types.js';
import type { PoolShare } from './connectionShare.js';

/**
 * What one gateway process tells its siblings so that, together, they judge as one: a ban it
 * made, a score it added to a source, a behaviour signal it counted, or that its fleet link
 * wrote other gateways' bans into the journal they share (`sync`: read the change log now,
 * rather than at the next poll). Only news a process made itself is sent; what it hears is
 * applied, never sent on.
 */
export type BanNews = { readonly kind: 'ban'; readonly target: string; readonly until: number };
export type PeerNews =
  | BanNews
  | { readonly kind: 'score'; readonly key: string; readonly score: number; readonly time: number }
  | { readonly kind: 'signal'; readonly signal: RequestSignal }
  | { readonly kind: 'sync' };

/** How a gateway process reaches its siblings (cluster IPC here; any bus would do). */
export interface PeerChannel {
  /** Tell a score or a signal; nobody waits for it. */
  send(news: PeerNews): void;
  /**
   * Tell a ban. Settles (never rejects) once every live sibling holds it in its list, or once
   * the relay's bound has passed: the refusal that announces the ban waits for this.
   */
  ban(news: BanNews): Promise<void>;
  /** Hear every sibling's news; returns the unsubscribe. */
  listen(hear: (news: PeerNews) => void): () => void;
  /** Tell how many client connections this process holds (the pool keeps them even: ./connectionShare.ts). */
  holding(count: number): void;
  /** Hear, whenever it changes, how many the siblings hold together and how many processes share the port. */
  share(hear: (share: PoolShare) => void): void;
  /**
   * What a sibling that joins must be told because the store cannot tell it yet: the bans made
   * here still waiting to be written (a locked or failing store). Asked at each join.
   */
  brief(tell: () => readonly BanNews[]): void;
  /** Tell where a ban made here stands with the store (the primary keeps the unwritten ones: ./banCustody.ts). */
  custody(change: BanCustody): void;
  /** Hear the unwritten bans of a sibling that ended, to be written from here (heard before, kept until then). */
  adopt(take: (bans: readonly Ban[]) => void): void;
}

/**
 * The messages on the IPC channel between a worker and the primary, told apart from others by
 * `bansho`. A worker joins before it reads its ban list and hears every ban relayed from then on;
 * a ban it makes carries its own `id`, which the primary answers with `peer-held` once every
 * other joined worker has sent `peer-ack` for the relay `id` it was given. A worker tells its
 * count of client connections (`peer-holding`); the primary tells each the others' (`peer-share`).
 * A join is answered once every sibling has answered `peer-arrived` with its unwritten bans
 * (`peer-briefed`), which the primary relays to the newcomer before `peer-joined`: a worker that
 * replaces one that died holds them before its first accept, though the store has none of them.
 * A worker tells the primary each ban of its own the store did not take at once, and when a
 * retry wrote it (`peer-custody`); the ones a worker still held unwritten when it ended go to a
 * sibling to write (`peer-adopt`), so a ban is not lost with the process that made it.
 */
export type PeerMessage =
  | { readonly bansho: 'peer-join' }
  | { readonly bansho: 'peer-joined' }
  | { readonly bansho: 'peer-news'; readonly news: PeerNews; readonly id?: number }
  | { readonly bansho: 'peer-ack'; readonly id: number }
  | { readonly bansho: 'peer-held'; readonly id: number }
  | { readonly bansho: 'peer-holding'; readonly count: number }
  | { readonly bansho: 'peer-share'; readonly others: number; readonly workers: number }
  | { readonly bansho: 'peer-arrived'; readonly id: number }
  | { readonly bansho: 'peer-briefed'; readonly id: number; readonly bans: readonly BanNews[] }
  | { readonly bansho: 'peer-custody'; readonly change: BanCustody }
  | { readonly bansho: 'peer-adopt'; readonly bans: readonly Ban[] };

export function isPeerMessage(message: unknown): message is PeerMessage {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { bansho?: unknown; news?: unknown; id?: unknown };
  switch (m.bansho) {
    case 'peer-join':
    case 'peer-joined':
      return true;
    case 'peer-news':
      return isPeerNews(m.news) && (m.id === undefined || isId(m.id));
    case 'peer-ack':
    case 'peer-held':
    case 'peer-arrived':
      return isId(m.id);
    case 'peer-briefed': {
      const bans = (message as { bans?: unknown }).bans;
      return isId(m.id) && Array.isArray(bans) && bans.every((b) => isPeerNews(b) && b.kind === 'ban');
    }
    case 'peer-custody': {
      const change = (message as { change?: { kind?: unknown; ban?: unknown } | null }).change;
      return (
        typeof change === 'object' &&
        change !== null &&
        (change.kind === 'queued' || change.kind === 'written') &&
        isBan(change.ban)
      );
    }
    case 'peer-adopt': {
      const bans = (message as { bans?: unknown }).bans;
      return Array.isArray(bans) && bans.every(isBan);
    }
    case 'peer-holding':
      return isCount((message as { count?: unknown }).count);
    case 'peer-share': {
      const share = message as { others?: unknown; workers?: unknown };
      return isCount(share.others) && isCount(share.workers);
    }
    default:
      return false;
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** A whole ban record, as the store writes it. */
function isBan(value: unknown): value is Ban {
  if (typeof value !== 'object' || value === null) return false;
  const b = value as Record<string, unknown>;
  return (
    typeof b.target === 'string' &&
    typeof b.since === 'number' &&
    typeof b.until === 'number' &&
    typeof b.reason === 'string' &&
    (b.threatId === null || typeof b.threatId === 'string') &&
    typeof b.offence === 'number' &&
    (b.origin === 'auto' || b.origin === 'manual')
  );
}

function isId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value);
}

/** The shape checked field by field: a message that is not news is ignored, never half-applied. */
function isPeerNews(value: unknown): value is PeerNews {
  if (typeof value !== 'object' || value === null) return false;
  const n = value as Record<string, unknown>;
  switch (n.kind) {
    case 'ban':
      return typeof n.target === 'string' && typeof n.until === 'number';
    case 'sync':
      return true;
    case 'score':
      return typeof n.key === 'string' && typeof n.score === 'number' && typeof n.time === 'number';
    case 'signal': {
      const s = n.signal as Record<string, unknown> | null;
      return (
        typeof s === 'object' &&
        s !== null &&
        typeof s.time === 'number' &&
        typeof s.source === 'string' &&
        typeof s.method === 'string' &&
        typeof s.path === 'string' &&
        typeof s.query === 'string' &&
        typeof s.status === 'number'
      );
    }
    default:
      return false;
  }
}
