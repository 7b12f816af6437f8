// The TextMate grammar (syntaxes/dockerfile.tmLanguage.json), tokenized with the same engine VS Code uses
// (vscode-textmate + vscode-oniguruma). Fixtures live in test/fixtures/grammar/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';
import { KEYWORDS } from '../../server/src/analysis/parse/scanner';

const root = path.resolve(__dirname, '../../..');
const GRAMMAR_PATH = path.join(root, 'syntaxes/dockerfile.tmLanguage.json');
const SCOPE = 'source.dockerfile.layer-insight';

// A trivial stand-in for the shell grammar that VS Code ships (we do not vendor it). It has a begin/end
// string rule so that a heredoc body can leave a region open, as real scripts sometimes do.
const STAND_IN_SHELL = {
  scopeName: 'source.shell',
  patterns: [
    { match: '\\b(?:echo|set|if|then|fi)\\b', name: 'keyword.stand-in.shell' },
    { begin: '"', end: '"', name: 'string.quoted.double.stand-in.shell' },
  ],
};

let registryPromise: Promise<vsctm.IGrammar> | undefined;
function grammar(): Promise<vsctm.IGrammar> {
  registryPromise ??= (async () => {
    const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
    await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
    const registry = new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        if (scopeName === SCOPE) return vsctm.parseRawGrammar(readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH);
        if (scopeName === 'source.shell') return vsctm.parseRawGrammar(JSON.stringify(STAND_IN_SHELL), 'shell.json');
        return null;
      },
    });
    const g = await registry.loadGrammar(SCOPE);
    assert.ok(g, 'grammar loads');
    return g;
  })();
  return registryPromise;
}

interface Token {
  text: string;
  start: number;
  scopes: string[];
}
interface Tokenized {
  lines: string[];
  tokens: Token[][];
  endState: vsctm.StateStack;
  stoppedEarly: boolean;
}

async function tokenize(text: string): Promise<Tokenized> {
  const g = await grammar();
  const lines = text.split(/\r?\n/);
  let state: vsctm.StateStack = vsctm.INITIAL;
  let stoppedEarly = false;
  const tokens = lines.map((line) => {
    const r = g.tokenizeLine(line, state, 5000);
    state = r.ruleStack;
    stoppedEarly ||= r.stoppedEarly;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, scopes: t.scopes }));
  });
  return { lines, tokens, endState: state, stoppedEarly };
}

const fixture = (name: string) => readFileSync(path.join(root, 'test/fixtures/grammar', name), 'utf8');

/** Where `needle` occurs in `text` (the n-th time), not counting hits inside longer words ("AS" in "BASE"). */
function find(text: string, needle: string, occurrence: number): number {
  const isWord = (c: string | undefined) => c !== undefined && /\w/.test(c);
  let seen = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    const cutsWordBefore = isWord(needle[0]) && isWord(text[at - 1]);
    const cutsWordAfter = isWord(needle[needle.length - 1]) && isWord(text[at + needle.length]);
    if (!cutsWordBefore && !cutsWordAfter && seen++ === occurrence) return at;
  }
  return -1;
}

/** The scopes of the token under the first character of `needle` on 1-based line `line`. */
function scopesAt(doc: Tokenized, line: number, needle: string, occurrence = 0): string[] {
  const text = doc.lines[line - 1];
  assert.ok(text !== undefined, `line ${line} exists`);
  const at = find(text, needle, occurrence);
  assert.ok(at >= 0, `"${needle}" on line ${line}: ${text}`);
  const token = doc.tokens[line - 1].find((t) => t.start <= at && at < t.start + t.text.length);
  assert.ok(token, `token at ${line}:${at}`);
  return token.scopes;
}
function has(doc: Tokenized, line: number, needle: string, scope: string, occurrence = 0): void {
  const scopes = scopesAt(doc, line, needle, occurrence);
  assert.ok(
    scopes.some((s) => s === scope || s.startsWith(scope + '.')),
    `"${needle}" on line ${line} should have ${scope}; has ${scopes.join(' ')}`,
  );
}
function hasNot(doc: Tokenized, line: number, needle: string, scope: string, occurrence = 0): void {
  const scopes = scopesAt(doc, line, needle, occurrence);
  assert.ok(
    !scopes.some((s) => s === scope || s.startsWith(scope + '.')),
    `"${needle}" on line ${line} should not have ${scope}; has ${scopes.join(' ')}`,
  );
}

