import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Caller, type DashboardAccess, isLoopbackHost } from './access.js';
import type { DashboardContext } from './dashboardContext.js';
import { DashboardError } from './dashboardError.js';
import { readBody, redirect, sendError, sendHtml, sendJson } from './httpReplies.js';
import { LiveFeed } from './liveFeed.js';
import type { DashboardMetrics } from './metrics.js';
import { loginHtml } from './pages.js';
import { routeGet, routePost } from './routes.js';
import { setSecurityHeaders } from './securityHeaders.js';
import { assetNamed } from './staticAssets.js';

export interface DashboardServerOptions {
  readonly ctx: DashboardContext;
  readonly access: DashboardAccess;
  readonly metrics: DashboardMetrics;
  /** Serve /metrics here too (false when it has a listener of its own). */
  readonly serveMetrics: boolean;
  readonly log: (line: string) => void;
}

/**
 * The dashboard's HTTP listener: a node server of its own, never the gateway's, so the
 * operator's requests meet none of the gateway's rules and cannot get the operator banned.
 * Every answer carries the security headers; every request but the login form and the page's
 * own assets needs a caller (see ./access.ts), and every change its CSRF token.
 */
export class DashboardServer {
  readonly #server: Server;
  readonly #live: LiveFeed;
  readonly #o: DashboardServerOptions;

  constructor(options: DashboardServerOptions) {
    this.#o = options;
    this.#live = new LiveFeed(options.ctx);
    this.#server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000 }, (req, res) => {
      this.#handle(req, res).catch((err: unknown) => {
        if (!(err instanceof DashboardError)) options.log(`bansho: dashboard: ${String(err)}`);
        if (!res.headersSent) sendError(res, err);
        else res.destroy();
      });
    });
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return listenServer(this.#server, host, port);
  }

  address(): AddressInfo {
    return this.#server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    this.#live.close();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    setSecurityHeaders(res);
    const { access, metrics } = this.#o;
    const url = new URL(req.url ?? '/', 'http://dashboard');
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      res.setHeader('Allow', 'GET, HEAD, POST');
      return sendJson(res, 405, { error: 'E_DASHBOARD_METHOD', message: 'GET, HEAD or POST' });
    }
    // DNS rebinding: a page on another site resolving its name to 127.0.0.1 must not read the loopback dashboard.
    if (access.loopback && !isLoopbackHost(hostOf(req.headers.host)))
      return sendJson(res, 421, {
        error: 'E_DASHBOARD_HOST',
        message: 'the loopback dashboard answers to loopback names only',
      });
    if (url.pathname.startsWith('/assets/') && method !== 'POST') {
      const asset = assetNamed(url.pathname.slice('/assets/'.length));
      if (!asset) return sendJson(res, 404, { error: 'E_DASHBOARD_NOT_FOUND', message: 'no such asset' });
      res.writeHead(200, { 'Content-Type': asset.type });
      res.end(asset.body);
      return;
    }
    if (url.pathname === '/login') return this.#login(req, res, method);
    const caller = access.identify(req);
    if (caller.kind === 'anonymous') {
      if (url.pathname.startsWith('/api/') || url.pathname === '/metrics' || method === 'POST')
        return sendJson(res, 401, {
          error: 'E_DASHBOARD_AUTH',
          message: 'log in at /login, or send Authorization: Bearer TOKEN',
        });
      return redirect(res, '/login');
    }
    if (url.pathname === '/metrics' && this.#o.serveMetrics && method !== 'POST') {
      res.writeHead(200, { 'Content-Type': metrics.contentType });
      res.end(await metrics.exposition());
      return;
    }
    if (method === 'POST') return this.#change(caller, url, req, res);
    const csrf = caller.kind === 'bearer' ? null : caller.csrf;
    if (!(await routeGet({ ctx: this.#o.ctx, live: this.#live }, url, csrf, res)))
      sendJson(res, 404, { error: 'E_DASHBOARD_NOT_FOUND', message: 'no such page' });
  }

  async #change(caller: Caller, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { access } = this.#o;
    if (url.pathname === '/logout') return redirect(res, '/login', access.logout(req));
    // Cross-site posts carry the other site's Origin; the token check below would refuse them anyway.
    const origin = req.headers.origin;
    if (
      !access.allowsChange(caller, req) ||
      (origin !== undefined && hostOf(new URL(origin).host) !== hostOf(req.headers.host))
    )
      throw new DashboardError(
        'E_DASHBOARD_CSRF',
        'a change needs the page’s CSRF token (X-CSRF-Token) from the same origin',
      );
    if (!(await routePost({ ctx: this.#o.ctx, live: this.#live }, url, req, res)))
      sendJson(res, 404, { error: 'E_DASHBOARD_NOT_FOUND', message: 'no such action' });
  }

  async #login(req: IncomingMessage, res: ServerResponse, method: string): Promise<void> {
    const { access } = this.#o;
    if (!access.needsLogin) return redirect(res, '/');
    if (method !== 'POST') return sendHtml(res, 200, loginHtml(false));
    const token = new URLSearchParams(await readBody(req)).get('token') ?? '';
    if (!access.checkToken(token, req.socket.remoteAddress ?? '')) return sendHtml(res, 401, loginHtml(true));
    redirect(res, '/', access.login());
  }
}

/** The host part of a Host header or URL host, without port or brackets. */
function hostOf(host: string | undefined): string {
  if (!host) return '';
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (m) return (m[1] as string).toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

export function listenServer(server: Server, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new DashboardError(
          'E_DASHBOARD_LISTEN',
          `dashboard cannot listen on ${host}:${port}: ${err.code ?? err.message}`,
        ),
      );
    server.once('error', onError);
    // Exclusive: under `serve --workers N` only the first worker runs the dashboard, so its socket
    // is its own, not one the cluster shares (which, for port 0, would be the gateway's own).
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}
