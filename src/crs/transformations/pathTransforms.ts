/**
 * `normalizePath` (and its Windows form, which first turns backslashes into slashes): repeated
 * slashes collapse, `.` segments go and `..` removes the segment before it; a relative path
 * keeps the `..` it cannot resolve, an absolute one stops at the root (ModSecurity v2).
 */
export function normalizePath(input: string): string {
  if (input.indexOf('/.') < 0 && input.indexOf('//') < 0 && !input.startsWith('.')) return input;
  const absolute = input.startsWith('/');
  const trailing =
    input.endsWith('/') || input.endsWith('/.') || input.endsWith('/..') || input === '.' || input === '..';
  const out: string[] = [];
  for (const segment of input.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(segment);
  }
  const body = out.join('/');
  if (body === '') return absolute ? '/' : '';
  return `${absolute ? '/' : ''}${body}${trailing ? '/' : ''}`;
}

export function normalizePathWin(input: string): string {
  return normalizePath(input.indexOf('\\') < 0 ? input : input.replaceAll('\\', '/'));
}
