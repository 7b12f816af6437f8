// The glob matcher (server/src/analysis/glob.ts): Go's filepath.Match as COPY uses it, Docker's .dockerignore
// rules (moby/patternmatcher), and answers in linear time on inputs that made backtracking matchers hang.
// The tables carry over the facts of Go's match_test.go and moby/patternmatcher's tests.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cleanPath, compileGlob, isIgnored, mayReinclude, parseDockerignore } from '../../server/src/analysis/glob';

// pattern, path, match; `null` for a malformed pattern (Go: ErrBadPattern), which matches nothing
const GO_MATCH: [string, string, boolean | null][] = [
  ['abc', 'abc', true],
  ['*', 'abc', true],
  ['*c', 'abc', true],
  ['a*', 'a', true],
  ['a*', 'abc', true],
  ['a*', 'ab/c', false],
  ['a*/b', 'abc/b', true],
  ['a*/b', 'a/c/b', false],
  ['a*b*c*d*e*/f', 'axbxcxdxe/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/f', true],
  ['a*b*c*d*e*/f', 'axbxcxdxe/xxx/f', false],
  ['a*b*c*d*e*/f', 'axbxcxdxexxx/fff', false],
  ['a*b?c*x', 'abxbbxdbxebxczzx', true],
  ['a*b?c*x', 'abxbbxdbxebxczzy', false],
  ['ab[c]', 'abc', true],
  ['ab[b-d]', 'abc', true],
  ['ab[e-g]', 'abc', false],
  ['ab[^c]', 'abc', false],
  ['ab[^b-d]', 'abc', false],
  ['ab[^e-g]', 'abc', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'ab', false],
  ['a?b', 'a☺b', true],
  ['a[^a]b', 'a☺b', true],
  ['a???b', 'a☺b', false],
  ['a[^a][^a][^a]b', 'a☺b', false],
  ['[a-ζ]*', 'α', true],
  ['*[a-ζ]', 'A', false],
  ['a?b', 'a/b', false],
  ['a*b', 'a/b', false],
  ['[\\]a]', ']', true],
  ['[\\-]', '-', true],
  ['[x\\-]', 'x', true],
  ['[x\\-]', '-', true],
  ['[x\\-]', 'z', false],
  ['[\\-x]', 'x', true],
  ['[\\-x]', '-', true],
  ['[\\-x]', 'a', false],
  ['[]a]', ']', null],
  ['[-]', '-', null],
  ['[x-]', 'x', null],
  ['[-x]', 'x', null],
  ['\\', 'a', null],
  ['[a-b-c]', 'a', null],
  ['[', 'a', null],
  ['[^', 'a', null],
  ['[^bc', 'a', null],
  ['a[', 'a', null],
  ['a[', 'ab', null],
  ['a/b[', 'x', null],
  ['*x', 'xxx', true],
  // ours: a reversed range is malformed (Go reads it as an empty range; Docker's .dockerignore regexp refuses it)
  ['[z-a]', 'm', null],
  // `!` is no negation in Go (nor in Docker): a class of '!' and 'a'
  ['[!a]', '!', true],
  ['[!a]', 'b', false],
  // a code point outside the BMP is one character
  ['a?b', 'a😀b', true],
  ['[😀-😂]', '😁', true],
  ['**', 'a/b', false],
  ['**', 'ab', true],
];

test("COPY patterns follow Go's filepath.Match (Go's own table)", () => {
  for (const [pattern, path, want] of GO_MATCH) {
    const g = compileGlob(pattern);
    if (want === null) assert.equal(g, null, `${pattern} is malformed`);
    else assert.equal(g?.test(path), want, `${pattern} vs ${path}`);
  }
});

