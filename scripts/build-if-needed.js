#!/usr/bin/env node
// `npm start` on a fresh clone: build dist/ first when it is missing or older than src/.
const { existsSync, statSync, readdirSync } = require('node:fs');
const { join } = require('node:path');
const { execSync } = require('node:child_process');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const main = join(__dirname, '..', 'dist', 'main.js');
const src = join(__dirname, '..', 'src');
if (!existsSync(main) || statSync(main).mtimeMs < newestMtime(src)) {
  execSync('npm run build', { stdio: 'inherit', cwd: join(__dirname, '..') });
}
