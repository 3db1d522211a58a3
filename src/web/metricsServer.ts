import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DashboardAccess } from './access.js';
import { listenServer } from './dashboardServer.js';
import { sendJson } from './httpReplies.js';
import type { DashboardMetrics } from './metrics.js';
import { setSecurityHeaders } from './securityHeaders.js';

/** `--metrics HOST:PORT`: only `GET /metrics`, with a bearer token where the dashboard needs one. */
export class MetricsServer {
  readonly #server: Server;

  constructor(metrics: DashboardMetrics, access: DashboardAccess, log: (line: string) => void) {
    this.#server = createServer((req, res) => {
      setSecurityHeaders(res);
      if (req.method !== 'GET' || new URL(req.url ?? '/', 'http://metrics').pathname !== '/metrics')
        return sendJson(res, 404, { error: 'E_DASHBOARD_NOT_FOUND', message: 'only GET /metrics here' });
      if (access.identify(req).kind === 'anonymous')
        return sendJson(res, 401, { error: 'E_DASHBOARD_AUTH', message: 'send Authorization: Bearer TOKEN' });
      metrics.exposition().then(
        (text) => {
          res.writeHead(200, { 'Content-Type': metrics.contentType });
          res.end(text);
        },
        (err: unknown) => {
          log(`bansho: metrics: ${String(err)}`);
          sendJson(res, 500, { error: 'E_DASHBOARD_INTERNAL', message: 'metrics failed' });
        },
      );
    });
  }

  listen(host: string, port: number): Promise<AddressInfo> {
    return listenServer(this.#server, host, port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
