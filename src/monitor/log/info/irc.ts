import type { IrcLines } from '../../protocols/events.js';
import { lineOrRest } from '../../protocols/textLines.js';
import type { Columns } from '../columns.js';

/**
 * IRC in tshark's words (packet-irc.c, tshark 4.0): `Request` or `Response`, then each line's
 * command in parentheses — `Request (NICK) (USER)`, `Response (001) (002)` — after its
 * `:prefix`, if any. A line without a command (only a prefix, only blanks, empty) adds nothing.
 */
export function ircColumns(e: IrcLines): Columns {
  return { protocol: 'IRC', info: ircInfo(e.lines, e.toServer) };
}

function ircInfo(b: Uint8Array, toServer: boolean): string {
  let info = toServer ? 'Request' : 'Response';
  for (let at = 0; at < b.length; ) {
    const { end, next } = lineOrRest(b, at);
    if (end > at) {
      const command = commandOf(b, at, end);
      if (command !== null) info += ` (${rawAscii(b, command.start, command.end)})`;
    }
    at = next;
  }
  return info;
}

/** The command of the line from `at` to `end`: after the prefix and the blanks that follow it. */
function commandOf(b: Uint8Array, at: number, end: number): { start: number; end: number } | null {
  let start = at;
  if (b[at] === 0x3a) {
    const space = b.subarray(at + 1, end).indexOf(0x20);
    if (space < 0) return null;
    start = at + 1 + space + 1;
  }
  while (start < end && b[start] === 0x20) start++;
  if (start === end) return null;
  const space = b.subarray(start, end).indexOf(0x20);
  return { start, end: space < 0 ? end : start + space };
}

/**
 * The command as IRC's dissector appends it: read as ASCII (bytes above 0x7F become U+FFFD),
 * control characters left as they are — unescaped, unlike other dissectors' — up to a NUL.
 */
function rawAscii(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const c = b[i] as number;
    if (c === 0) break;
    s += c >= 0x80 ? '\uFFFD' : String.fromCharCode(c);
  }
  return s;
}
