#!/usr/bin/env node
// `npm run bench`: our language server against rcjsuen's (dockerfile-language-server-nodejs, a devDependency)
// on the same files in one run, and the ratios ours/theirs against the targets of issue 2.
// The driver is ../shared/tools/lsp-bench.mjs when it sits beside the repository (LAYER_INSIGHT_SHARED points
// elsewhere), else scripts/lsp-bench.mjs. Files: a typical 43-line Dockerfile from test/fixtures, and
// ../shared/corpus/big5000.Dockerfile (or a generated file of 5,000 instructions when there is no corpus).
// With an image mapped (scripts/bench-mapped.mjs: a real image's recorded engine answers, served by
// scripts/fake-engine.mjs): edit -> diagnostics against theirs on the same file, and one publishDiagnostics per edit.
// usage: node scripts/bench.mjs [--runs N] [--edits N] [--hovers N] [--json]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const runs = Number(opt('runs', 3));
const edits = opt('edits', '30');
const hovers = opt('hovers', '30');

const shared = resolve(process.env.LAYER_INSIGHT_SHARED ?? join(root, '../shared'));
const sharedDriver = join(shared, 'tools/lsp-bench.mjs');
const driver = existsSync(sharedDriver) ? sharedDriver : join(root, 'scripts/lsp-bench.mjs');

let big = join(shared, 'corpus/big5000.Dockerfile');
if (!existsSync(big)) {
  // same shape as the shared synthetic file: FROM + 5,000 instructions cycling RUN / COPY / ENV
  const lines = ['FROM node:20'];
  for (let i = 0; i < 5000; i++) {
    lines.push(
      i % 3 === 0
        ? `RUN echo ${i} && apt-get update && apt-get install -y curl`
        : i % 3 === 1
          ? `COPY src${i} /app/${i}`
          : `ENV V${i}=${i}`,
    );
  }
  big = join(mkdtempSync(join(tmpdir(), 'layer-insight-bench-')), 'big5000.Dockerfile');
  writeFileSync(big, lines.join('\n') + '\n');
}
const files = [
  ['typical (43 lines)', join(root, 'test/fixtures/typical.Dockerfile')],
  ['big5000', big],
];

if (!existsSync(join(root, 'dist/server.js')))
  execFileSync(process.execPath, [join(root, 'scripts/build.mjs')], { cwd: root, stdio: 'inherit' });
const theirsBin = join(root, 'node_modules/dockerfile-language-server-nodejs/bin/docker-langserver');
if (!existsSync(theirsBin)) {
  process.stderr.write(
    'bench: dockerfile-language-server-nodejs is not installed (npm ci installs it as a devDependency)\n',
  );
  process.exit(2);
}
const servers = {
  ours: [process.execPath, join(root, 'dist/server.js'), '--stdio'],
  theirs: [process.execPath, theirsBin, '--stdio'],
};

function measure(file, server) {
  const r = spawnSync(
    process.execPath,
    [driver, '--file', file, '--edits', edits, '--hovers', hovers, '--', ...server],
    {
      cwd: root,
      encoding: 'utf8',
      timeout: 300_000,
    },
  );
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last);
  } catch {
    throw new Error(`bench driver failed (${r.status}): ${r.stderr || r.stdout}`);
  }
}

