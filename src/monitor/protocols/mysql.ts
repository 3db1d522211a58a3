import type { ProtocolEvent } from './events.js';

/**
 * The one thing read of MySQL and MariaDB (port 3306): the server's ERR packet at the start of
 * a segment — a 4-byte header, 0xFF, then the error code, little-endian (1045 is
 * ER_ACCESS_DENIED_ERROR, a refused login). Sent before any TLS, so visible on the wire. The
 * packet log shows these segments as plain TCP, as it always has.
 */
export const MYSQL_PORT = 3306;

export function readMysql(payload: Uint8Array, toServer: boolean, out: ProtocolEvent[]): void {
  if (toServer || payload.length < 7 || payload[4] !== 0xff) return;
  out.push({ kind: 'mysql_error', code: (payload[5] as number) | ((payload[6] as number) << 8) });
}
