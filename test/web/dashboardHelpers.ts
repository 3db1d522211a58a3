import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before } from 'node:test';
import type { GatewayConfig } from '../../src/config/index.js';
import { replayPrettyParkAttack } from '../../src/demo/prettyParkAttack.js';
import { type GatewayWithDashboard, startGatewayWithDashboard } from '../../src/web/gatewayWithDashboard.js';
import { rawRequest, tempDir, testConfig } from '../gateway/helpers.js';

/** A site with one page: everything else is 404, and /admin/ wants a password it never accepts. */
export function site(): Server {
  return createServer((req, res) => {
    const status = req.url === '/' ? 200 : req.url?.startsWith('/admin/') ? 401 : 404;
    res.writeHead(status, { 'content-type': 'text/plain', 'content-length': 2 });
    res.end('ok');
  });
}

export interface DashboardSuite {
  readonly db: string;
  readonly dir: string;
  /** Set by the suite's `before`. */
  run: GatewayWithDashboard;
  gatewayPort: number;
  dashboardUrl: string;
}

/** A real gateway (in front of `site()`) with its dashboard on a free loopback port, for one describe block. */
export function dashboardForSuite(
  overrides: (config: GatewayConfig) => Partial<GatewayConfig> = () => ({}),
): DashboardSuite {
  const upstream = site();
  const tmp = tempDir('bansho-web-');
  const suite = {
    db: `${tmp.dir}/bansho.db`,
    dir: tmp.dir,
    run: null as unknown as GatewayWithDashboard,
    gatewayPort: 0,
    dashboardUrl: '',
  };
  before(async () => {
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const base = testConfig(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`, suite.db);
    const config: GatewayConfig = {
      ...base,
      dashboard: { ...base.dashboard, listen: { host: '127.0.0.1', port: 0 } },
      ...overrides(base),
    };
    suite.run = await startGatewayWithDashboard(config, { log: () => {} });
    suite.gatewayPort = suite.run.service.gateway.address().port;
    suite.dashboardUrl = suite.run.dashboard?.url ?? '';
  });
  after(async () => {
    await suite.run.stop();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
    tmp.cleanup();
  });
  return suite;
}

export const get = (path: string, headers = ''): string =>
  `GET ${path} HTTP/1.1\r\nHost: localhost\r\n${headers}Connection: close\r\n\r\n`;

/** The scripted attack: the 2003 PrettyPark sequence, a path scan, a login-guessing run. */
export async function scriptedAttack(port: number): Promise<{ prettyPark: string; scanner: string; guesser: string }> {
  const addresses = { prettyPark: '127.0.0.2', scanner: '127.0.0.3', guesser: '127.0.0.4' };
  await replayPrettyParkAttack('127.0.0.1', port, addresses.prettyPark, 2000);
  for (let i = 0; i < 12; i++) await rawRequest(port, addresses.scanner, get(`/backup/old${i}.zip`), 2000);
  for (let i = 0; i < 8; i++)
    await rawRequest(port, addresses.guesser, get('/admin/', `Authorization: Basic ${btoa(`admin:pw${i}`)}\r\n`), 2000);
  return addresses;
}

/** Hostile strings: each would run script or reshape a page or a terminal if shown as markup. */
export const XSS_PAYLOADS = [
  '<script>window.__pwned("script")</script>',
  '<img src=x onerror=window.__pwned("img")>',
  'javascript:window.__pwned("url")',
  '</title><script>window.__pwned("title")</script>',
  '<svg onload=window.__pwned("svg")><script>window.__pwned("svg2")</script></svg>',
  '\u001b]0;owned\u0007\u001b[2J\u001b[31mRED',
] as const;

/**
 * Send each payload through the gateway in the path, the query, the User-Agent and the Referer,
 * each request from its own address (`127.0.1.N`): a source banned for the first would have its
 * later requests dropped before they were read. Returns the addresses used.
 */
export async function sendXssPayloads(port: number): Promise<string[]> {
  const used: string[] = [];
  const send = async (bytes: string) => {
    const from = `127.0.1.${used.length + 1}`;
    used.push(from);
    await rawRequest(port, from, bytes, 2000);
  };
  for (const p of XSS_PAYLOADS) {
    const enc = encodeURIComponent(p);
    await send(get(`/${enc}?q=${enc}`));
    await send(get(`/search?q=${p.replace(/ /g, '%20')}`));
    await send(get('/', `User-Agent: ${p}\r\nReferer: ${p}\r\n`));
  }
  return used;
}

/** `name{labels} value` lines of an exposition, as name+labels → value. */
export function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}
