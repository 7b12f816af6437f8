// Path normalisation (server/src/analysis/paths.ts), the one both the image-side and the context-side readers use.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextPath, isUnder, joinDir, normalizeAbs } from '../../server/src/analysis/paths';

test('image paths: dots, repeated and trailing slashes, and .. above the root', () => {
  assert.equal(normalizeAbs('/a/./b/../c/'), '/a/c');
  assert.equal(normalizeAbs('app//src/'), '/app/src');
  assert.equal(normalizeAbs('/../../etc'), '/etc');
  assert.equal(normalizeAbs(''), '/');
});

test('context paths: the root is the empty path and .. cannot leave the context', () => {
  for (const root of ['.', './', '/', '', './.']) assert.equal(contextPath(root), '', root);
  assert.equal(contextPath('./src/'), 'src');
  assert.equal(contextPath('../outside/file'), 'outside/file');
  assert.equal(contextPath('a/b/../../c'), 'c');
});

test('joinDir takes an absolute name as it is; isUnder is the folder itself or inside it, never a sibling prefix', () => {
  assert.equal(joinDir('/app', 'lib/../src'), '/app/src');
  assert.equal(joinDir('/app', '/app/lib'), '/app/lib', 'not /app/app/lib');
  assert.equal(isUnder('/app', '/app'), true);
  assert.equal(isUnder('/app/a/b', '/app'), true);
  assert.equal(isUnder('/application', '/app'), false);
  assert.equal(isUnder('/etc', '/'), true);
  assert.equal(isUnder('/', '/app'), false);
});
