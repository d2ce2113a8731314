#!/usr/bin/env node
// The `easgate` command (apps/cli), run from source.
const path = require('node:path');
const root = path.resolve(__dirname, '../..');
process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.json');
require('@swc-node/register');
require(path.join(root, 'apps/cli/src/main.ts')).main(process.argv);
