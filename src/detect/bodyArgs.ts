/**
 * Arguments inside request bodies that are not form-encoded, so that rules on `args.names` and
 * `args.values` see them as CRS's body processors do: JSON keys and scalar leaves, XML element
 * and attribute names with attribute values and text, multipart part names with file names and
 * contents. Every reader is a single linear pass over the bounded body prefix and stops after
 * `MAX_ENTRIES`; a truncated or malformed body yields what was read so far (JSON: nothing).
 */
export const MAX_ENTRIES = 200;
const MAX_DEPTH = 8;

export interface Args {
  names: string[];
  values: string[];
}

export function addBodyArgs(contentType: string, body: string, into: Args): void {
  const type = contentType.toLowerCase();
  if (type.includes('json')) addJson(body, into);
  else if (type.includes('xml')) addXml(body, into);
  else if (type.startsWith('multipart/form-data')) addMultipart(type, contentType, body, into);
}

function addJson(text: string, into: Args): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return;
  }
  let budget = MAX_ENTRIES;
  const walk = (node: unknown, depth: number): void => {
    if (budget <= 0 || depth > MAX_DEPTH) return;
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') {
      into.values.push(String(node));
      budget--;
    } else if (Array.isArray(node)) for (const item of node) walk(item, depth + 1);
    else if (node !== null && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        into.names.push(key);
        budget--;
        walk(value, depth + 1);
      }
  };
  walk(parsed, 0);
}

/** Tags, attributes and text of an XML body; no entity expansion, no DTD processing. */
function addXml(text: string, into: Args): void {
  let budget = MAX_ENTRIES;
  let i = 0;
  while (i < text.length && budget > 0) {
    const open = text.indexOf('<', i);
    const chunk = (open < 0 ? text.slice(i) : text.slice(i, open)).trim();
    if (chunk !== '') {
      into.values.push(chunk);
      budget--;
    }
    if (open < 0) break;
    const close = text.indexOf('>', open);
    const tag = text.slice(open + 1, close < 0 ? text.length : close);
    i = close < 0 ? text.length : close + 1;
    if (tag.startsWith('?') || tag.startsWith('!') || tag.startsWith('/')) continue;
    const name = /^[^\s/>]+/.exec(tag)?.[0];
    if (name === undefined) continue;
    into.names.push(name);
    budget--;
    budget -= addAttributes(tag.slice(name.length), into, budget);
  }
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** `name="value"` pairs of one tag, read in one pass (no regex: the tag is attacker-sized). */
function addAttributes(text: string, into: Args, budget: number): number {
  let used = 0;
  let i = 0;
  while (i < text.length && used < budget) {
    while (i < text.length && (isSpace(text[i]) || text[i] === '/')) i++;
    const start = i;
    while (i < text.length && !isSpace(text[i]) && text[i] !== '=' && text[i] !== '/') i++;
    const name = text.slice(start, i);
    while (isSpace(text[i])) i++;
    if (text[i] !== '=') {
      if (i === start) i++;
      continue;
    }
    i++;
    while (isSpace(text[i])) i++;
    const quote = text[i];
    if (quote !== '"' && quote !== "'") continue;
    const end = text.indexOf(quote, i + 1);
    const value = text.slice(i + 1, end < 0 ? text.length : end);
    i = end < 0 ? text.length : end + 1;
    if (name !== '') {
      into.names.push(name);
      into.values.push(value);
      used += 2;
    }
  }
  return used;
}

/** Part names, file names and contents of a multipart/form-data body. */
function addMultipart(lowerType: string, contentType: string, body: string, into: Args): void {
  const at = lowerType.indexOf('boundary=');
  if (at < 0) return;
  const boundary = contentType
    .slice(at + 9)
    .split(';')[0]
    ?.trim()
    .replace(/^"|"$/g, '');
  if (!boundary) return;
  let budget = MAX_ENTRIES;
  for (const part of body.split(`--${boundary}`)) {
    if (budget <= 0) break;
    const split = /\r?\n\r?\n/.exec(part);
    if (split === null) continue;
    const head = part.slice(0, split.index);
    const content = part.slice(split.index + split[0].length).replace(/\r?\n$/, '');
    const disposition = /content-disposition:[^\n]*/i.exec(head)?.[0] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    const filename = /\bfilename="([^"]*)"/i.exec(disposition)?.[1];
    if (name !== undefined) into.names.push(name);
    if (filename !== undefined) into.values.push(filename);
    into.values.push(content);
    budget -= 3;
  }
}