test('instruction keywords, upper and lower case, and ONBUILD', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 3, 'ARG', 'keyword.other.special-method.dockerfile');
  has(doc, 5, 'run', 'keyword.other.special-method.dockerfile');
  has(doc, 5, 'run', 'meta.instruction.run.dockerfile');
  has(doc, 36, 'ONBUILD', 'keyword.control.onbuild.dockerfile');
  has(doc, 36, 'RUN', 'keyword.other.special-method.dockerfile');
  has(doc, 29, 'CMD', 'keyword.other.special-method.dockerfile');
  has(doc, 37, 'CMD', 'keyword.other.special-method.dockerfile'); // HEALTHCHECK ... CMD
  // "run" inside a command is not a keyword
  hasNot(doc, 7, 'npm', 'keyword.other.special-method.dockerfile');
});

// The grammar is generated by a plain script (scripts/build-grammar.mjs) that keeps its own list of instructions:
// it must name exactly the instructions the parser reads (server/src/analysis/parse/scanner.ts KEYWORDS)
test('every instruction the parser reads is a keyword for the grammar, and nothing else is', async () => {
  const words = [...KEYWORDS, 'FOO', 'APT', 'COPYX'];
  const doc = await tokenize(words.map((k) => `${k} x`).join('\n'));
  for (let i = 0; i < words.length; i++) {
    const scoped = doc.tokens[i].some((t) => t.text === words[i] && t.scopes.some((s) => s.startsWith('keyword.')));
    assert.equal(scoped, KEYWORDS.has(words[i]), `${words[i]} at line ${i + 1}`);
  }
});

test('flags: --platform, --mount (with its options), --chown, --link, --from, also on continuation lines', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 4, '--platform', 'variable.parameter.flag.dockerfile');
  has(doc, 5, '--mount', 'variable.parameter.flag.dockerfile');
  has(doc, 5, 'target', 'entity.other.attribute-name.flag-option.dockerfile');
  has(doc, 6, '--mount', 'variable.parameter.flag.dockerfile');
  has(doc, 6, 'source', 'entity.other.attribute-name.flag-option.dockerfile');
  has(doc, 17, '--chown', 'variable.parameter.flag.dockerfile');
  has(doc, 17, '1000:1000', 'string.unquoted.flag-value.dockerfile');
  has(doc, 17, '--link', 'variable.parameter.flag.dockerfile');
  has(doc, 35, '--from', 'variable.parameter.flag.dockerfile');
  has(doc, 37, '--interval', 'variable.parameter.flag.dockerfile');
  // options of the command itself are not Dockerfile flags
  hasNot(doc, 12, '--no-install-recommends', 'variable.parameter.flag.dockerfile');
  hasNot(doc, 12, '-y', 'variable.parameter.flag.dockerfile');
});

test('variables: $X and ${X:-y}, in flag values, images, strings and ENV', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 4, 'BUILDPLATFORM', 'variable.other.dockerfile');
  has(doc, 4, 'BASE', 'variable.other.dockerfile');
  has(doc, 4, 'BASE', 'entity.name.type.image.dockerfile');
  has(doc, 7, 'HOME', 'variable.other.dockerfile');
  has(doc, 7, 'HOME', 'string.quoted.double.dockerfile');
  has(doc, 31, 'A:-x', 'variable.other.dockerfile');
  has(doc, 31, ':-', 'keyword.operator.expansion.dockerfile');
  has(doc, 31, 'A', 'variable.other.definition.dockerfile');
  has(doc, 3, 'BASE', 'variable.other.definition.dockerfile');
});

test('RUN heredoc bodies are embedded shell; the delimiter ends them even if the shell left a region open', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 13, '<<EOF', 'keyword.control.heredoc-token.dockerfile');
  for (const [line, word] of [
    [14, 'set'],
    [15, 'echo'],
  ] as const) {
    has(doc, line, word, 'meta.embedded.block.shellscript');
    has(doc, line, word, 'source.shell');
    has(doc, line, word, 'keyword.stand-in.shell'); // tokenized by the embedded grammar
  }
  has(doc, 15, 'quote', 'string.quoted.double.stand-in.shell');
  has(doc, 16, 'EOF', 'keyword.control.heredoc-token.dockerfile');
  hasNot(doc, 16, 'EOF', 'source.shell');
  // the unterminated quote on line 15 did not swallow the next instruction
  has(doc, 17, 'COPY', 'keyword.other.special-method.dockerfile');
  hasNot(doc, 17, 'COPY', 'meta.heredoc.dockerfile');
  // a heredoc fed to bash is shell too, after other commands and with a quoted delimiter
  has(doc, 27, 'echo', 'source.shell');
  has(doc, 28, 'SH', 'keyword.control.heredoc-token.dockerfile');
});

