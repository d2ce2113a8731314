#!/usr/bin/env node
// The `easgate` command (apps/cli). Developers run it from source (SWC at load time, so `npx easgate`
// and `npm start` work right after `npm install`); with NODE_ENV=production (the image) it runs the
// compiled dist/apps/cli from `npm run build`, and refuses to fall back to the source silently.
const path = require('node:path');
const fs = require('node:fs');
const root = path.resolve(__dirname, '../..');
const compiled = path.join(root, 'dist/apps/cli/apps/cli/src/main.js');
if (process.env.NODE_ENV === 'production') {
  if (!fs.existsSync(compiled)) {
    process.stderr.write('easgate: NODE_ENV=production but dist/apps/cli is missing: run `npm run build`\n');
    process.exit(1);
  }
  require(compiled).main(process.argv);
} else {
  process.env.SWC_NODE_PROJECT = process.env.SWC_NODE_PROJECT || path.join(root, 'tsconfig.json');
  require('@swc-node/register');
  require(path.join(root, 'apps/cli/src/main.ts')).main(process.argv);
}
