// Re-analysing an edited document with its previous analysis at hand (what the language server does on every
// keystroke) gives exactly what a fresh analysis gives, whatever the edit; and the steps an edit did not touch keep
// their objects, so an edit leaves behind only what it changed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { analyze, findingKey } from '../../server/src/analysis/analyze';
import type { Analysis, AnalysisFacts, AnalysisOptions } from '../../server/src/analysis/model';
import { diagnostics } from '../../server/src/lsp/features';
import { AnalysisStore } from '../../server/src/lsp/store';
import { toJson } from '../../server/src/report/json';
import { prng } from '../hostile/cases';

const ROOT = path.resolve(__dirname, '../../..');
const read = (p: string) => fs.readFileSync(path.join(ROOT, p), 'utf8');

/** Everything a user sees of an analysis: the JSON report (sizes, risks, findings with their fixes) and the notes. */
function visible(a: Analysis): unknown {
  return {
    report: toJson('Dockerfile', a),
    notes: a.steps.map((s) => s.sizeNote ?? null),
    rebuild: a.rebuild,
    imageNote: a.image?.note ?? null,
    problems: a.model.problems,
    // the model itself: the stages with their steps and links, and every step's fields
    stages: a.model.stages,
    steps: a.model.steps,
    ignores: a.model.ignores,
  };
}

const LINES = [
  'FROM node:20 AS build',
  'FROM debian:bookworm-slim',
  'FROM build',
  'FROM python:3.12',
  'FROM alpine:3.20',
  'COPY . .',
  'COPY package*.json ./',
  'COPY --from=build /app/dist /srv',
  'ADD https://example.com/a.tgz /opt/',
  'RUN apt-get update && apt-get install -y curl git',
  'RUN npm ci',
  'RUN npm run build',
  'RUN pip install flask',
  'RUN apk add curl',
  'RUN rm -rf /var/lib/apt/lists/*',
  'RUN go build -o /out/app .',
  'ARG VERSION=1',
  'ARG BASE',
  'ENV NODE_ENV=production',
  'WORKDIR /app',
  'WORKDIR src',
  'USER node',
  'CMD ["node", "server.js"]',
  '# comment',
  '# hadolint ignore=DL3015',
  '',
  'RUN echo a \\',
  '  && echo b',
  'RUN <<EOF',
  'apt-get install -y jq',
  'EOF',
  '# escape=`',
  'FROM ${BASE:-ubuntu:24.04}',
  'EXPOSE 8080',
  'COPY --chown=node:node src/ ./src/',
  'RUN --mount=type=cache,target=/root/.npm npm ci',
];

function edit(text: string, r: () => number): string {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const at = Math.floor(r() * (lines.length + 1));
  const pick = LINES[Math.floor(r() * LINES.length)];
  switch (Math.floor(r() * 6)) {
    case 0:
      lines.splice(at, 0, pick);
      break; // insert a line
    case 1:
      lines.splice(Math.min(at, lines.length - 1), 1);
      break; // delete a line
    case 2:
      lines[Math.min(at, lines.length - 1)] = pick;
      break; // replace a line
    case 3: {
      // type a character inside a line
      const i = Math.min(at, lines.length - 1);
      const l = lines[i] ?? '';
      const c = Math.floor(r() * (l.length + 1));
      lines[i] = l.slice(0, c) + 'x- $\\"'[Math.floor(r() * 6)] + l.slice(c);
      break;
    }
    case 4:
      lines.push(`RUN echo edit${Math.floor(r() * 1000)}`);
      break; // append, as a user finishing the file
    default:
      return lines.join(eol === '\n' ? '\r\n' : '\n'); // switch line endings
  }
  return lines.join(eol);
}

const FACTS: AnalysisFacts = {
  context: {
    root: '/ctx',
    truncated: false,
    hasDockerignore: false,
    files: [
      { path: 'package.json', bytes: 900 },
      { path: 'package-lock.json', bytes: 40_000 },
      { path: 'src/index.js', bytes: 3_000 },
    ],
  },
};

for (const [name, start] of [
  ['typical', read('test/fixtures/typical.Dockerfile')],
  ['mistakes', read('test/fixtures/mistakes.Dockerfile')],
  ['empty', ''],
] as const) {
  test(`${name}: 150 random edits, each analysed with the previous analysis, equal fresh analyses`, () => {
    const r = prng(name.length * 7919);
    let text = start;
    let prev = analyze(text, FACTS);
    for (let k = 0; k < 150; k++) {
      text = edit(text, r);
      const next = analyze(text, FACTS, {}, prev);
      assert.deepEqual(
        visible(next),
        visible(analyze(text, FACTS)),
        `edit ${k} of ${name} gave a different analysis for:\n${text}`,
      );
      prev = next;
    }
  });
}

