import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { type ConfigFile, ConfigFileSchema } from './schema.js';

export class ConfigError extends Error {
  readonly code = 'E_CONFIG';
}

/** Read and validate a YAML config file. Errors name the file, the line where known, and the key. */
export function readConfigFile(file: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `cannot read config ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  return parseConfigText(text, file);
}

export function parseConfigText(text: string, file = 'config'): ConfigFile {
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const where = e?.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    throw new ConfigError(`config ${file}${where}: invalid YAML: ${e?.message.split('\n')[0] ?? 'parse error'}`);
  }
  const value = doc.toJS() ?? {};
  const result = ConfigFileSchema.safeParse(value);
  if (!result.success) throw new ConfigError(`config ${file}: ${describeIssues(result.error.issues, doc)}`);
  return result.data;
}

function describeIssues(issues: readonly z.core.$ZodIssue[], doc: ReturnType<typeof parseDocument>): string {
  return issues
    .flatMap(withinUnion)
    .slice(0, 5)
    .map((issue) => {
      const path = issue.path.map(String);
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => [...path, k].join('.'));
        return `unknown key ${keys.map((k) => `"${k}"`).join(', ')}${lineOf(doc, path)}`;
      }
      const key = path.length > 0 ? path.join('.') : '(top level)';
      return `${key}${lineOf(doc, path)}: ${issue.message}`;
    })
    .join('; ');
}

function lineOf(doc: ReturnType<typeof parseDocument>, path: readonly string[]): string {
  if (path.length === 0) return '';
  const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
  const offset = node?.range?.[0];
  if (offset === undefined) return '';
  const text = doc.toString();
  return ` (line ${text.slice(0, offset).split('\n').length})`;
}

/**
 * A value one branch of a union took as its own (an object where `false` or an object may
 * stand) is wrong in that branch's keys: name those (`behaviours.login-form.severity`), not
 * the union.
 */
function withinUnion(issue: z.core.$ZodIssue): z.core.$ZodIssue[] {
  if (issue.code !== 'invalid_union') return [issue];
  const taken = issue.errors.find((branch) => branch.length > 0 && branch.every((i) => i.path.length > 0));
  if (!taken) return [issue];
  return taken.flatMap((i) => withinUnion({ ...i, path: [...issue.path, ...i.path] }));
}