test('COPY heredocs and heredocs fed to other programs are strings, with variables unless the delimiter is quoted', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 18, 'port', 'string.unquoted.heredoc.dockerfile');
  hasNot(doc, 18, 'port', 'source.shell');
  hasNot(doc, 18, 'PORT', 'variable.other.dockerfile'); // <<-"CONF": quoted, no expansion
  has(doc, 19, 'CONF', 'keyword.control.heredoc-token.dockerfile'); // <<- allows leading tabs
  has(doc, 21, 'PORT', 'variable.other.dockerfile');
  has(doc, 21, 'PORT', 'string.unquoted.heredoc.dockerfile');
  has(doc, 22, 'CONF', 'keyword.control.heredoc-token.dockerfile');
  has(doc, 24, 'print', 'string.unquoted.heredoc.dockerfile'); // RUN python3 <<PY
  hasNot(doc, 24, 'print', 'source.shell');
  has(doc, 26, 'RUN', 'keyword.other.special-method.dockerfile');
});

test('parser directives only at the top; the same text later is a comment', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 1, 'syntax', 'keyword.other.directive.dockerfile');
  has(doc, 1, 'docker/dockerfile:1.7', 'string.unquoted.directive-value.dockerfile');
  has(doc, 2, 'check', 'keyword.other.directive.dockerfile');
  has(doc, 34, 'syntax', 'comment.line.number-sign.dockerfile');
  hasNot(doc, 34, 'syntax', 'keyword.other.directive.dockerfile');
  const late = await tokenize(fixture('late-directive.Dockerfile'));
  has(late, 2, 'syntax', 'comment.line.number-sign.dockerfile');
  hasNot(late, 2, 'syntax', 'keyword.other.directive.dockerfile');
  has(late, 3, 'FROM', 'keyword.other.special-method.dockerfile');
});

test('comments and ignore pragmas', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 8, '#', 'punctuation.definition.comment.dockerfile');
  has(doc, 8, 'ignore', 'comment.line.number-sign.dockerfile');
  has(doc, 8, 'hadolint ignore', 'keyword.other.pragma.dockerfile');
  has(doc, 8, 'DL3008', 'constant.other.rule-id.dockerfile');
});

test('continuation lines stay inside their instruction, across comment and blank lines', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 9, '\\', 'constant.character.escape.line-continuation.dockerfile');
  has(doc, 10, 'a comment', 'comment.line.number-sign.dockerfile');
  has(doc, 10, 'a comment', 'meta.instruction.run.dockerfile');
  has(doc, 12, 'apt-get install', 'meta.instruction.run.dockerfile');
  has(doc, 12, '&&', 'keyword.operator.logical.dockerfile');
  has(doc, 7, 'npm ci', 'meta.instruction.run.dockerfile');
  // the instruction ended with its logical line: the next RUN is not nested inside it
  has(doc, 13, 'RUN', 'keyword.other.special-method.dockerfile');
  assert.equal(scopesAt(doc, 13, 'RUN').filter((s) => s.startsWith('meta.instruction.')).length, 1);
  // a line after a line without continuation is not part of the instruction
  const two = await tokenize('RUN a\nb c');
  hasNot(two, 2, 'b', 'meta.instruction.run.dockerfile');
});

test('exec form JSON arrays; a shell-form "[" test is not one', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 29, '[', 'punctuation.definition.array.begin.dockerfile');
  has(doc, 29, 'node', 'string.quoted.double.dockerfile');
  has(doc, 29, 'node', 'meta.exec-form.dockerfile');
  has(doc, 29, 'server.js', 'string.quoted.double.dockerfile');
  has(doc, 29, ',', 'punctuation.separator.array.dockerfile');
  has(doc, 37, 'http://localhost/', 'string.quoted.double.dockerfile'); // HEALTHCHECK ... CMD [...]
  hasNot(doc, 30, '[', 'meta.exec-form.dockerfile');
  has(doc, 30, '&&', 'keyword.operator.logical.dockerfile');
});

