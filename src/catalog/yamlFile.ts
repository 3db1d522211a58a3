import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { CatalogError } from './catalogError.js';

export { yamlFilesIn } from './yamlDir.js';

/** A parsed, schema-checked YAML file that can still tell on which line a key sits. */
export interface LocatedFile<T> {
  readonly file: string;
  readonly data: T;
  lineOf(path: ReadonlyArray<string | number>): number;
}

export function loadYamlFile<T>(file: string, schema: z.ZodType<T>): LocatedFile<T> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new CatalogError({ code: 'E_CATALOG_IO', file, line: 0, key: '', message: (err as Error).message });
  }
  return parseYamlText(file, text, schema);
}

export function parseYamlText<T>(file: string, text: string, schema: z.ZodType<T>): LocatedFile<T> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError !== undefined) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw new CatalogError({
      code: 'E_CATALOG_YAML',
      file,
      line,
      key: '',
      message: yamlError.message.split('\n')[0] ?? '',
    });
  }
  const lineOf = (path: ReadonlyArray<string | number>): number => {
    for (let n = path.length; n >= 0; n--) {
      const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 0;
  };
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = (issue?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p));
    // An unknown key is reported on its object; point at the key itself.
    if (issue?.code === 'unrecognized_keys' && issue.keys[0] !== undefined) path.push(issue.keys[0]);
    throw new CatalogError({
      code: 'E_CATALOG_SCHEMA',
      file,
      line: lineOf(path),
      key: path.join('.'),
      message: issue?.message ?? 'invalid',
    });
  }
  return { file, data: parsed.data, lineOf };
}
