/**
 * The ceiling for `bansho analyze` on one core: the smallest program that reads the log and
 * runs one multi-literal scan over each raw line — every literal the built-in rules' prefilters
 * need, in one automaton (src/detect/literalSet.ts), no parsing, no events. Run as a child of
 * bench/analyze.ts; prints its own CPU and wall time for the read-and-scan, set-up excluded.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { loadEngine } from '../src/catalog/index.js';
import { foldAscii, LiteralSet } from '../src/detect/literalSet.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: _logCeiling.ts FILE');
const literals = new Set<string>();
for (const rule of loadEngine().rules)
  if (rule.on === 'http')
    for (const entry of rule.prefilter ?? []) for (const l of entry.literals) literals.add(foldAscii(l));
const set = new LiteralSet([...literals], { caseless: true });

const cpu = process.cpuUsage();
const start = process.hrtime.bigint();
const fd = openSync(file, 'r');
const buffer = Buffer.alloc(1 << 20);
let carry = '';
let lines = 0;
let hits = 0;
for (let n = readSync(fd, buffer); n > 0; n = readSync(fd, buffer)) {
  const text = carry + buffer.toString('latin1', 0, n);
  let at = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', at)) {
    lines++;
    if (!set.clearOf(text, at, nl)) hits++;
    at = nl + 1;
  }
  carry = text.slice(at);
}
closeSync(fd);
const used = process.cpuUsage(cpu);
process.stdout.write(
  `${JSON.stringify({ lines, hits, seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: (used.user + used.system) / 1e6 })}\n`,
);