const MAPPED = 'basic (image mapped)';
const mappedFile = join(root, 'test/fixtures/engine/basic/Dockerfile');
function measureMapped(server) {
  const r = spawnSync(process.execPath, [join(root, 'scripts/bench-mapped.mjs'), '--edits', edits, '--', ...server], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000,
  });
  try {
    return JSON.parse(r.stdout.trim().split('\n').pop() ?? '');
  } catch {
    throw new Error(`mapped-image bench failed (${r.status}): ${r.stderr || r.stdout}`);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = {};
process.stderr.write(
  `driver: ${driver}\nfiles: ${files.map(([, f]) => f).join(', ')}\nruns: ${runs} per server and file, alternating\n`,
);
for (const [label, file] of files) {
  results[label] = { ours: [], theirs: [] };
  for (let i = 0; i < runs; i++) {
    for (const name of i % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'])
      results[label][name].push(measure(file, servers[name]));
  }
}

// the mapped-image case: ours with the image mapped, theirs on the same file (they have no images)
results[MAPPED] = { ours: [], theirs: [] };
for (let i = 0; i < runs; i++) {
  for (const name of i % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours'])
    results[MAPPED][name].push(name === 'ours' ? measureMapped(servers.ours) : measure(mappedFile, servers.theirs));
}

const METRICS = [
  ['edit -> diagnostics median (ms)', 'edit_to_diagnostics_median_ms'],
  ['hover p50 (ms)', 'hover_median_ms'],
  ['hover p95 (ms)', 'hover_p95_ms'],
  ['open -> diagnostics (ms)', 'open_to_diagnostics_ms'],
  ['peak memory (MB)', 'peak_rss_mb'],
];
const TARGETS = {
  'typical (43 lines)': { edit_to_diagnostics_median_ms: { ratio: 1.0 }, peak_rss_mb: { ratio: 1.0 } },
  big5000: { edit_to_diagnostics_median_ms: { ratio: 0.5 }, hover_p95_ms: { ms: 10 }, peak_rss_mb: { ratio: 1.0 } },
};

const rows = [];
const summary = {};
let failed = 0;
for (const [label] of files) {
  summary[label] = {};
  for (const [title, key] of METRICS) {
    const ours = median(results[label].ours.map((r) => r[key]));
    const theirs = median(results[label].theirs.map((r) => r[key]));
    const ratio = theirs ? ours / theirs : null;
    const target = TARGETS[label][key];
    let verdict = '';
    if (target?.ratio !== undefined)
      verdict = `<= ${target.ratio.toFixed(1)}x ${ratio !== null && ratio <= target.ratio ? 'ok' : 'MISSED'}`;
    if (target?.ms !== undefined) verdict = `<= ${target.ms} ms ${ours <= target.ms ? 'ok' : 'MISSED'}`;
    if (verdict.endsWith('MISSED')) failed++;
    summary[label][key] = { ours, theirs, ratio: ratio === null ? null : Number(ratio.toFixed(3)) };
    rows.push([label, title, String(ours), String(theirs), ratio === null ? '-' : `${ratio.toFixed(2)}x`, verdict]);
  }
}

{
  const ours = median(results[MAPPED].ours.map((r) => r.edit_to_diagnostics_median_ms));
  const theirs = median(results[MAPPED].theirs.map((r) => r.edit_to_diagnostics_median_ms));
  const ratio = theirs ? ours / theirs : null;
  const publishes = Math.max(...results[MAPPED].ours.map((r) => r.publishes_per_edit_max));
  const fewest = Math.min(...results[MAPPED].ours.map((r) => r.publishes_per_edit_min));
  const refreshes = Math.max(...results[MAPPED].ours.map((r) => r.inlay_refreshes_during_edits));
  const measured = results[MAPPED].ours.every((r) => r.measured_after_last_edit);
  const checks = [
    ['edit -> diagnostics median (ms)', String(ours), String(theirs), ratio, ratio !== null && ratio <= 1.0, '<= 1.0x'],
    [
      'publishDiagnostics per edit',
      fewest === publishes ? String(publishes) : `${fewest}-${publishes}`,
      '-',
      null,
      fewest === 1 && publishes === 1,
      '= 1',
    ],
    ['inlay hint refreshes during edits', String(refreshes), '-', null, refreshes === 0, '= 0'],
    ['sizes still measured after the edits', measured ? 'yes' : 'no', '-', null, measured, 'yes'],
  ];
  for (const [title, o, t, r, ok, target] of checks) {
    if (!ok) failed++;
    rows.push([MAPPED, title, o, t, r === null ? '-' : `${r.toFixed(2)}x`, `${target} ${ok ? 'ok' : 'MISSED'}`]);
  }
  summary[MAPPED] = {
    edit_to_diagnostics_median_ms: { ours, theirs, ratio: ratio === null ? null : Number(ratio.toFixed(3)) },
    publishes_per_edit: { min: fewest, max: publishes },
    inlay_refreshes_during_edits: refreshes,
    measured_after_last_edit: measured,
  };
}

if (args.includes('--json')) {
  console.log(
    JSON.stringify(
      {
        runs,
        driver,
        files: Object.fromEntries([...files.map(([l, f]) => [l, f]), [MAPPED, mappedFile]]),
        summary,
        raw: results,
      },
      null,
      2,
    ),
  );
} else {
  const head = ['file', 'metric', 'ours', 'theirs', 'ours/theirs', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  console.log(
    `\nmedians of ${runs} run(s) per server and file; ${failed === 0 ? 'all targets met' : `${failed} target(s) missed`}`,
  );
}
process.exitCode = failed === 0 ? 0 : 1;
