import type { BanManager } from '../../defense/banManager.js';
import type { SourceScore, SourceScores } from '../../defense/sourceScores.js';
import type { RequestSignal } from '../../detect/behaviour/behaviourTypes.js';
import type { HttpBehaviour } from '../../detect/behaviour/httpBehaviour.js';
import type { BehaviourFinding } from '../../detect/finding.js';
import type { PeerChannel } from './peerNews.js';

/** The source scores as the request pipeline uses them. */
export type ScoreBook = Pick<SourceScores, 'add' | 'forget' | 'wouldCross'>;
/** The behaviours as the recorder feeds them. */
export type BehaviourBook = { request(signal: RequestSignal): readonly BehaviourFinding[] };

/**
 * One gateway process's bans, scores and behaviour counters, kept in step with its siblings'
 * over `peers`: its own bans, scores and signals are told, theirs are applied here. A source
 * banned by a sibling is dropped here as soon as the news arrives (the store's change log
 * brings the same ban later); a ban made here is held by every sibling before its refusal
 * goes out (`whenHeld`). A source spreading its probes over the processes adds up to the
 * same score and the same counts as against one. Only the process whose own request completes
 * a score or a behaviour bans, so a ban is made once.
 */
export function shareWithPeers(
  peers: PeerChannel,
  own: { readonly bans: BanManager; readonly scores: SourceScores; readonly behaviour: HttpBehaviour },
  onError: (err: unknown) => void,
): {
  readonly scores: ScoreBook;
  readonly behaviour: BehaviourBook;
  /**
   * Null when no ban covering `address` is still being told to the siblings; else settles once
   * every one holds it. Whatever tells the source it was refused or dropped waits for it.
   */
  whenHeld(address: string): Promise<void> | null;
  stop(): void;
} {
  // Bans made here that not every sibling has acknowledged yet, by target.
  const telling = new Map<string, Promise<void>>();
  const offBan = own.bans.onBan((ban) => {
    if (ban.origin !== 'here') return;
    const held = peers
      .ban({ kind: 'ban', target: ban.target, until: ban.until })
      .then(() => void telling.delete(ban.target));
    telling.set(ban.target, held);
  });
  peers.brief(() => own.bans.unwritten().map((ban) => ({ kind: 'ban', target: ban.target, until: ban.until })));
  const offCustody = own.bans.onCustody((change) => peers.custody(change));
  peers.adopt((bans) => {
    try {
      own.bans.adopt(bans);
    } catch (err) {
      onError(err);
    }
  });
  const offNews = peers.listen((news) => {
    try {
      if (news.kind === 'ban') own.bans.admit(news.target, news.until);
      else if (news.kind === 'score') own.scores.add(news.key, news.score, news.time);
      else if (news.kind === 'sync') own.bans.sync();
      // A sibling's signal is counted; the alert is raised where an own request completes it.
      else own.behaviour.heard(news.signal);
    } catch (err) {
      onError(err);
    }
  });
  return {
    scores: {
      add(source: string, score: number, now: number): SourceScore {
        if (score > 0) peers.send({ kind: 'score', key: source, score, time: now });
        return own.scores.add(source, score, now);
      },
      forget: (source: string) => own.scores.forget(source),
      wouldCross: (source: string, score: number, now: number) => own.scores.wouldCross(source, score, now),
    },
    behaviour: {
      request(signal: RequestSignal) {
        peers.send({ kind: 'signal', signal });
        return own.behaviour.request(signal);
      },
    },
    whenHeld(address: string): Promise<void> | null {
      if (telling.size === 0) return null;
      const target = own.bans.covering(address);
      return target === null ? null : (telling.get(target) ?? null);
    },
    stop() {
      offBan();
      offCustody();
      offNews();
    },
  };
}
