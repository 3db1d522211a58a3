import type { ProtocolEvent } from '../../protocols/events.js';
import type { Columns } from '../columns.js';

const OPCODES: Readonly<Record<number, string>> = {
  0: 'Continuation',
  1: 'Text',
  2: 'Binary',
  8: 'Connection Close',
  9: 'Ping',
  10: 'Pong',
};

/**
 * WebSocket in tshark's words: a frame named by its header alone — `WebSocket Text [FIN]
 * [MASKED]` — and, as tshark sets the column anew for every frame, of a segment completing
 * several, the last.
 */
export function webSocketColumns(events: readonly ProtocolEvent[]): Columns {
  const f = events.findLast((e) => e.kind === 'websocket_frame') as Extract<ProtocolEvent, { kind: 'websocket_frame' }>;
  // "WebSocket ", the opcode, then " [FIN]" or "[FRAGMENT] ", then " [MASKED]" or " ".
  const info = `WebSocket ${OPCODES[f.opcode] ?? 'Unknown Opcode'}${f.fin ? ' [FIN]' : '[FRAGMENT] '}${f.masked ? ' [MASKED]' : ' '}`;
  return { protocol: 'WebSocket', info };
}