test('FROM image, registry port, tag, digest and stage name', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  has(doc, 33, 'gcr.io:443/distroless/nodejs20-debian12', 'entity.name.type.image.dockerfile');
  has(doc, 33, 'nonroot', 'constant.other.tag.dockerfile');
  has(doc, 33, 'sha256:4b1c9e3f', 'constant.other.digest.dockerfile');
  has(doc, 33, 'as', 'keyword.other.as.dockerfile');
  has(doc, 33, 'final', 'entity.name.type.stage.dockerfile');
  has(doc, 4, 'AS', 'keyword.other.as.dockerfile');
  has(doc, 4, 'build', 'entity.name.type.stage.dockerfile');
});

test('escape=` switches the continuation character; backslashes in Windows paths are plain text', async () => {
  const doc = await tokenize(fixture('escape-backtick.Dockerfile'));
  has(doc, 1, 'escape', 'keyword.other.directive.dockerfile');
  has(doc, 2, 'syntax', 'keyword.other.directive.dockerfile');
  has(doc, 4, 'syntax', 'comment.line.number-sign.dockerfile');
  has(doc, 5, '`', 'constant.character.escape.line-continuation.dockerfile');
  has(doc, 6, 'comment inside', 'comment.line.number-sign.dockerfile');
  has(doc, 7, 'Write-Host', 'meta.instruction.run.dockerfile');
  hasNot(doc, 7, '\\path', 'constant.character.escape.dockerfile');
  has(doc, 8, 'echo done', 'meta.instruction.run.dockerfile');
  has(doc, 9, 'COPY', 'keyword.other.special-method.dockerfile');
  hasNot(doc, 9, '\\src', 'constant.character.escape.dockerfile');
  // COPY's line ends in a backslash, which does not continue it here: USER is a new instruction
  has(doc, 10, 'USER', 'keyword.other.special-method.dockerfile');
  assert.equal(scopesAt(doc, 10, 'USER').filter((s) => s.startsWith('meta.instruction.')).length, 1);
  // in the default mode the same backslash is the continuation character
  const plain = await tokenize('RUN a \\\n  b');
  has(plain, 2, 'b', 'meta.instruction.run.dockerfile');
  const notContinued = await tokenize('RUN a `\nb');
  hasNot(notContinued, 2, 'b', 'meta.instruction.run.dockerfile');
});

