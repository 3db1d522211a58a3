import type { IncomingMessage, ServerResponse } from 'node:http';
import { eventsApi, intParam, sourceApi, sourcesApi, statsApi, threatApi, threatsApi } from './apiHandlers.js';
import { bulletinHtml } from './bulletinReport.js';
import type { DashboardContext } from './dashboardContext.js';
import { DashboardError } from './dashboardError.js';
import { readJsonFields, sendHtml, sendJson } from './httpReplies.js';
import type { LiveFeed } from './liveFeed.js';
import { type PageName, pageHtml } from './pages.js';
import { BULLETIN_CSP, setSecurityHeaders } from './securityHeaders.js';

export interface RouteDeps {
  readonly ctx: DashboardContext;
  readonly live: LiveFeed;
}

const PAGES: Record<string, PageName> = {
  '/': 'now',
  '/threats': 'threats',
  '/sources': 'sources',
  '/bans': 'bans',
  '/bulletin': 'bulletin',
};

/** Pages and GET API routes, for a caller already let in. Returns false when nothing matched. */
export async function routeGet(deps: RouteDeps, url: URL, csrf: string | null, res: ServerResponse): Promise<boolean> {
  const { ctx } = deps;
  const path = url.pathname;
  const q = url.searchParams;
  const page = PAGES[path];
  if (page !== undefined) {
    const since = page === 'bulletin' ? (q.get('since') ?? '7d') : undefined;
    sendHtml(res, 200, pageHtml(page, { csrf, ...(since !== undefined ? { since } : {}) }));
    return true;
  }
  const sub = /^\/(sources|threats)\/([^/]+)$/.exec(path);
  if (sub) {
    const subject = pathPart(sub[2] as string);
    sendHtml(res, 200, pageHtml(sub[1] === 'sources' ? 'source' : 'threat', { csrf, subject }));
    return true;
  }
  if (path === '/bulletin/report') {
    const text = await bulletinHtml(ctx, q.get('since') ?? '7d');
    setSecurityHeaders(res, BULLETIN_CSP);
    sendHtml(res, 200, text);
    return true;
  }
  if (path === '/api/live') {
    if (!deps.live.attach(res)) sendJson(res, 503, { error: 'E_DASHBOARD_BUSY', message: 'too many live viewers' });
    return true;
  }
  const api = await apiGet(ctx, path, q);
  if (api === undefined) return false;
  sendJson(res, 200, api);
  return true;
}

function apiGet(ctx: DashboardContext, path: string, q: URLSearchParams): Promise<unknown> | undefined {
  if (path === '/api/events') return eventsApi(ctx, q);
  if (path === '/api/sources') return sourcesApi(ctx, q);
  if (path === '/api/threats') return threatsApi(ctx, q);
  if (path === '/api/stats') return statsApi(ctx);
  if (path === '/api/bans') {
    const now = ctx.clock();
    return ctx.bans.list(now, intParam(q, 'offset', 0, 0, 1e9), intParam(q, 'limit', 100, 1, 1000));
  }
  const one = /^\/api\/(sources|threats)\/([^/]+)$/.exec(path);
  if (!one) return undefined;
  const key = pathPart(one[2] as string);
  return one[1] === 'sources' ? sourceApi(ctx, key, q) : threatApi(ctx, key, q);
}

/** `POST /api/bans` (add), `/api/bans/remove`, `/api/bans/extend`: JSON `{ip, duration?, reason?}`. */
export async function routePost(
  deps: RouteDeps,
  url: URL,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  const { ctx } = deps;
  const path = url.pathname;
  if (path !== '/api/bans' && path !== '/api/bans/remove' && path !== '/api/bans/extend') return false;
  const fields = await readJsonFields(req);
  const ip = fields.ip;
  if (!ip) throw new DashboardError('E_DASHBOARD_BAD_REQUEST', 'ip is required');
  const now = ctx.clock();
  if (path === '/api/bans/remove') return reply(res, await ctx.bans.remove(ip));
  if (path === '/api/bans/extend') {
    if (!fields.duration) throw new DashboardError('E_DASHBOARD_BAD_REQUEST', 'duration is required');
    return reply(res, await ctx.bans.extend(ip, now, fields.duration));
  }
  return reply(res, await ctx.bans.add(ip, now, fields));
}

function reply(res: ServerResponse, outcome: { kind: string }): true {
  sendJson(res, outcome.kind === 'not-banned' ? 404 : 200, outcome);
  return true;
}

/** A path segment, decoded; a broken %-escape is the client's error, not the server's. */
function pathPart(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new DashboardError('E_DASHBOARD_BAD_REQUEST', 'a broken %-escape in the path');
  }
}
