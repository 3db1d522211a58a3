import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayResponse } from '../gatewayResponse.js';
import type { ConnectionShare } from './connectionShare.js';

type Current = { _httpMessage?: ServerResponse | null };

/**
 * The responses of a pool worker (`serve --workers N`): where a worker over its share of the
 * pool's connections lets one go (./connectionShare.ts). Only at an idle-safe point: the head
 * of the one response in flight on its connection, its request read whole, no request
 * pipelined behind it; node then says `Connection: close` and closes once the response is
 * complete. A request that still arrives on that connection crossed the `close` on the wire:
 * it is never processed (RFC 9112 §9.6), so its client may send it again elsewhere.
 */
export function balancedResponse(share: ConnectionShare): typeof GatewayResponse {
  class BalancedResponse extends GatewayResponse {
    /** A request arrived behind this one on its connection. */
    followed = false;
    /** This response lets its connection go. */
    closing = false;

    // Rest parameters: node passes its options (highWaterMark …) after the request, which its types omit.
    constructor(...args: [IncomingMessage]) {
      super(...args);
      // Node makes a response before it queues it behind the one in flight on the connection.
      const ahead = (args[0].socket as Current)._httpMessage;
      if (ahead instanceof BalancedResponse) {
        ahead.followed = true;
        if (ahead.closing) this.afterClose = true;
      }
    }

    override writeHead(...args: unknown[]): this {
      if (
        !this.followed &&
        this.shouldKeepAlive &&
        this.req.complete &&
        this.socket !== null &&
        (this.socket as Current)._httpMessage === this &&
        share.release(this.socket)
      ) {
        this.shouldKeepAlive = false;
        this.closing = true;
      }
      return (super.writeHead as (...a: unknown[]) => this)(...args);
    }
  }
  return BalancedResponse;
}
