import type { PlainLine } from '../detect/plainLine.js';

/**
 * One access-log line, parsed. Every field is what the log says, as text, bounded by the line
 * itself; `null` where the format does not carry the field or the log wrote `-`.
 */
export interface LogRecord {
  /** Client address as logged (`%h`, `$remote_addr`, `ClientHost`). */
  readonly client: string;
  /** Milliseconds since the epoch, or null when the line carries no time we can read. */
  readonly time: number | null;
  /**
   * The request line as the client sent it (`%r`), with the log's escapes undone; '' when the
   * log wrote `-` (no request line was received).
   */
  readonly requestLine: string;
  readonly status: number | null;
  readonly bytes: number | null;
  /** Request headers the format logged (`%{Referer}i`, `$http_user_agent`), lower-case names. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** Virtual host and port the request reached, when logged (`%v`, `%p`, `$server_name`). */
  readonly vhost: string | null;
  readonly serverPort: number | null;
}

/**
 * Reads a line's request into `plain` without parsing the line (../detect/plainLine.ts), for
 * the raw-line gate; false when it cannot (the line then goes through the parser).
 */
export type PlainLineReader = (line: string, plain: PlainLine) => boolean;

/** A line parser: the record, or null when the line does not fit the format. */
export type LineParser = (line: string) => LogRecord | null;

/** A named, compiled log format. */
export interface LogFormat {
  readonly name: string;
  /** The LogFormat / log_format string it was compiled from, or `json`. */
  readonly spec: string;
  readonly parse: LineParser;
  /**
   * Formats read by hand (./clfLine.ts): a line's request for the gate before it is parsed. A
   * line it reads is one `parse` reads (as the first parser tried), at the same places.
   */
  readonly plain?: PlainLineReader;
}

export class LogFormatError extends Error {
  readonly code = 'E_LOG_FORMAT';
}
