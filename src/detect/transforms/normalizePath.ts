/**
 * Path normalisation as a file system would resolve it: backslashes become slashes, `//`
 * collapses, `./` disappears and `../` removes the segment before it. Use it for rules about
 * *where* a request lands (`/admin/../.env` is `/.env`); traversal rules look at the raw
 * `../` instead, since normalising would erase exactly what they seek.
 */
export function normalizePath(value: string): string {
  if (value.indexOf('\\') < 0 && value.indexOf('/.') < 0 && value.indexOf('//') < 0 && !value.startsWith('.'))
    return value;
  const absolute = value.startsWith('/') || value.startsWith('\\');
  const slashed = value.replaceAll('\\', '/');
  const trailing = slashed.endsWith('/') || slashed.endsWith('/.') || slashed.endsWith('/..');
  const out: string[] = [];
  for (const segment of slashed.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  const joined = out.join('/');
  const lead = absolute ? '/' : '';
  return joined === '' ? lead : `${lead}${joined}${trailing ? '/' : ''}`;
}
