import { clfPlainLine, clfReader } from './clfLine.js';
import { planSteps, runPlan } from './logFormatPlan.js';
import { tokenize } from './logFormatSpec.js';
import { type LineParser, LogFormatError, type PlainLineReader } from './record.js';

/**
 * Compile an Apache `LogFormat` string (`%h %l %u %t \"%r\" %>s %b`) or an nginx `log_format`
 * string (`$remote_addr - $remote_user [$time_local] "$request" …`) into a line parser.
 * The format is read into steps (./logFormatSpec.ts) and planned (./logFormatPlan.ts); `common` and
 * `combined` get a hand-written reader (./clfLine.ts).
 */
export function compileLogFormat(spec: string): LineParser {
  const plan = compileLogFormatPlan(spec);
  const shape = HAND_WRITTEN.get(JSON.stringify(tokenize(spec)));
  return shape ? clfReader(shape, plan) : plan;
}

/** The raw-line reader for the gate (./record.ts), for the formats read by hand. */
export function plainLineReader(spec: string): PlainLineReader | undefined {
  const shape = HAND_WRITTEN.get(JSON.stringify(tokenize(spec)));
  return shape ? clfPlainLine(shape) : undefined;
}

/** `compileLogFormat` without the hand-written readers: always the generic plan. */
export function compileLogFormatPlan(spec: string): LineParser {
  const steps = tokenize(spec);
  if (!steps.some((s) => s.kind === 'field')) throw new LogFormatError(`log format has no fields: ${spec}`);
  const plan = planSteps(steps);
  return (line: string) => runPlan(plan, line);
}

/**
 * Formats with a hand-written reader (./clfLine.ts), by the shape of their tokenized spec — so
 * `%{User-Agent}i` for `%{User-agent}i`, or a `--format` string spelling out `combined`, gets it.
 */
const HAND_WRITTEN = new Map<string, 'common' | 'combined'>([
  [JSON.stringify(tokenize('%h %l %u %t "%r" %>s %b')), 'common'],
  [JSON.stringify(tokenize('%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"')), 'combined'],
]);
