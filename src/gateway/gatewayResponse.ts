import { ServerResponse } from 'node:http';
import type { SourceLimits } from './sourceLimits.js';

/**
 * node's ServerResponse as the gateway's listener makes it (its `ServerResponse` option), with
 * what has to end when the response closes: the request's count in the source limits, and its
 * answer still coming from the upstream. One listener function serves every response (node
 * calls it with the response as `this`), so the request path allocates no closure for it, and
 * a forwarded request has one 'close' listener, not two.
 */
export class GatewayResponse extends ServerResponse {
  /** The key the request is counted under in the source limits, once it is. */
  sourceKey: string | null = null;
  /** The upstream's answer in flight, stopped when the client's response closes first. */
  forwarding: { clientClosed(): void } | null = null;
  /**
   * The request arrived behind a response that lets its connection go (a pool worker's,
   * ./cluster/balancedResponse.ts): it is not served.
   */
  afterClose = false;
}

/** The 'close' listener of every counted response: the count given back, a fetch still running stopped. */
export function closeListener(limits: Pick<SourceLimits, 'endRequest'>): (this: GatewayResponse) => void {
  return function closed(this: GatewayResponse): void {
    if (this.sourceKey !== null) limits.endRequest(this.sourceKey);
    this.forwarding?.clientClosed();
  };
}