// pattern, path, matches the path itself, matches it or a parent folder (moby/patternmatcher's table)
const DOCKERIGNORE: [string, string, boolean, boolean][] = [
  ['**', 'file', true, true],
  ['**/', 'file', true, true],
  ['**', 'dir/file', true, true],
  ['**/**', 'dir/file', true, true],
  ['dir/**', 'dir/file', true, true],
  ['dir/**', 'dir/dir2/file', true, true],
  ['**/dir', 'dir', true, true],
  ['**/dir', 'dir/file', false, true],
  ['**/dir2/*', 'dir/dir2/file', true, true],
  ['**/dir2/**', 'dir/dir2/dir3/file', true, true],
  ['**file', 'file', true, true],
  ['**file', 'dir/file', true, true],
  ['**/file', 'dir/file', true, true],
  ['**file', 'dir/dir/file', true, true],
  ['**/file', 'dir/dir/file', true, true],
  ['**/file*', 'dir/dir/file', true, true],
  ['**/file*', 'dir/dir/file.txt', true, true],
  ['**/file*txt', 'dir/dir/file.txt', true, true],
  ['**/file*.txt', 'dir/dir/file.txt', true, true],
  ['**/file*.txt*', 'dir/dir/file.txt', true, true],
  ['**/**/*.txt', 'dir/dir/file.txt', true, true],
  ['**/**/*.txt2', 'dir/dir/file.txt', false, false],
  ['**/*.txt', 'file.txt', true, true],
  ['**/**/*.txt', 'file.txt', true, true],
  ['a**/*.txt', 'a/file.txt', true, true],
  ['a**/*.txt', 'a/dir/file.txt', true, true],
  ['a**/*.txt', 'a/dir/dir/file.txt', true, true],
  ['a/*.txt', 'a/dir/file.txt', false, false],
  ['a/*.txt', 'a/file.txt', true, true],
  ['a/*.txt**', 'a/file.txt', true, true],
  ['a[b-d]e', 'ae', false, false],
  ['a[b-d]e', 'ace', true, true],
  ['a[b-d]e', 'aae', false, false],
  ['a[^b-d]e', 'aze', true, true],
  ['.*', '.foo', true, true],
  ['.*', 'foo', false, false],
  ['abc.def', 'abcdef', false, false],
  ['abc.def', 'abc.def', true, true],
  ['abc.def', 'abcZdef', false, false],
  ['abc?def', 'abcZdef', true, true],
  ['abc?def', 'abcdef', false, false],
  ['**/foo/bar', 'foo/bar', true, true],
  ['**/foo/bar', 'dir/foo/bar', true, true],
  ['**/foo/bar', 'dir/dir2/foo/bar', true, true],
  ['abc/**', 'abc', false, false],
  ['abc/**', 'abc/def', true, true],
  ['abc/**', 'abc/def/ghi', true, true],
  ['**/.foo', '.foo', true, true],
  ['**/.foo', 'bar.foo', false, false],
  ['a(b)c/def', 'a(b)c/def', true, true],
  ['a(b)c/def', 'a(b)c/xyz', false, false],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', true, true],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true, true],
  ['a\\\\', 'a\\', true, true],
  ['a\\*b', 'a*b', true, true],
  ['a*', 'ab/c', false, true],
  ['docs', 'docs/README.md', false, true],
  ['docs/', 'docs/README.md', false, true],
  ['docs/*', 'docs/README.md', true, true],
  // Docker's quirk: `**` then plain characters is a suffix of the whole path
  ['**foo', 'barfoo', true, true],
  // `**` inside a name is "nothing or folders": a**b is a/x/b or ab, not axb
  ['a**b', 'ab', true, true],
  ['a**b', 'a/x/b', true, true],
  ['a**b', 'axb', false, false],
];

test('.dockerignore patterns follow moby/patternmatcher (its table)', () => {
  for (const [pattern, path, exact, orParent] of DOCKERIGNORE) {
    const ig = parseDockerignore(pattern);
    assert.equal(ig.rules.length, 1, pattern);
    assert.equal(ig.rules[0].glob?.test(path), exact, `${pattern} vs ${path}`);
    assert.equal(isIgnored(ig, path), orParent, `${pattern} vs ${path} or a parent`);
  }
});

