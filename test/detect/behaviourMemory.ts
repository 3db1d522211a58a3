/**
 * Run with --expose-gc: feeds HttpBehaviour 40 000 counted requests from 20 000 sources, each
 * request a 4 000-character log line whose path is a slice of it, and prints how many bytes of
 * heap the behaviour holds afterwards (JSON). What it holds must not grow with the lines.
 */

import { builtInBehaviours } from '../../src/config/builtInDefaults.js';
import { HttpBehaviour, type RequestSignal } from '../../src/detect/behaviour/httpBehaviour.js';

interface Logged extends RequestSignal {
  readonly line: string;
}

const gc = (globalThis as { gc?: () => void }).gc as () => void;
gc();
const before = process.memoryUsage().heapUsed;
const behaviour = new HttpBehaviour<Logged>(builtInBehaviours(), { sample: (s) => s.line });
const padding = 'x'.repeat(3900);
for (let i = 0; i < 40_000; i++) {
  const source = `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255 & 0xfe}`;
  const line = `${source} - - [01/Jan/2026:00:00:00 +0000] "GET /probe/${i}/${padding} HTTP/1.1" 404 0 "-" "scanner ${i}"`;
  const start = line.indexOf('/probe/');
  const path = line.slice(start, line.indexOf(' HTTP/1.1'));
  behaviour.request({ time: i, source, method: 'GET', path, query: '', status: 404, line });
}
gc();
const held = process.memoryUsage().heapUsed - before;
// Printed after the measurement, so the behaviour is still alive when it is taken.
process.stdout.write(`${JSON.stringify({ held, behaviours: typeof behaviour.request })}\n`);
