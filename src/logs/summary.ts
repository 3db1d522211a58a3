import { attributionText } from '../intel/attribution.js';
import { describeOrigin, type Origin } from '../intel/origin.js';
import type { AnalysisStats } from './tally.js';

export interface SummaryInput {
  readonly stats: AnalysisStats;
  readonly added: number;
  readonly made: number;
  readonly problems: ReadonlyArray<{ file: string; message: string }>;
  readonly threatName: (id: string) => string;
  /** Origins of the top sources, when looked up. */
  readonly origins?: ReadonlyMap<string, Origin>;
  readonly top?: number;
}

/**
 * The top `n` keys of a tally, biggest first, ties by key so output is stable. Picked in one
 * pass keeping the best `n` so far: a log of attacks has a source per line, and sorting them
 * all for the first ten cost more than the analysis of their lines.
 */
export function topEntries<T>(map: ReadonlyMap<string, T>, count: (v: T) => number, n: number): Array<[string, T]> {
  const top: Array<[string, T, number]> = [];
  const before = (k: string, c: number, other: [string, T, number]): boolean =>
    c > other[2] || (c === other[2] && k < other[0]);
  for (const [key, value] of map) {
    if (n <= 0) break;
    const c = count(value);
    if (top.length === n && !before(key, c, top[n - 1] as [string, T, number])) continue;
    let at = top.length === n ? n - 1 : top.length;
    while (at > 0 && before(key, c, top[at - 1] as [string, T, number])) {
      top[at] = top[at - 1] as [string, T, number];
      at--;
    }
    top[at] = [key, value, c];
  }
  return top.map(([key, value]) => [key, value]);
}

/** The end-of-run summary, as the terminal shows it. Dates UTC, numbers exact. */
export function formatSummary(input: SummaryInput): string {
  const { stats } = input;
  const n = input.top ?? 10;
  const out: string[] = [];
  out.push(
    `lines: ${stats.lines} (${stats.parsed} parsed, ${stats.garbage} garbage, ${stats.blank} blank, ${stats.noRequest} without a request line)`,
  );
  for (const [file, format] of stats.formats) out.push(`format: ${file}: ${format}`);
  const findings = stats.findings > 0 ? `behaviour findings: ${stats.findings}; ` : '';
  out.push(
    `threat lines: ${stats.matchedLines}; ${findings}events: ${input.added} new, ${input.made - input.added} already stored`,
  );
  if (stats.first !== null && stats.last !== null)
    out.push(`first seen: ${iso(stats.first)}   last seen: ${iso(stats.last)}`);
  if (stats.threats.size > 0) {
    out.push('', 'threats found:');
    for (const [id, t] of topEntries(stats.threats, weight, n)) {
      out.push(
        `  ${input.threatName(id)} [${id}]: ${counted(t)} from ${t.sources} source${t.sources === 1 ? '' : 's'}, ${iso(t.first)} … ${iso(t.last)}`,
      );
    }
  }
  if (stats.sources.size > 0) {
    out.push('', 'top sources:');
    for (const [ip, s] of topEntries(stats.sources, weight, n)) {
      const origin = input.origins?.get(ip);
      const where = origin ? ` — ${describeOrigin(origin)}` : '';
      out.push(`  ${ip}: ${counted(s)}, ${[...s.threats].join(', ')}, ${iso(s.first)} … ${iso(s.last)}${where}`);
    }
    if (input.origins && input.origins.size > 0) out.push(`  ${attributionText()}`);
  }
  if (stats.garbage > 0) {
    out.push('', `garbage lines (${stats.garbage}), first ${stats.garbageSamples.length}:`);
    for (const g of stats.garbageSamples) out.push(`  ${JSON.stringify(g)}`);
  }
  for (const p of input.problems) out.push(`problem: ${p.file}: ${p.message}`);
  return `${out.join('\n')}\n`;
}

/** The same, as a JSON document (for `--json`). */
export function summaryJson(input: SummaryInput): Record<string, unknown> {
  const { stats } = input;
  const n = input.top ?? 10;
  return {
    lines: stats.lines,
    parsed: stats.parsed,
    garbage: stats.garbage,
    blank: stats.blank,
    noRequest: stats.noRequest,
    matchedLines: stats.matchedLines,
    findings: stats.findings,
    eventsNew: input.added,
    eventsAlreadyStored: input.made - input.added,
    first: stats.first === null ? null : iso(stats.first),
    last: stats.last === null ? null : iso(stats.last),
    formats: Object.fromEntries(stats.formats),
    threats: topEntries(stats.threats, weight, n).map(([id, t]) => ({
      id,
      name: input.threatName(id),
      lines: t.count,
      findings: t.findings,
      sources: t.sources,
      first: iso(t.first),
      last: iso(t.last),
    })),
    topSources: topEntries(stats.sources, weight, n).map(([ip, s]) => ({
      ip,
      lines: s.count,
      findings: s.findings,
      threats: [...s.threats],
      first: iso(s.first),
      last: iso(s.last),
      ...(input.origins?.get(ip) ? { origin: input.origins.get(ip) } : {}),
    })),
    ...(input.origins && input.origins.size > 0 ? { attribution: attributionText() } : {}),
    garbageSamples: stats.garbageSamples,
    problems: input.problems,
  };
}

/** Threat lines and behaviour findings, for ranking (a finding sums up several lines). */
const weight = (t: { count: number; findings: number }): number => t.count + t.findings;

/** "4 lines", "1 behaviour finding", "3 lines, 1 behaviour finding". */
function counted(t: { count: number; findings: number }): string {
  const parts: string[] = [];
  if (t.count > 0 || t.findings === 0) parts.push(`${t.count} line${t.count === 1 ? '' : 's'}`);
  if (t.findings > 0) parts.push(`${t.findings} behaviour finding${t.findings === 1 ? '' : 's'}`);
  return parts.join(', ');
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}
