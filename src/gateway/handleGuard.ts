import type { Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';

type ClientHandle = {
  getpeername(out: { address?: string; port?: number }): number;
  close(): void;
  /**
   * RST instead of FIN (node's TCPWrap; what `socket.resetAndDestroy()` calls). Without a
   * callback node does not call back into JS when the handle has closed: one MakeCallback less
   * per dropped connection.
   */
  reset?(): number;
};
type ListeningHandle = { onconnection?: (err: number, client?: ClientHandle) => void };

/** Which accept path drops banned sources: node's listening handle, or the 'connection' event. */
export type AcceptPath = 'handle' | 'connection';

export interface HandleGuardPolicy {
  isTrusted(address: string): boolean;
  dropIfBanned(address: string | undefined, port: number | undefined): boolean;
}

/**
 * The cheapest drop, where the runtime allows it: node's listening handle calls
 * `onconnection(err, clientHandle)` for each accepted connection before any Socket, stream or
 * HTTP parser exists. Wrapping it, a banned source costs one getpeername and one reset — about
 * half the CPU of the 'connection' event path (bench/gateway.ts). `_handle` is not a public API,
 * so its shape is tested first and the wrapper steps aside for any client handle that does not
 * look as expected; the 'connection' guard (./acceptGuard.ts) stays in place either way and
 * catches whatever this one lets through. Returns the path in force.
 */
export function guardListeningHandle(server: Server | HttpsServer, policy: HandleGuardPolicy): AcceptPath {
  const handle = (server as unknown as { _handle?: ListeningHandle | null })._handle;
  const accept = handle?.onconnection;
  if (!handle || typeof accept !== 'function' || accept.length !== 2) return 'connection';
  const peer: { address?: string; port?: number } = {};
  handle.onconnection = function (this: ListeningHandle, err: number, client?: ClientHandle) {
    if (err === 0 && client && typeof client.getpeername === 'function') {
      peer.address = undefined;
      if (
        client.getpeername(peer) === 0 &&
        !policy.isTrusted(peer.address ?? '') &&
        policy.dropIfBanned(peer.address, peer.port)
      ) {
        // RST, as the 'connection' guard does: no TIME_WAIT kept here for a banned source.
        if (typeof client.reset !== 'function' || client.reset() !== 0) client.close();
        return;
      }
    }
    accept.call(this, err, client);
  };
  return 'handle';
}
