// Image names that may go into an Engine API path (server/src/engine/imageName.ts): Docker references and IDs
// pass; anything that could address another endpoint or add a query does not.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkImageReference, imageReferenceProblem } from '../../../server/src/engine/imageName';

test('references and IDs Docker accepts pass', () => {
  for (const ref of [
    'alpine',
    'node:20-bookworm-slim',
    'library/node:20',
    'docker.io/library/node',
    'gcr.io/distroless/cc-debian12:nonroot',
    'localhost:5000/team/app:1.2.3',
    'registry.example.com/a/b/c',
    'my_app__x',
    'a--b',
    'layer-insight/project:latest',
    `alpine@sha256:${'a'.repeat(64)}`,
    `node:20@sha256:${'b'.repeat(64)}`,
    `sha256:${'c'.repeat(64)}`,
    'abcdef012345',
  ])
    assert.equal(imageReferenceProblem(ref), null, ref);
});

test('names that would reach another endpoint, add a query or are no reference are refused', () => {
  for (const ref of [
    '',
    '../../containers/x/kill?',
    '../containers/x/json',
    'a/../b',
    './x',
    'x?force=1',
    'x#frag',
    'x y',
    'x\n',
    'x%2F..%2Fy',
    'Alpine',
    'x:',
    'x:-tag',
    '/x',
    'x/',
    'x//y',
    'x@sha256:short',
    'bad_host_:5/x',
    'host:port/x',
    '${BASE}',
    'x'.repeat(600),
  ])
    assert.notEqual(imageReferenceProblem(ref), null, JSON.stringify(ref));
  assert.throws(() => checkImageReference('../../containers/x/kill?'), /not a valid image reference/);
});
