import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const HONEYPOT = join(SRC, 'honeypot');

/** Modules that open sockets, resolve names or start other programs. */
const NETWORK_MODULES = [
  'net',
  'dns',
  'dns/promises',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'child_process',
  'cluster',
  'worker_threads',
  'inspector',
];
const NETWORK_PACKAGES = ['undici', 'ws', 'nodemailer', 'smtp-server', 'node-fetch', 'axios', 'socks'];
/** node:net's pure functions: they read a string, they open nothing (defense/address.ts uses them). */
const PURE_NET = new Set(['isIP', 'isIPv4', 'isIPv6']);

function isNetwork(spec: string): boolean {
  const bare = spec.replace(/^node:/, '');
  return NETWORK_MODULES.includes(bare) || NETWORK_PACKAGES.some((p) => spec === p || spec.startsWith(`${p}/`));
}

interface Import {
  readonly spec: string;
  /** Names bound at run time: `*` for a namespace or default import; type-only names left out. */
  readonly values: readonly string[];
}

/** Every static import and re-export of a file, with the names that survive compilation. */
function importsOf(text: string): Import[] {
  const out: Import[] = [];
  const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*'([^']+)'|^\s*import\s+'([^']+)'/gm;
  for (const m of text.matchAll(re)) {
    if (m[5] !== undefined) {
      out.push({ spec: m[5], values: ['*'] });
      continue;
    }
    if (m[2] !== undefined) {
      out.push({ spec: m[4] as string, values: [] });
      continue;
    }
    const clause = (m[3] ?? '').trim();
    const braces = /\{([^}]*)\}/.exec(clause);
    const named = (braces?.[1] ?? '')
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '' && !n.startsWith('type '))
      .map((n) => n.split(/\s+as\s+/)[0] as string);
    const other = clause
      .replace(/\{[^}]*\}/, '')
      .replace(/,/g, '')
      .trim();
    out.push({ spec: m[4] as string, values: other === '' ? named : ['*', ...named] });
  }
  return out;
}

/** True when an import binds something that can reach the network. */
function reachesNetwork(imp: Import): boolean {
  if (!isNetwork(imp.spec)) return false;
  if (imp.spec.replace(/^node:/, '') === 'net') return imp.values.some((v) => !PURE_NET.has(v));
  return imp.values.length > 0;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** What runs when the honeypot's files are loaded: their value imports, followed through our own files. */
function runtimeClosure(entries: readonly string[]): { files: Set<string>; offending: string[] } {
  const files = new Set<string>();
  const offending: string[] = [];
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (files.has(file)) continue;
    files.add(file);
    for (const imp of importsOf(readFileSync(file, 'utf8'))) {
      if (imp.values.length === 0) continue;
      if (imp.spec.startsWith('.')) queue.push(resolve(dirname(file), imp.spec).replace(/\.js$/, '.ts'));
      else if (reachesNetwork(imp)) offending.push(`${relative(SRC, file)}: ${imp.values.join(', ')} from ${imp.spec}`);
    }
  }
  return { files, offending };
}

describe('the honeypot is never a relay', () => {
  const honeypotFiles = filesUnder(HONEYPOT);

  it('nothing the honeypot loads can open a socket, resolve a name or start a program', () => {
    assert.ok(honeypotFiles.length >= 10, 'the honeypot files were found');
    const { files, offending } = runtimeClosure(honeypotFiles);
    assert.deepEqual(offending, [], 'network modules reached from src/honeypot');
    // Beside itself it loads a few pure helpers (address keys, event headers), none of the
    // gateway's files: those are the only ones that connect anywhere.
    const outside = [...files].map((f) => relative(SRC, f)).filter((f) => !f.startsWith('honeypot/'));
    assert.ok(outside.length > 0 && outside.length < 6, `loads ${outside.join(', ')}`);
    for (const f of outside) assert.doesNotMatch(f, /^(gateway|monitor|logs|intel|cli)\//, `loads ${f}`);
  });

  it('no honeypot file reaches the network another way (dynamic import, require, fetch, process.binding)', () => {
    for (const file of honeypotFiles) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of [
        /\bimport\s*\(/,
        /\brequire\s*\(/,
        /\bfetch\s*\(/,
        /process\.binding/,
        /\bWebSocket\b/,
        /createConnection/,
      ])
        assert.doesNotMatch(text, pattern, `${relative(SRC, file)}: ${pattern}`);
      // The only socket it handles is the abuser's, handed in by the gateway: a type, never a value.
      for (const imp of importsOf(text))
        assert.ok(!isNetwork(imp.spec) || imp.values.length === 0, `${relative(SRC, file)} imports ${imp.spec}`);
    }
  });

  it('the check itself catches what it must', () => {
    const net = (src: string) => importsOf(src).map(reachesNetwork);
    assert.deepEqual(net("import { connect } from 'node:net';"), [true]);
    assert.deepEqual(net("import { type Socket, Socket as S } from 'node:net';"), [true]);
    assert.deepEqual(net("import net from 'net';\nimport * as n from 'node:net';"), [true, true]);
    assert.deepEqual(net("import { isIPv4, isIPv6 } from 'node:net';\nimport type { Socket } from 'node:net';"), [
      false,
      false,
    ]);
    assert.deepEqual(net("import { type Socket } from 'node:net';\nimport { lookup } from 'node:dns/promises';"), [
      false,
      true,
    ]);
    assert.deepEqual(net("export { request } from 'undici';\nimport 'ws';\nimport { readFile } from 'node:fs';"), [
      true,
      true,
      false,
    ]);
    const forwarder = runtimeClosure([join(SRC, 'gateway', 'forward.ts')]);
    assert.ok(
      forwarder.offending.length > 0,
      'the forwarder, which does connect, is caught — so a clean honeypot means something',
    );
  });
});
