#!/usr/bin/env node
// Runs a TypeScript entry point straight from source (SWC, with the tsconfig path aliases and
// decorator metadata), so `npx easgate` and `npm start` work right after `npm install`.
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.json');
require('@swc-node/register');
const entry = process.argv[2];
if (!entry) {
  process.stderr.write('usage: run-ts.js <entry.ts> [args...]\n');
  process.exit(1);
}
process.argv.splice(1, 2, path.resolve(process.cwd(), entry));
require(path.resolve(process.cwd(), entry));
