import type { Ban } from '../../store/types.js';
import type { PoolShare } from './connectionShare.js';
import { type BanNews, isPeerMessage, type PeerChannel, type PeerMessage, type PeerNews } from './peerNews.js';

/**
 * The channel of a cluster worker: news goes to the primary, which relays it to every other
 * joined worker (./primary.ts). Resolves once the primary counts this worker among them, which
 * the worker awaits before it reads its ban list from the store: a ban made by a sibling is
 * then either in the store by that read or relayed here after it. Null outside a cluster worker.
 */
export async function joinClusterPeers(): Promise<PeerChannel | null> {
  const send = process.send?.bind(process);
  if (send === undefined) return null;
  const post = (message: PeerMessage): void => {
    if (process.connected) send(message);
  };
  let hearer: ((news: PeerNews) => void) | null = null;
  // News heard before the gateway listens: applied when it starts to (listen), before its first accept.
  const early: PeerNews[] = [];
  const waiting = new Map<number, () => void>();
  let nextId = 1;
  // The latest share heard, kept for a hearer that comes later (the gateway, once built).
  let share: PoolShare | null = null;
  let shareHearer: ((share: PoolShare) => void) | null = null;
  // Until the gateway is built it has made no ban: a sibling joining meanwhile is told none.
  let briefer: () => readonly BanNews[] = () => [];
  // Bans of an ended sibling to write: kept until the gateway, once built, takes them.
  let adopter: ((bans: readonly Ban[]) => void) | null = null;
  const orphans: (readonly Ban[])[] = [];
  let joined = (): void => {};
  const join = new Promise<void>((resolve) => {
    joined = resolve;
  });
  const onMessage = (message: unknown): void => {
    if (!isPeerMessage(message)) return;
    if (message.bansho === 'peer-joined') joined();
    else if (message.bansho === 'peer-share') {
      share = { others: message.others, workers: message.workers };
      shareHearer?.(share);
    } else if (message.bansho === 'peer-arrived') post({ bansho: 'peer-briefed', id: message.id, bans: briefer() });
    else if (message.bansho === 'peer-adopt') {
      if (adopter !== null) adopter(message.bans);
      else orphans.push(message.bans);
    } else if (message.bansho === 'peer-held') {
      waiting.get(message.id)?.();
      waiting.delete(message.id);
    } else if (message.bansho === 'peer-news') {
      if (hearer !== null) hearer(message.news);
      else early.push(message.news);
      // Applied (or kept for before the first accept): the sibling's refusal may go out.
      if (message.id !== undefined) post({ bansho: 'peer-ack', id: message.id });
    }
  };
  // Without a primary nobody can answer: a refusal waits for no one.
  const onDisconnect = (): void => {
    for (const done of waiting.values()) done();
    waiting.clear();
    joined();
  };
  process.on('message', onMessage);
  process.once('disconnect', onDisconnect);
  post({ bansho: 'peer-join' });
  await join;
  return {
    send(news) {
      post({ bansho: 'peer-news', news });
    },
    ban(news: BanNews) {
      if (!process.connected) return Promise.resolve();
      const id = nextId++;
      return new Promise<void>((resolve) => {
        waiting.set(id, resolve);
        send({ bansho: 'peer-news', news, id } satisfies PeerMessage);
      });
    },
    holding(count) {
      post({ bansho: 'peer-holding', count });
    },
    share(hear) {
      shareHearer = hear;
      if (share !== null) hear(share);
    },
    brief(tell) {
      briefer = tell;
    },
    custody(change) {
      post({ bansho: 'peer-custody', change });
    },
    adopt(take) {
      adopter = take;
      for (const bans of orphans.splice(0)) take(bans);
    },
    listen(hear) {
      hearer = hear;
      for (const news of early.splice(0)) hear(news);
      return () => {
        hearer = null;
        process.off('message', onMessage);
        process.off('disconnect', onDisconnect);
        onDisconnect();
      };
    },
  };
}
