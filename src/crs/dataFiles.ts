import { fileURLToPath } from 'node:url';

/**
 * Data files the CRS engine ships in src/crs/ (tsc and esbuild copy no data). This module runs
 * from src/crs/ (tsx) or from the bundle in dist/cli/; both sit two levels below the package
 * root, so resolving through the root finds the files from both (src/ ships with the package).
 */
const packageRoot = new URL('../../', import.meta.url);

/** libinjection's keyword and fingerprint table. */
export const SQLI_KEYWORDS_FILE = fileURLToPath(new URL('src/crs/libinjection/sqliKeywords.txt', packageRoot));
