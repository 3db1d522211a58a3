import { readFileSync } from 'node:fs';

/** `bansho/0.1.0`: how reports and RDAP queries name their software (X-ARF and ARF `User-Agent`). */
export function userAgent(): string {
  // src/abuse/ and dist/cli/ are both two levels below the package root.
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `bansho/${pkg.version}`;
}
