import type { RequestSignal } from '../../detect/behaviour/behaviourTypes.js';

/**
 * What one gateway process tells its siblings so that, together, they judge as one: a ban it
 * made, a score it added to a source, a behaviour signal it counted. Only news a process made
 * itself is sent; what it hears is applied, never sent on.
 */
export type PeerNews =
  | { readonly kind: 'ban'; readonly target: string; readonly until: number }
  | { readonly kind: 'score'; readonly key: string; readonly score: number; readonly time: number }
  | { readonly kind: 'signal'; readonly signal: RequestSignal };

/** How a gateway process reaches its siblings (cluster IPC here; any bus would do). */
export interface PeerChannel {
  send(news: PeerNews): void;
  /** Hear every sibling's news; returns the unsubscribe. */
  listen(hear: (news: PeerNews) => void): () => void;
}

/** The envelope on the IPC channel, so other messages on it are told apart. */
export interface PeerEnvelope {
  readonly bansho: 'peer-news';
  readonly news: PeerNews;
}

export function isPeerEnvelope(message: unknown): message is PeerEnvelope {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { bansho?: unknown; news?: unknown };
  return m.bansho === 'peer-news' && isPeerNews(m.news);
}

/** The shape checked field by field: a message that is not news is ignored, never half-applied. */
function isPeerNews(value: unknown): value is PeerNews {
  if (typeof value !== 'object' || value === null) return false;
  const n = value as Record<string, unknown>;
  switch (n.kind) {
    case 'ban':
      return typeof n.target === 'string' && typeof n.until === 'number';
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

/**
 * The channel of a cluster worker: news goes to the primary, which relays it to every other
 * worker (./primary.ts). Null outside a cluster worker.
 */
export function clusterWorkerChannel(): PeerChannel | null {
  const send = process.send?.bind(process);
  if (send === undefined) return null;
  return {
    send(news) {
      if (process.connected) send({ bansho: 'peer-news', news } satisfies PeerEnvelope);
    },
    listen(hear) {
      const onMessage = (message: unknown): void => {
        if (isPeerEnvelope(message)) hear(message.news);
      };
      process.on('message', onMessage);
      return () => process.off('message', onMessage);
    },
  };
}
