import type { LogRecord } from './record.js';

/**
 * A log record's request as a RequestMemo key (../detect/requestMemo.ts): its request line and
 * logged headers, all an Observation's request is built from, each part with its length
 * before it, so no two records share one.
 */
export function recordKey(record: LogRecord): string {
  let key = `${record.requestLine.length}:${record.requestLine}`;
  for (const [name, value] of record.headers) key += `${name.length}:${name}${value.length}:${value}`;
  return key;
}
