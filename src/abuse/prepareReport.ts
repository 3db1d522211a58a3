import { hostname } from 'node:os';
import { loadCatalog } from '../catalog/index.js';
import { describeOrigin, OriginDb } from '../intel/origin.js';
import type { AbuseAnswer } from './rdap/abuseAnswer.js';
import { type AbuseReport, composeReport } from './report/abuseReport.js';
import { DEFAULT_EVIDENCE_LIMITS } from './report/evidence.js';
import { buildIncident } from './report/incident.js';
import { ownNetworkOf } from './report/ownNetwork.js';
import type { SentReport } from './store/reportLog.js';
import { userAgent } from './version.js';
import type { AbuseWorkspace } from './workspace.js';

export type Prepared =
  | { readonly kind: 'report'; readonly report: AbuseReport; readonly previous: readonly SentReport[] }
  /** No threat events from the source in the window (or none not reported yet). */
  | { readonly kind: 'nothing'; readonly previous: readonly SentReport[] };

/**
 * The report about `ip` from its stored events in the window: all of them, or — for sending —
 * only those no earlier report covered. Reads the store, the catalog and the offline origin
 * data; asks no one.
 */
export async function prepareReport(
  ws: AbuseWorkspace,
  ip: string,
  options: {
    windowMs: number;
    unreportedOnly: boolean;
    contact: AbuseAnswer | null;
    contactUnknown: string | null;
    now: number;
  },
): Promise<Prepared> {
  const previous = ws.reports.forSource(ip);
  const reported = new Set(previous.flatMap((r) => r.eventIds));
  const all = ws.events.querySync({ sourceIp: ip, since: options.now - options.windowMs });
  const events = options.unreportedOnly ? all.filter((e) => !reported.has(e.event.id)) : all;
  const catalog = loadCatalog();
  const incident = buildIncident(ip, events, (id) => catalog.get(id));
  if (!incident) return { kind: 'nothing', previous };
  const origins = await OriginDb.open();
  const origin = origins.lookup(ip);
  const report = composeReport({
    incident,
    contact: options.contact,
    contactUnknown: options.contactUnknown,
    reporter: ws.config.reporter ?? { name: null, email: `bansho@${hostname()}` },
    own: ownNetworkOf(ws.policy, ws.site, incident.events),
    origin: origin.special ? null : describeOrigin(origin),
    limits: { ...DEFAULT_EVIDENCE_LIMITS, maxLines: ws.config.evidenceLines },
    createdAt: options.now,
    userAgent: userAgent(),
  });
  return { kind: 'report', report, previous };
}
