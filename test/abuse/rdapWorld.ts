import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What one registry does with `/ip/ADDR`: answer JSON, redirect, refuse, or never answer. */
export type Reply =
  | { readonly kind: 'json'; readonly body: unknown; readonly status?: number }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'rate-limited'; readonly retryAfter?: string }
  | { readonly kind: 'hang' };

/**
 * A registry on 127.0.0.1 speaking RDAP over real HTTP (RFC 7480/9083): each request to
 * `/ip/ADDR` is answered by `route`, `application/rdap+json`; every request is counted.
 */
export class Registry {
  readonly server: Server;
  readonly asked: string[] = [];
  url = '';
  readonly #held = new Set<ServerResponse>();

  constructor(readonly route: (path: string, registry: Registry) => Reply) {
    this.server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = req.url ?? '/';
      this.asked.push(path);
      const reply = this.route(path, this);
      if (reply.kind === 'hang') {
        // A registry that never answers: the client must give up by itself.
        this.#held.add(res);
        return;
      }
      if (reply.kind === 'redirect') {
        res.writeHead(301, { location: reply.location });
        res.end();
        return;
      }
      if (reply.kind === 'rate-limited') {
        res.writeHead(429, {
          'content-type': 'application/rdap+json',
          ...(reply.retryAfter ? { 'retry-after': reply.retryAfter } : {}),
        });
        res.end(JSON.stringify({ errorCode: 429, title: 'Too Many Requests' }));
        return;
      }
      const body = JSON.stringify(reply.body);
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/rdap+json' });
      res.end(body);
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  async stop(): Promise<void> {
    for (const res of this.#held) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** An RFC 9224 bootstrap file: each entry's CIDRs and the registry base URL serving them. */
export function bootstrapFile(entries: ReadonlyArray<readonly [readonly string[], string]>): unknown {
  return {
    version: '1.0',
    publication: '2026-01-01T00:00:00Z',
    description: 'test bootstrap',
    services: entries.map(([cidrs, url]) => [cidrs, [url]]),
  };
}

/** A jCard with a formatted name and, optionally, an e-mail address. */
export function jcard(fn: string, email?: string): unknown {
  return [
    'vcard',
    [
      ['version', {}, 'text', '4.0'],
      ['fn', {}, 'text', fn],
      ['kind', {}, 'text', 'group'],
      ...(email ? [['email', { type: 'work' }, 'text', email]] : []),
    ],
  ];
}

/** An RDAP IP network object (RFC 9083 §5.4). */
export function ipNetwork(o: {
  handle: string;
  name: string;
  start: string;
  end: string;
  entities?: unknown[];
  links?: unknown[];
  notices?: unknown[];
}): unknown {
  return {
    rdapConformance: ['rdap_level_0', 'cidr0'],
    objectClassName: 'ip network',
    handle: o.handle,
    name: o.name,
    startAddress: o.start,
    endAddress: o.end,
    ipVersion: o.start.includes(':') ? 'v6' : 'v4',
    type: 'ASSIGNED PA',
    country: 'IT',
    entities: o.entities ?? [],
    links: o.links ?? [],
    ...(o.notices ? { notices: o.notices } : {}),
  };
}

export function entity(handle: string, roles: string[], vcardArray: unknown, entities: unknown[] = []): unknown {
  return { objectClassName: 'entity', handle, roles, vcardArray, entities };
}
