/**
 * `npm run check:imports`: the structure of src/ held against docs/architecture.md. Fails on an
 * import cycle between files, and on an import from one folder into another that the
 * architecture's `layers` block does not allow. Only relative imports of our own code count;
 * `import type` counts too (a type is a dependency of the reader's understanding, if not of
 * the runtime's).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const SRC = join(ROOT, 'src');

/** `folder: allowed, allowed` lines from the fenced ```layers block of the architecture page. */
export function readLayers(markdown: string): Map<string, Set<string>> {
  const block = /```layers\n([\s\S]*?)```/.exec(markdown)?.[1];
  if (block === undefined) throw new Error('docs/architecture.md has no ```layers block');
  const layers = new Map<string, Set<string>>();
  for (const line of block.split('\n')) {
    const text = line.replace(/#.*/, '').trim();
    if (text === '') continue;
    const [folder = '', allowed = ''] = text.split(':');
    layers.set(
      folder.trim(),
      new Set(
        allowed
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      ),
    );
  }
  return layers;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Each file's relative imports, resolved to files. */
export function importGraph(files: readonly string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const IMPORT = /^\s*(?:import|export)\b[^'";]*?from\s+'(\.{1,2}\/[^']+)'|^\s*import\s+'(\.{1,2}\/[^']+)'/gm;
  for (const file of files) {
    const targets: string[] = [];
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2]) as string;
      targets.push(resolve(dirname(file), spec).replace(/\.js$/, '.ts'));
    }
    graph.set(file, targets);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan's. */
export function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
    }
    if (low.get(v) !== indices.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop() as string;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

const folderOf = (file: string): string => relative(SRC, file).split('/')[0] as string;

export function check(): string[] {
  const layers = readLayers(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
  const graph = importGraph(sourceFiles(SRC));
  const problems: string[] = [];
  for (const component of cycles(graph)) problems.push(`cycle: ${component.map((f) => relative(SRC, f)).join(' ↔ ')}`);
  for (const [file, targets] of graph) {
    const from = folderOf(file);
    const allowed = layers.get(from);
    if (allowed === undefined) {
      problems.push(`src/${from}/ is not in the layers of docs/architecture.md`);
      continue;
    }
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== from && !allowed.has(to) && !allowed.has('*'))
        problems.push(
          `${relative(SRC, file)} imports ${relative(SRC, target)}: ${from} → ${to} is against the layering`,
        );
    }
  }
  return [...new Set(problems)];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const problems = check();
  for (const p of problems) console.error(p);
  console.log(
    problems.length === 0
      ? 'imports: no cycles, every arrow with the layering'
      : `imports: ${problems.length} problem(s)`,
  );
  process.exit(problems.length === 0 ? 0 : 1);
}
