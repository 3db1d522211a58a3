import type { Command } from 'commander';
import { loadCatalog } from '../catalog/index.js';
import { loadRuleDir } from '../catalog/loadRules.js';
import { BUILTIN_RULES_DIR } from '../catalog/paths.js';
import type { Threat } from '../catalog/threatSchema.js';

/** `bansho threats list [--json]` and `bansho threats show ID`. */
export function register(program: Command): void {
  const threats = program.command('threats').description('the threat catalog: what bansho can name');

  threats
    .command('list')
    .description('every threat in the catalog')
    .option('--json', 'one JSON object per line')
    .option('--kind <kind>', 'only worm, trojan, botnet, scanner, exploit or abuse')
    .option('--catalog-dir <dir>', 'threat catalog to use instead of the built-in one')
    .action((flags: { json?: boolean; kind?: string; catalogDir?: string }) => {
      const all = loadCatalog(flags.catalogDir ? { dir: flags.catalogDir } : {})
        .all()
        .filter((t) => flags.kind === undefined || t.kind === flags.kind);
      if (flags.json) {
        for (const t of all) process.stdout.write(`${JSON.stringify(t)}\n`);
        return;
      }
      const width = Math.max(...all.map((t) => t.id.length), 2);
      for (const t of all)
        process.stdout.write(`${t.id.padEnd(width)}  ${t.kind.padEnd(7)}  ${t.firstSeen.padEnd(10)}  ${t.name}\n`);
    });

  threats
    .command('show')
    .description('everything the catalog knows about one threat, and the rules that name it')
    .argument('<id>', 'threat id, e.g. prettypark')
    .option('--json', 'as JSON')
    .option('--catalog-dir <dir>', 'threat catalog to use instead of the built-in one')
    .option('--rules-dir <dir>', 'rule packs to use instead of the built-in ones')
    .action((id: string, flags: { json?: boolean; catalogDir?: string; rulesDir?: string }) => {
      const catalog = loadCatalog(flags.catalogDir ? { dir: flags.catalogDir } : {});
      const threat =
        catalog.get(id) ?? catalog.all().find((t) => t.aliases.some((a) => a.toLowerCase() === id.toLowerCase()));
      if (threat === undefined) {
        process.stderr.write(`bansho: no threat ${JSON.stringify(id)} (see \`bansho threats list\`)\n`);
        process.exitCode = 1;
        return;
      }
      const rules = loadRuleDir(flags.rulesDir ?? BUILTIN_RULES_DIR).rules.filter((r) => r.spec.threat === threat.id);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify({ ...threat, rules: rules.map((r) => r.spec.id) }, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        describe(
          threat,
          rules.map((r) => `${r.spec.id} (${r.spec.action}, score ${r.spec.score})`),
        ),
      );
    });
}

function describe(t: Threat, rules: string[]): string {
  const lines = [
    `${t.name}  [${t.id}]`,
    `kind:       ${t.kind}`,
    `first seen: ${t.firstSeen}`,
    `aliases:    ${t.aliases.join(', ') || '-'}`,
    `targets:    ${t.targets}`,
    '',
    wrap(t.description.trim()),
    '',
    `What to do: ${wrap(t.advice.trim())}`,
    '',
    'References:',
    ...t.references.map((r) => `  ${r}`),
    '',
    `Rules: ${rules.length === 0 ? '-' : ''}`,
    ...rules.map((r) => `  ${r}`),
  ];
  return `${lines.join('\n')}\n`;
}

function wrap(text: string, width = 92): string {
  const out: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + word.length + 1 > width) {
      out.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') out.push(line);
  return out.join('\n');
}
