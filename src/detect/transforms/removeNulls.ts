/** Drop NUL characters, which C-based servers treat as the end of a string (`shell.php%00.jpg`). */
export function removeNulls(value: string): string {
  return value.indexOf('\0') < 0 ? value : value.replaceAll('\0', '');
}
