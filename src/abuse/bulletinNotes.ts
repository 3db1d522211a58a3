import type Database from 'better-sqlite3';
import type { AbuseNote } from '../trends/bulletin.js';
import { describeRange } from './rdap/ipNetwork.js';
import { RdapCache } from './store/rdapCache.js';
import { ReportLog } from './store/reportLog.js';

/**
 * The bulletin's view of abuse contacts: the cached RDAP answer (of any age) and the last
 * report sent, per source. Reads the database only — the bulletin never asks a registry.
 */
export function cachedAbuseNotes(db: Database.Database): (ip: string) => AbuseNote | undefined {
  const cache = new RdapCache(db);
  const log = new ReportLog(db);
  return (ip) => {
    const answer = cache.answer(ip)?.value;
    const last = log.forSource(ip)[0];
    if (!answer && !last) return undefined;
    const network =
      answer && answer.kind !== 'no-registry'
        ? [answer.network.name ?? answer.network.handle, describeRange(answer.network)].filter((p) => p).join(', ') ||
          null
        : null;
    return {
      contact: answer?.kind === 'contact' ? answer.email : (last?.recipient ?? null),
      network,
      lastReport: last ? { sentAt: last.sentAt, to: last.recipient } : null,
    };
  };
}
