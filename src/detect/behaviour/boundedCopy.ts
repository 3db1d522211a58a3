/**
 * At most `max` characters of `text`, as a string of their own. A plain slice of a long string
 * shares it (V8 keeps the parent alive for the slice), so a counter holding slices of request
 * lines would hold the lines — or the whole read buffer they came from. Concatenation then
 * slice forces a flat copy of just the part kept.
 */
export function boundedCopy(text: string, max: number): string {
  const part = text.length > max ? text.slice(0, max) : text;
  return ` ${part}`.slice(1);
}
