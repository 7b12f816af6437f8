// Which workspace members an install folder has (server/src/analysis/workspaces.ts), from the context listing and
// the declarations the context reader found.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BuildContextFacts } from '../../server/src/analysis/model';
import { workspaceOf } from '../../server/src/analysis/workspaces';

function ctx(paths: string[], workspaces?: Record<string, string[]>, truncated = false): BuildContextFacts {
  return {
    root: '/c',
    files: paths.map((p) => ({ path: p, bytes: 1 })),
    truncated,
    hasDockerignore: false,
    workspaces,
  };
}

test('npm workspaces: the member folders holding a package.json that a pattern matches, not excluded ones', () => {
  const c = ctx(
    [
      'package.json',
      'packages/a/package.json',
      'packages/b/package.json',
      'packages/b/src/index.js',
      'packages/old/package.json',
      'packages/a/node_modules/x/package.json',
      'docs/package.json',
      'tools/cli/package.json',
    ],
    { 'package.json': ['packages/*', './tools/cli/', '!packages/old'] },
  );
  assert.deepEqual(workspaceOf(c, '', 'npm'), {
    kind: 'members',
    file: 'package.json',
    folders: ['packages/a', 'packages/b', 'tools/cli'],
  });
  // the same project in a subfolder of the context
  const sub = ctx(['web/package.json', 'web/apps/x/package.json'], { 'web/package.json': ['apps/**'] });
  assert.deepEqual(workspaceOf(sub, 'web', 'yarn'), { kind: 'members', file: 'package.json', folders: ['apps/x'] });
});

test('a plain project is no workspace; unread declarations and truncated listings are unknown', () => {
  assert.deepEqual(workspaceOf(ctx(['package.json'], { 'package.json': [] }), '', 'npm'), { kind: 'none' });
  // facts without declarations at all (an older reader): a package.json is taken as a plain project
  assert.deepEqual(workspaceOf(ctx(['package.json']), '', 'npm'), { kind: 'none' });
  // a pnpm-workspace.yaml exists only to declare members
  const pnpm = workspaceOf(ctx(['package.json', 'pnpm-workspace.yaml']), '', 'pnpm');
  assert.equal(pnpm.kind, 'unknown');
  // a package.json the reader skipped (over its caps) while it read others
  assert.equal(workspaceOf(ctx(['package.json'], { 'go.work': [] }), '', 'npm').kind, 'unknown');
  const cut = workspaceOf(ctx(['package.json'], { 'package.json': ['packages/*'] }, true), '', 'npm');
  assert.equal(cut.kind, 'unknown');
  assert.match(cut.kind === 'unknown' ? cut.why : '', /stopped early/);
});

test('go.work: `use .` is the folder itself; a member outside the folder cannot be copied', () => {
  const c = ctx(['go.work', 'go.mod', 'api/go.mod', 'lib/go.mod', 'lib/go.sum'], { 'go.work': ['.', './api', 'lib'] });
  assert.deepEqual(workspaceOf(c, '', 'go'), { kind: 'members', file: 'go.work', folders: ['api', 'lib'] });
  const out = workspaceOf(ctx(['go.work', 'go.mod'], { 'go.work': ['../shared'] }), '', 'go');
  assert.equal(out.kind, 'unknown');
  assert.match(out.kind === 'unknown' ? out.why : '', /outside its folder \(\.\.\/shared\)/);
});