test('.dockerignore: exceptions, the last matching line wins, a matched folder takes its contents', () => {
  const cases: [string[], string, boolean][] = [
    [['*.go'], 'fileutils.go', true],
    [['!fileutils.go', '*.go'], 'fileutils.go', true],
    [['*.go', '!fileutils.go'], 'fileutils.go', false],
    [['docs', '!docs/README.md'], 'docs/README.md', false],
    [['docs/', '!docs/README.md'], 'docs/README.md', false],
    [['docs/*', '!docs/README.md'], 'docs/README.md', false],
    [['docs', '!docs/README.md'], 'docs/other.md', true],
    [['**', '!util/docker/web'], 'util/docker/web/foo', false],
    [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
    [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
    [['*.go'], '.', false],
    [[], 'any/path', false],
  ];
  for (const [lines, path, want] of cases)
    assert.equal(isIgnored(parseDockerignore(lines.join('\n')), path), want, `${lines.join(' | ')} vs ${path}`);
});

test('.dockerignore lines: comments, spaces, BOM, CRLF, cleaning, a leading slash, malformed lines', () => {
  const ig = parseDockerignore('\ufeff# comment\r\n  /tmp/  \r\n! keep.txt\n./a/../b//c/\n #x\n!\n[\n\n');
  assert.deepEqual(
    ig.rules.map((r) => `${r.exception ? '!' : ''}${r.pattern}`),
    ['tmp', '!keep.txt', 'b/c', '#x', '['],
  );
  assert.equal(ig.hasExceptions, true);
  assert.equal(ig.rules[4].glob, null, 'a malformed pattern matches nothing');
  assert.equal(isIgnored(ig, 'tmp/x'), true);
  assert.equal(isIgnored(ig, 'b/c/d'), true);
  assert.equal(isIgnored(ig, '#x'), true, 'only a line starting with # is a comment');
  assert.equal(isIgnored(ig, '['), false);
  assert.equal(cleanPath('a//b/./c/..'), 'a/b');
  assert.equal(cleanPath('/../x'), '/x');
  assert.equal(cleanPath('../x/'), '../x');
  assert.equal(cleanPath(''), '.');
});

test('whether an exception can bring back something under an ignored folder', () => {
  const ig = parseDockerignore('node_modules\ndocs\n!docs/keep.md\n');
  assert.equal(mayReinclude(ig, 'node_modules'), false);
  assert.equal(mayReinclude(ig, 'docs'), true);
  assert.equal(mayReinclude(parseDockerignore('*\n!**/*.md\n'), 'deep/er'), true);
  assert.equal(mayReinclude(parseDockerignore('*\n!src/*.md\n'), 'lib'), false);
});

test('folder sources: a glob matches a path or one of its parent folders', () => {
  const g = compileGlob('src/*', { doubleStar: true });
  assert.equal(g?.testPathOrParent('src/a/b/c.go'), true);
  assert.equal(g?.testPathOrParent('srcx/a'), false);
  assert.equal(compileGlob('**/*.go', { doubleStar: true })?.test('main.go'), true);
  assert.equal(compileGlob('**/*.go', { doubleStar: true })?.test('a/b/main.go'), true);
  assert.equal(compileGlob('src')?.testPathOrParent('src/x'), true);
  assert.equal(compileGlob('src')?.testPathOrParent('srcx'), false);
});

test('hostile patterns answer at once: 40 stars, backtracking traps, reversed ranges, huge patterns', () => {
  const t0 = Date.now();
  const long = 'a'.repeat(4000);
  assert.equal(compileGlob('*'.repeat(40) + 'b')?.test(long), false);
  assert.equal(compileGlob('*a'.repeat(30) + 'b')?.test(long), false);
  const trap = parseDockerignore('**/*a*a*a*a*a*a*a*a*a*b\n');
  for (let i = 0; i < 200; i++) assert.equal(isIgnored(trap, `${'a'.repeat(60)}${i}/${'a'.repeat(60)}/${long}`), false);
  assert.equal(compileGlob('[z-a]'), null);
  assert.equal(compileGlob('x'.repeat(5000) + '*'), null, 'longer than any path: refused');
  assert.ok(Date.now() - t0 < 5_000, `took ${Date.now() - t0} ms`);
});
