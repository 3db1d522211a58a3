/** A rule pack or threat file that cannot be loaded, located as precisely as we can. */
export class CatalogError extends Error {
  readonly code: 'E_CATALOG_YAML' | 'E_CATALOG_SCHEMA' | 'E_CATALOG_COMPILE' | 'E_CATALOG_REF' | 'E_CATALOG_IO';
  readonly file: string;
  /** 1-based line, or 0 when unknown. */
  readonly line: number;
  /** The key path inside the file, such as `rules.3.when.0.pattern`. */
  readonly key: string;

  constructor(init: { code: CatalogError['code']; file: string; line: number; key: string; message: string }) {
    super(`${init.file}${init.line > 0 ? `:${init.line}` : ''}${init.key ? ` (${init.key})` : ''}: ${init.message}`);
    this.code = init.code;
    this.file = init.file;
    this.line = init.line;
    this.key = init.key;
  }
}
