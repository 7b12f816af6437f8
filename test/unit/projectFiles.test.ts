// The project file readers (server/src/facts/projectFiles.ts): the workspace member patterns each kind of project
// file declares and a package.json's install scripts, as the tools read them; nothing for files that declare none
// or cannot be read.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installScripts, workspacePatterns } from '../../server/src/facts/projectFiles';

test('package.json: "workspaces" as an array or as { packages }, nothing for a plain or broken package.json', () => {
  assert.deepEqual(workspacePatterns('package.json', '{"workspaces": ["packages/*", "apps/web"]}'), [
    'packages/*',
    'apps/web',
  ]);
  assert.deepEqual(workspacePatterns('package.json', '{"workspaces": {"packages": ["libs/*"], "nohoist": ["x"]}}'), [
    'libs/*',
  ]);
  assert.deepEqual(workspacePatterns('package.json', '{"name": "app", "dependencies": {}}'), []);
  assert.deepEqual(workspacePatterns('package.json', '{"workspaces": '), []);
  assert.deepEqual(workspacePatterns('package.json', '"just a string"'), []);
});

test('pnpm-workspace.yaml: the packages list, quoted or not, with comments; other keys ignored', () => {
  const yaml = [
    '# the workspace',
    'packages:',
    "  - 'packages/*'",
    '  - "apps/*" # the apps',
    '  - tools/cli',
    "  - '!**/test/**'",
    'catalog:',
    '  react: ^18',
    '  - not-a-package',
  ].join('\n');
  assert.deepEqual(workspacePatterns('pnpm-workspace.yaml', yaml), [
    'packages/*',
    'apps/*',
    'tools/cli',
    '!**/test/**',
  ]);
  assert.deepEqual(workspacePatterns('pnpm-workspace.yaml', 'packages: [a, "b/*"]\n'), ['a', 'b/*']);
});

test('Cargo.toml: [workspace] members on one line or several; a plain package declares none', () => {
  assert.deepEqual(workspacePatterns('Cargo.toml', '[workspace]\nmembers = ["cli", "crates/*"]\n'), [
    'cli',
    'crates/*',
  ]);
  const multi = ['[workspace]', 'resolver = "2"', 'members = [', '  "a", # first', '  "b",', ']', '[profile.release]'];
  assert.deepEqual(workspacePatterns('Cargo.toml', multi.join('\n')), ['a', 'b']);
  assert.deepEqual(workspacePatterns('Cargo.toml', '[package]\nname = "x"\nmembers = ["not", "a workspace"]\n'), []);
});

test('go.work: use lines and use blocks', () => {
  assert.deepEqual(workspacePatterns('go.work', 'go 1.22\n\nuse ./api\n'), ['./api']);
  assert.deepEqual(workspacePatterns('go.work', 'go 1.22\nuse (\n\t./api // the api\n\t./lib\n)\n'), [
    './api',
    './lib',
  ]);
});

test('package.json install scripts: the lifecycle scripts npm, Yarn and pnpm run at install, not the others', () => {
  const pkg = JSON.stringify({
    scripts: { build: 'tsc', postinstall: 'node scripts/setup.js', prepare: 'husky install', test: 'jest', start: 'x' },
  });
  assert.deepEqual(installScripts(pkg), { postinstall: 'node scripts/setup.js', prepare: 'husky install' });
  assert.deepEqual(installScripts('{"scripts": {"build": "tsc"}}'), {});
  assert.deepEqual(installScripts('{"scripts": ["not", "an object"]}'), {});
  assert.deepEqual(installScripts('{"scripts": {"postinstall": 1}}'), {});
  assert.deepEqual(installScripts('not json'), {});
});
