/* global process */
// Copies a package and its runtime dependency closure (dependencies + installed optional
// dependencies, i.e. the native prebuild for this architecture) from node_modules into the
// package, leaving out build-time headers, TypeScript sources and other libc's prebuilds.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [root, dest] = process.argv.slice(2);
const BUILD_ONLY = new Set(['node-addon-api']);
// Command-line entry points of build tools (prebuild selection at install time): not needed to load.
const TOOL_FILES = /\/(bin|build-test|optional)\.js$|\/rollup\.config\.js$|\/dist\/test\.js$|\/test-worker\.js$/;
const seen = new Set();

function visit(name) {
  if (seen.has(name) || BUILD_ONLY.has(name)) return;
  const dir = join('node_modules', name);
  if (!existsSync(dir)) return; // an optional dependency for another platform
  seen.add(name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  cpSync(dir, join(dest, name), {
    recursive: true,
    filter: (src) => {
      const rel = src.slice(dir.length);
      if (TOOL_FILES.test(rel)) return false;
      return !/\/(src|deps|dependencies|test|tests|benchmark|bin|prebuilds-musl)(\/|$)/.test(rel) && !/(\.musl\.node|\.d\.c?ts|\.map|\.md|binding\.gyp|\/\.[^/]+)$/.test(rel);
    },
  });
  for (const dep of [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})]) visit(dep);
}

visit(root);
process.stdout.write(`runtime modules: ${[...seen].sort().join(' ')}\n`);
