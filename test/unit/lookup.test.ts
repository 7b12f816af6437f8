// Names that are also members of every JavaScript object (server/src/analysis/lookup.ts): a package called
// `constructor` or `__proto__` is an unknown package, not a crash, NaN bytes or a fix that writes a function.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../server/src/analysis/analyze';
import { df } from './fixes';

const NAMES = ['constructor', 'toString', 'hasOwnProperty', '__proto__'];

test('a package named like an object member is sized as an unknown package by apk, npm and pip', () => {
  for (const name of NAMES) {
    for (const text of [
      df('FROM alpine:3.20', `RUN apk add --no-cache ${name}`),
      df('FROM node:20', `RUN npm install ${name}`),
      df('FROM python:3.12', `RUN pip install --no-cache-dir ${name}`),
    ]) {
      const size = analyze(text).steps[1].size;
      assert.ok(size !== null, text);
      assert.equal(typeof size.bytes, 'number', text);
      assert.ok(Number.isFinite(size.bytes), `${text}: ${size.bytes}`);
      // apk and pip leave a package they cannot size out and name it (the size is then a lower bound)
      assert.ok(
        size.bytes > 0 || /not known, not counted: |lower bound/.test(size.basis),
        `${text}: ${size.bytes} ${size.basis}`,
      );
    }
  }
});

test('an apt package named like an object member blocks the Alpine rewrite instead of writing nonsense', () => {
  for (const name of NAMES) {
    const a = analyze(df('FROM node:20', `RUN apt-get update && apt-get install -y --no-install-recommends ${name}`));
    const smaller = a.findings.find((f) => f.rule === 'smaller-base-candidate');
    assert.ok(smaller && smaller.fixes.length > 0, 'node:20 has smaller variants to offer');
    assert.ok(
      !smaller.fixes.some((f) => /alpine/.test(f.title)),
      'no Alpine rewrite: the package has no known apk name',
    );
    for (const f of a.findings)
      for (const fix of f.fixes)
        for (const e of fix.edits) assert.doesNotMatch(e.newText, /function|native code|undefined|\[object/, fix.title);
  }
});
