import { hashId } from '../../events/eventHeader.js';
import type { Endpoint } from '../../observe/observation.js';

/**
 * A connection's Zeek-style uid: a hash of its start and endpoints, the same on whichever
 * thread computes it. A SHA-256 is costly, so it is computed only for what is reported.
 */
export function connectionUid(start: number, originator: Endpoint, responder: Endpoint): string {
  return `C${hashId(`${start}|${originator.ip}|${originator.port}|${responder.ip}|${responder.port}`).slice(0, 17)}`;
}
