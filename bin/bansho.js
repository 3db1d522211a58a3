#!/usr/bin/env node
// The published entry point runs the compiled CLI (built by `npm install` through `prepare`).
import { loadCli } from './loadCli.js';

const { main } = await loadCli();
main(process.argv).catch((err) => {
  process.stderr.write(`bansho: ${err?.message ?? err}\n`);
  process.exitCode = 1;
});
