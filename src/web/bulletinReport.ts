import { parseDuration } from '../config/duration.js';
import { buildBulletin } from '../trends/bulletin.js';
import { renderHtml } from '../trends/render/htmlReport.js';
import type { DashboardContext } from './dashboardContext.js';
import { DashboardError } from './dashboardError.js';

const DAY_MS = 86_400_000;
/** Recurrence in the bulletin looks this far back, as `bansho report --history` does by default. */
const HISTORY_MS = 3 * 365 * DAY_MS;
const MAX_PERIOD_MS = 3 * 365 * DAY_MS;

/** The bulletin for the `since` span before now, as `bansho report --format html --since SPAN` writes it. */
export async function bulletinHtml(ctx: DashboardContext, sinceText: string): Promise<string> {
  const until = ctx.clock();
  const since = until - spanOf(sinceText);
  const events = await ctx.store.queryEvents({ since: since - HISTORY_MS, until });
  const origin = ctx.origin;
  return renderHtml(
    buildBulletin({
      events,
      since,
      until,
      threat: (id) => ctx.catalog.get(id),
      ...(origin ? { origin } : {}),
    }),
  );
}

function spanOf(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw new DashboardError('E_DASHBOARD_BAD_REQUEST', `since: ${(err as Error).message}`);
  }
  if (ms <= 0 || ms > MAX_PERIOD_MS) throw new DashboardError('E_DASHBOARD_BAD_REQUEST', 'since: from 1s to 3 years');
  return ms;
}
