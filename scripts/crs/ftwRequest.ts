import type { FtwInput } from './ftwSuite.js';

/**
 * The bytes go-ftw sends for a test input: `encoded_request` as given, or a request line, the
 * headers in the order written, and the data. With autocomplete_headers (go-ftw's default) a
 * Content-Length (0 for a POST, PUT or PATCH without data) and an urlencoded Content-Type are
 * added for data, and `Connection: close`, when absent.
 */
export function rawRequest(input: FtwInput): Buffer {
  if (input.encoded_request !== undefined) return Buffer.from(input.encoded_request.replace(/\s+/g, ''), 'base64');
  const method = input.method ?? 'GET';
  const uri = input.uri ?? '/';
  const version = input.version ?? 'HTTP/1.1';
  const headers = Object.entries(input.headers ?? {}).map(([k, v]) => [k, String(v)] as [string, string]);
  // YAML gives text: the data's bytes are its UTF-8.
  const data = input.data === undefined ? Buffer.alloc(0) : Buffer.from(expandTemplates(input.data), 'utf8');
  if (input.autocomplete_headers !== false) {
    const has = (name: string) => headers.some(([k]) => k.toLowerCase() === name);
    const sendsBody = data.length > 0 || ['POST', 'PUT', 'PATCH'].includes(method);
    if (sendsBody && !has('content-length') && !has('transfer-encoding'))
      headers.push(['Content-Length', String(data.length)]);
    // As a form would send it: CRS's tests post urlencoded data without saying so.
    if (data.length > 0 && !has('content-type')) headers.push(['Content-Type', 'application/x-www-form-urlencoded']);
    if (!has('connection')) headers.push(['Connection', 'close']);
  }
  const head = `${method} ${uri}${version === '' ? '' : ` ${version}`}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'utf8'), data]);
}

/** go-ftw's data templates, the one CRS's tests use: `{{ "1" | repeat 64200 }}`. */
function expandTemplates(data: string): string {
  return data.replace(/\{\{\s*"([^"]*)"\s*\|\s*repeat\s+(\d+)\s*\}\}/g, (_m, text: string, n: string) =>
    text.repeat(Number(n)),
  );
}