test('a well-formed file leaves no region open; odd input never stops the tokenizer', async () => {
  const doc = await tokenize(fixture('features.Dockerfile'));
  assert.equal(doc.stoppedEarly, false);
  assert.equal(doc.endState.depth, 1, 'only the root rule is on the stack at the end');
  const after = await tokenize(fixture('features.Dockerfile') + '\nFROM scratch');
  has(after, after.lines.length, 'FROM', 'keyword.other.special-method.dockerfile');
  has(after, after.lines.length, 'scratch', 'entity.name.type.image.dockerfile');
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const alphabet = 'RUN FROM COPY <<EOF EOF \\ ` $ { } [ ] " \' # = -- \n\t';
  const junk = Array.from({ length: 4000 }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('');
  const odd = await tokenize(junk + '\n' + 'x'.repeat(100_000));
  assert.equal(odd.stoppedEarly, false);
});

test('the committed grammar is what scripts/build-grammar.mjs generates', async () => {
  const mod = (await import(pathToFileURL(path.join(root, 'scripts/build-grammar.mjs')).href)) as {
    buildGrammar: () => unknown;
    SCOPE_NAME: string;
  };
  assert.deepEqual(
    JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8')),
    mod.buildGrammar(),
    'run `node scripts/build-grammar.mjs` and commit syntaxes/dockerfile.tmLanguage.json',
  );
  assert.equal(mod.SCOPE_NAME, SCOPE);
});

test('package.json contributes the dockerfile language and our grammar for it', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    contributes: {
      languages: {
        id: string;
        filenames?: string[];
        filenamePatterns?: string[];
        extensions?: string[];
        configuration?: string;
      }[];
      grammars: { language?: string; scopeName: string; path: string; embeddedLanguages?: Record<string, string> }[];
    };
  };
  const lang = pkg.contributes.languages.find((l) => l.id === 'dockerfile');
  assert.ok(lang);
  assert.deepEqual(lang.filenames, ['Dockerfile', 'Containerfile']);
  assert.deepEqual(lang.filenamePatterns, ['Dockerfile.*', '*.dockerfile', 'Containerfile.*']);
  assert.deepEqual(lang.extensions, ['.dockerfile']);
  assert.ok(lang.configuration && existsSync(path.join(root, lang.configuration)));
  const conf = JSON.parse(readFileSync(path.join(root, lang.configuration), 'utf8')) as {
    comments: { lineComment: string };
  };
  assert.equal(conf.comments.lineComment, '#');
  const g = pkg.contributes.grammars.find((x) => x.language === 'dockerfile');
  assert.ok(g);
  assert.equal(g.scopeName, SCOPE);
  assert.equal(path.resolve(root, g.path), GRAMMAR_PATH);
  assert.equal((JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8')) as { scopeName: string }).scopeName, SCOPE);
  assert.equal(g.embeddedLanguages?.['meta.embedded.block.shellscript'], 'shellscript');
});

test('several heredocs in one instruction: every body belongs to it, each delimiter ends its body', async () => {
  const doc = await tokenize(fixture('heredocs.Dockerfile'));
  // COPY <<A <<"B": A's body expands variables, B's (quoted) does not
  has(doc, 3, 'X', 'variable.other.dockerfile');
  has(doc, 3, 'in a', 'string.unquoted.heredoc.dockerfile');
  has(doc, 4, 'A', 'keyword.control.heredoc-token.dockerfile');
  has(doc, 5, 'in b', 'string.unquoted.heredoc.dockerfile');
  hasNot(doc, 5, 'X', 'variable.other.dockerfile');
  has(doc, 6, 'B', 'keyword.control.heredoc-token.dockerfile');
  // RUN cat <<A >a && <<B cat >b: both bodies are file contents, not scripts
  has(doc, 8, 'first', 'string.unquoted.heredoc.dockerfile');
  hasNot(doc, 8, 'first', 'source.shell');
  has(doc, 9, 'A', 'keyword.control.heredoc-token.dockerfile');
  has(doc, 10, 'second', 'string.unquoted.heredoc.dockerfile');
  has(doc, 10, 'Y', 'variable.other.dockerfile');
  has(doc, 11, 'B', 'keyword.control.heredoc-token.dockerfile');
  // bash <<A ... <<B python3: A is shell (and its open quote is cut off at A), B is not
  has(doc, 13, 'echo', 'source.shell');
  has(doc, 14, 'A', 'keyword.control.heredoc-token.dockerfile');
  has(doc, 15, 'print', 'string.unquoted.heredoc.dockerfile');
  hasNot(doc, 15, 'print', 'source.shell');
  has(doc, 16, 'B', 'keyword.control.heredoc-token.dockerfile');
  // each instruction after a heredoc starts afresh
  for (const [line, word] of [
    [2, 'COPY'],
    [7, 'RUN'],
    [12, 'RUN'],
    [17, 'RUN'],
    [31, 'WORKDIR'],
  ] as const) {
    has(doc, line, word, 'keyword.other.special-method.dockerfile');
    hasNot(doc, line, word, 'meta.heredoc.dockerfile');
  }
  assert.equal(doc.endState.depth, 1);
});

test('a RUN heredoc is a script unless a shebang or the command names another interpreter', async () => {
  const doc = await tokenize(fixture('heredocs.Dockerfile'));
  has(doc, 19, 'print', 'string.unquoted.heredoc.dockerfile'); // #!/usr/bin/env python3
  hasNot(doc, 19, 'print', 'keyword.stand-in.shell');
  has(doc, 23, 'echo', 'keyword.stand-in.shell'); // #!/bin/sh -e
  has(doc, 26, 'print', 'string.unquoted.heredoc.dockerfile'); // RUN <<EOT python3
  hasNot(doc, 26, 'print', 'source.shell');
  has(doc, 29, 'echo', 'keyword.stand-in.shell'); // RUN --network=none <<EOT bash
  has(doc, 28, '--network', 'variable.parameter.flag.dockerfile');
});
