/**
 * What an abuser wrote, turned into text bansho can keep and show. Everything here is
 * attacker-controlled bytes held as latin1 strings (one character per byte).
 */
import { TextDecoder } from 'node:util';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Bytes as text: UTF-8 when they are valid UTF-8, else windows-1252 (what 2003's 8-bit mail
 * mostly was, whatever charset it claimed). At most `max` characters.
 */
export function decodeBytes(latin1: string, max = 1000): string {
  const head = latin1.slice(0, max * 4);
  let text: string;
  try {
    text = utf8.decode(Buffer.from(head, 'latin1'));
  } catch {
    text = windows1252(head);
  }
  return [...text].slice(0, max).join('');
}

/** windows-1252's characters for bytes 0x80–0x9f (WHATWG Encoding); the five it leaves undefined stay as they are. */
const CP1252_HIGH = '€\x81‚ƒ„…†‡ˆ‰Š‹Œ\x8dŽ\x8f\x90‘’“”•–—˜™š›œ\x9džŸ';

/**
 * Latin1-held bytes as windows-1252 text, as the WHATWG Encoding standard reads `iso-8859-1`
 * too. Node 20's TextDecoder reads windows-1252 as plain latin1, so the table is ours.
 */
export function windows1252(latin1: string): string {
  return latin1.replace(/[\x80-\x9f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] as string);
}

/**
 * Printable ASCII as is, everything else as `\xNN` (bounded): for first bytes of a tunnel and for
 * anything shown on a terminal, where an abuser's escape sequences must not be interpreted.
 */
export function printable(latin1: string, max = 256): string {
  let out = '';
  for (let i = 0; i < latin1.length && out.length < max; i++) {
    const c = latin1.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c < 0x7f) out += latin1[i];
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x0a) out += '\\n';
    else out += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return out;
}

/** A decoded string with control characters (C0, DEL, C1) escaped: safe on a terminal. */
export function terminalSafe(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  return text.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * A host name as the honeypot may say it back (a banner, an IRC prefix): letters, digits, dots
 * and dashes, or an address; anything else — CRLF, spaces, an over-long name — gives `fallback`.
 */
export function speakableHost(host: string, fallback = 'localhost'): string {
  if (/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/i.test(host)) return host.toLowerCase();
  if (/^[0-9a-f:.]{2,45}$/i.test(host) && host.includes(':')) return `[${host.toLowerCase()}]`;
  return fallback;
}
