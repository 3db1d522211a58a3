/** Why a CRS directory could not be loaded or a request could not be evaluated. */
export type CrsErrorCode =
  /** A directive line that cannot be read (unbalanced quotes, a missing argument). */
  | 'E_CRS_SYNTAX'
  /** SecLang outside the subset this engine implements: better refused than silently ignored. */
  | 'E_CRS_UNSUPPORTED'
  /** A bad number, an unknown marker, an invalid argument. */
  | 'E_CRS_COMPILE'
  /** An @rx pattern RE2 cannot run (lookahead, backreference): its rule is skipped and listed. */
  | 'E_CRS_REGEX'
  /** A file of the CRS directory that cannot be read. */
  | 'E_CRS_IO';

/** A CRS error located at the directive it comes from (`file:line`), like the catalog's errors. */
export class CrsError extends Error {
  readonly code: CrsErrorCode;
  readonly file: string;
  /** 1-based line of the directive's first line, 0 when unknown. */
  readonly line: number;

  constructor(code: CrsErrorCode, where: { file: string; line: number }, message: string) {
    super(`${where.file}${where.line > 0 ? `:${where.line}` : ''}: ${message}`);
    this.code = code;
    this.file = where.file;
    this.line = where.line;
  }
}

/** Where a directive came from. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
}
