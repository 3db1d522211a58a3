import type { PgsqlMessages } from '../../protocols/events.js';
import type { Columns } from '../columns.js';
import { fitInfo } from '../columnText.js';

/**
 * PostgreSQL in tshark's words (packet-pgsql.c, tshark 4.0): `>` for the client, `<` for the
 * server, then the type letters of the messages the segment completes, joined by `/`
 * (`<T/D/C/Z`); a message completed from earlier segments on its own first (`<D<D/D/C/Z`).
 */
export function pgsqlColumns(e: PgsqlMessages): Columns {
  const mark = pgsqlMark(e.toServer);
  let info = e.completed === null ? '' : mark + e.completed;
  if (e.types !== null) info += mark + e.types.join('/');
  return { protocol: 'PGSQL', info: fitInfo(info) };
}

export function pgsqlMark(toServer: boolean): string {
  return toServer ? '>' : '<';
}
