/**
 * Undo the escapes Apache (`\"`, `\\`, `\xhh`) and nginx (`\xHH`) write into logged request
 * lines and headers, giving back the latin1 bytes the client sent — the same text the gateway
 * sees on the wire, so rules match a logged request exactly as a live one.
 */
export function unescapeLogged(text: string): string {
  if (text.indexOf('\\') < 0) return text;
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i] as string;
    if (c !== '\\' || i + 1 >= text.length) {
      out += c;
      i++;
      continue;
    }
    const n = text[i + 1] as string;
    if (n === 'x' && i + 3 < text.length + 0 && isHex(text.charCodeAt(i + 2)) && isHex(text.charCodeAt(i + 3))) {
      out += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (n === '"' || n === '\\') {
      out += n;
      i += 2;
    } else if (n === 'n' || n === 't' || n === 'r') {
      out += n === 'n' ? '\n' : n === 't' ? '\t' : '\r';
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