test('steps carried over from the previous version follow changed build args, escape character and BuildKit setting', () => {
  const text =
    'ARG VERSION=1\nARG BASE=node:20\nFROM node:20\nFROM alpine AS tools\nFROM ${BASE}\nARG VERSION\nWORKDIR /app\nCOPY app-${VERSION}.tgz dist-${VERSION}/\n' +
    'RUN --mount=type=bind,from=0,target=/x --mount=type=bind,from=tools,target=/y echo\nCOPY --from=0 /a /b\n';
  const variants: AnalysisOptions[] = [
    {},
    { buildArgs: { VERSION: '2' } },
    { buildArgs: { VERSION: '3' } },
    { buildArgs: { BASE: 'node' } },
    { buildkit: false },
    {},
  ];
  let prev = analyze(text, FACTS);
  for (const options of variants) {
    const next = analyze(text, FACTS, options, prev);
    assert.deepEqual(visible(next), visible(analyze(text, FACTS, options)), JSON.stringify(options));
    prev = next;
  }
  // new facts (git history arrives after the first analysis): the risks of the unchanged steps name the churn
  const withGit: AnalysisFacts = { ...FACTS, git: { commits: 50, changes: new Map([['src/index.js', 7]]) } };
  const g = analyze(`${text}COPY src/ /app/src/\n`, withGit, {}, prev);
  assert.deepEqual(visible(g), visible(analyze(`${text}COPY src/ /app/src/\n`, withGit)));
  assert.match(g.steps[g.steps.length - 1].cacheRisk.reasons.join(' '), /changed in 7 of the last 50 commits/);
  prev = g;
  const escaped = `# escape=\`\n${text}`;
  const a = analyze(escaped, FACTS, {}, prev);
  assert.deepEqual(visible(a), visible(analyze(escaped, FACTS)));
  assert.equal(a.model.steps.find((s) => s.keyword === 'COPY')?.sources?.[0], 'app-1.tgz');
});

test('an edit at the end keeps the earlier steps and their results as they were', () => {
  const text = read('test/fixtures/typical.Dockerfile');
  const before = analyze(text);
  const after = analyze(`${text}\nRUN echo one more`, {}, {}, before);
  const kept = after.steps.slice(0, -1).filter((s, i) => s === before.steps[i]).length;
  // the last step before the edit may change (a trailing newline, a rule looking ahead); all others are kept
  assert.ok(kept >= before.steps.length - 1, `${kept} of ${before.steps.length} step results kept`);
  assert.equal(after.steps[0].step, before.steps[0].step);
});

test('a finding an edit did not touch is the same object, and its fixes are those of the new text', () => {
  const text = read('test/fixtures/mistakes.Dockerfile');
  const before = analyze(text);
  const deferred = before.findings.filter((f) => findingKey(f) !== undefined);
  assert.ok(deferred.length > 0, 'the fixture has findings of per-step rules');
  for (const f of deferred) void f.fixes; // built against the old text, as a code action would
  // a line added at the end changes none of these findings, but every fix must now come from the new model
  const edited = `${text}\nRUN echo one more`;
  const after = analyze(edited, {}, {}, before);
  const fresh = analyze(edited);
  // per-step rules whose finding the step's text alone decides (--no-install-recommends) return the same object for
  // an unchanged step; apt lists here has a later install reading its index (a finding that depends on later steps)
  const kept = deferred.filter((f) => after.findings.some((g) => findingKey(g) === findingKey(f)));
  assert.ok(kept.length >= 1, `${kept.length} findings of per-step rules survive the edit`);
  for (const f of kept) assert.ok(after.findings.includes(f), `${f.rule} on line ${f.line} is the same object`);
  assert.deepEqual(
    after.findings.map((f) => [f.rule, f.line, f.fixes]),
    fresh.findings.map((f) => [f.rule, f.line, f.fixes]),
  );
});

test("the language server's diagnostics after edits and a severity change equal those of a fresh server", () => {
  const uri = 'untitled:Dockerfile';
  const r = prng(42);
  const live = new AnalysisStore(() => undefined);
  let text = read('test/fixtures/mistakes.Dockerfile');
  for (let v = 1; v <= 60; v++) {
    if (v === 30) {
      live.options = { severities: { 'apt-no-install-recommends': 'error', 'apt-lists-not-removed': 'hint' } };
      live.invalidate();
    }
    const fresh = new AnalysisStore(() => undefined);
    fresh.options = live.options;
    assert.deepEqual(
      diagnostics(live.get(uri, v, () => text)),
      diagnostics(fresh.get(uri, 1, () => text)),
      `version ${v}:\n${text}`,
    );
    text = edit(text, r);
  }
});

test('a long editing session does not keep a copy of the file per edited line', () => {
  // V8 substrings are views into the string they were cut from: a step made in one version and kept in the next
  // ones must not hold that version's whole text
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const lines = ['FROM debian:12'];
  for (let i = 0; i < 3000; i++)
    lines.push(`RUN echo step ${i} && apt-get update && apt-get install -y --no-install-recommends curl`);
  let text = lines.join('\n');
  let prev = analyze(text);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let e = 0; e < 40; e++) {
    text += `\nRUN echo this line was appended as edit number ${e} of the session`;
    prev = analyze(text, {}, {}, prev);
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // 40 texts would be 40 x ~290 KB; the new steps themselves are a few KB each
  assert.ok(
    grown < 4 * text.length,
    `heap grew ${(grown / 1e6).toFixed(1)} MB over 40 edits of a ${(text.length / 1e6).toFixed(2)} MB file`,
  );
  assert.equal(prev.model.steps.length, 3041);
});
