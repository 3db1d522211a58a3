/**
 * An XML body read for the two things CRS asks of it: `XML:/*`, the text of the document
 * (ModSecurity v2 gives the root element's content, all its text and CDATA joined), and
 * `XML://@*`, every attribute value. A small tokenizer rather than a DOM: no DTD is read and no
 * external entity is resolved (no XXE), only the predefined and numeric references are decoded.
 */
export type XmlResult =
  | { readonly ok: true; readonly text: string; readonly attributes: readonly string[] }
  | { readonly ok: false; readonly error: string };

const NAMED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

export function parseXmlBody(body: string): XmlResult {
  const n = body.length;
  let i = 0;
  let depth = 0;
  let sawRoot = false;
  let text = '';
  const attributes: string[] = [];
  while (i < n) {
    const lt = body.indexOf('<', i);
    const chunk = body.slice(i, lt < 0 ? n : lt);
    if (depth > 0) text += decodeReferences(chunk);
    else if (chunk.trim() !== '') return fail('text outside the root element');
    if (lt < 0) break;
    i = lt;
    if (body.startsWith('<?', i)) {
      const end = body.indexOf('?>', i + 2);
      if (end < 0) return fail('unterminated processing instruction');
      i = end + 2;
    } else if (body.startsWith('<!--', i)) {
      const end = body.indexOf('-->', i + 4);
      if (end < 0) return fail('unterminated comment');
      i = end + 3;
    } else if (body.startsWith('<![CDATA[', i)) {
      const end = body.indexOf(']]>', i + 9);
      if (end < 0 || depth === 0) return fail('bad CDATA section');
      text += body.slice(i + 9, end);
      i = end + 3;
    } else if (body.startsWith('<!', i)) {
      const end = skipDeclaration(body, i);
      if (end < 0) return fail('unterminated declaration');
      i = end;
    } else if (body.startsWith('</', i)) {
      const end = body.indexOf('>', i);
      if (end < 0 || depth === 0) return fail('bad end tag');
      depth--;
      i = end + 1;
    } else {
      const tag = readStartTag(body, i + 1);
      if (tag === null) return fail('bad start tag');
      if (depth === 0 && sawRoot) return fail('more than one root element');
      sawRoot = true;
      attributes.push(...tag.attributes);
      if (!tag.selfClosing) depth++;
      i = tag.end;
    }
  }
  if (!sawRoot || depth !== 0) return fail('unclosed or missing root element');
  return { ok: true, text, attributes };
}

function fail(error: string): XmlResult {
  return { ok: false, error: `XML parser error: ${error}` };
}

/** `<!DOCTYPE … [ … ]>`: skipped whole, internal subset included. */
function skipDeclaration(body: string, at: number): number {
  let bracket = 0;
  for (let j = at + 2; j < body.length; j++) {
    const c = body[j];
    if (c === '[') bracket++;
    else if (c === ']') bracket--;
    else if (c === '>' && bracket <= 0) return j + 1;
  }
  return -1;
}

function readStartTag(body: string, at: number): { attributes: string[]; selfClosing: boolean; end: number } | null {
  const name = /^[^\s/>]+/.exec(body.slice(at, at + 256));
  if (name === null) return null;
  let j = at + name[0].length;
  const attributes: string[] = [];
  for (;;) {
    while (j < body.length && /\s/.test(body[j] as string)) j++;
    if (j >= body.length) return null;
    if (body[j] === '>') return { attributes, selfClosing: false, end: j + 1 };
    if (body.startsWith('/>', j)) return { attributes, selfClosing: true, end: j + 2 };
    const eq = body.indexOf('=', j);
    if (eq < 0) return null;
    let k = eq + 1;
    while (k < body.length && /\s/.test(body[k] as string)) k++;
    const quote = body[k];
    if (quote !== '"' && quote !== "'") return null;
    const close = body.indexOf(quote, k + 1);
    if (close < 0) return null;
    attributes.push(decodeReferences(body.slice(k + 1, close)));
    j = close + 1;
  }
}

function decodeReferences(text: string): string {
  if (text.indexOf('&') < 0) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      if (!(code > 0 && code <= 0x10ffff)) return whole;
      // Byte strings: a character reference stands for its UTF-8 bytes, as libxml2 gives them.
      return Buffer.from(String.fromCodePoint(code), 'utf8').toString('latin1');
    }
    return NAMED[ref] ?? whole;
  });
}
