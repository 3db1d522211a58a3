import { readFileSync } from 'node:fs';

/**
 * The page's own files, read once. The folder is two levels below the package root both from
 * src/web/ and from the bundle in dist/cli/, so one relative path serves both.
 */
const ASSETS_DIR = new URL('../../src/web/assets/', import.meta.url);

const TYPES: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

const cache = new Map<string, Asset>();

/** The asset named `name` (only the listed files: no path from a request ever reaches the file system). */
export function assetNamed(name: string): Asset | null {
  const type = TYPES[name];
  if (type === undefined) return null;
  let asset = cache.get(name);
  if (!asset) {
    asset = { type, body: readFileSync(new URL(name, ASSETS_DIR)) };
    cache.set(name, asset);
  }
  return asset;
}
