// Static estimate against measurement on real apt builds. Debian bases are made like the official images
// (debootstrap minbase + debuerreotype's minimizing config: docker-clean, docker-gzip-indexes, docker-no-languages,
// deb822 sources with -updates and -security, upgraded from them as the official images are when rebuilt, and for
// -slim the dpkg path-excludes for docs/man/locales), tagged
// with the official names, then each Dockerfile of test/fixtures/estimate-accuracy is built (legacy builder) and
// every RUN layer's `docker history` size is compared with the estimate for that line. Target: within +-25 % for
// layers over 1 MB. The table is printed at the end.
// Known miss, not in the fixtures: packages whose Installed-Size is mostly translations (wget on trixie-slim: 3.8 MB
// of which ~2.7 MB are .mo files the slim images never unpack) come out ~50 % high, because the index has no
// per-file sizes and the slim factor (0.9) is an average.

import { after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { buildFixture, engineSuite, ensureOfficialLike, repoRoot, type TestEngine } from './harness';

const FIXTURES = path.join(repoRoot(), 'test', 'fixtures', 'estimate-accuracy');
const TOLERANCE = 0.25;

const engineTest = engineSuite();
const rows: string[] = [];

after(() => {
  if (rows.length) {
    console.log(
      [
        '',
        'estimate vs measured (docker history, overlay2, legacy builder):',
        '| fixture | line | RUN | estimate | measured | diff |',
        '|---|---|---|---|---|---|',
        ...rows,
      ].join('\n'),
    );
  }
});

interface RawHistory {
  CreatedBy: string;
  Size: number;
}

async function history(e: TestEngine, ref: string): Promise<RawHistory[]> {
  return (await e.docker.getImage(ref).history()) as RawHistory[];
}

const fixtures = fs.existsSync(FIXTURES)
  ? fs
      .readdirSync(FIXTURES)
      .filter((d) => fs.existsSync(path.join(FIXTURES, d, 'Dockerfile')))
      .sort()
  : [];

engineTest(
  'estimates of apt layers are within 25 % of the measured layer sizes (layers over 1 MB)',
  { timeout: 90 * 60_000 },
  async (e) => {
    const bases = new Set<string>();
    for (const d of fixtures)
      for (const m of fs.readFileSync(path.join(FIXTURES, d, 'Dockerfile'), 'utf8').matchAll(/^FROM\s+debian:(\S+)/gm))
        bases.add(m[1]);
    for (const b of bases) await ensureOfficialLike(e, b.replace(/-slim$/, ''), b.endsWith('-slim'));

    const misses: string[] = [];
    let compared = 0;
    for (const d of fixtures) {
      const dir = path.join(FIXTURES, d);
      const text = await fs.promises.readFile(path.join(dir, 'Dockerfile'), 'utf8');
      const tag = `li-accuracy/${d}:latest`;
      await buildFixture(e, dir, { builder: 'legacy', tag, timeoutMs: 30 * 60_000 });
      const a = analyze(text, {});
      const final = a.model.stages[a.model.target];
      const runs = final.steps.map((i) => a.steps[i]).filter((s) => s.step.keyword === 'RUN');
      // the legacy builder records one history entry per instruction; the newest ones are this stage's steps
      const entries = (await history(e, tag))
        .filter((h) => h.CreatedBy.includes('/bin/sh -c') && !h.CreatedBy.includes('#(nop)'))
        .slice(0, runs.length)
        .reverse();
      assert.equal(entries.length, runs.length, `${d}: one history entry per RUN`);
      runs.forEach((r, i) => {
        const measured = entries[i].Size;
        const est = r.size?.bytes;
        const diff = est === undefined ? NaN : (est - measured) / measured;
        const cmd = r.step.command.replace(/\s+/g, ' ').slice(0, 70);
        rows.push(
          `| ${d} | ${r.step.line} | \`${cmd}\` | ${est === undefined ? 'none' : (est / 1e6).toFixed(2) + ' MB'} | ${(measured / 1e6).toFixed(2)} MB | ${Number.isNaN(diff) ? '-' : (diff * 100).toFixed(1) + ' %'} |`,
        );
        if (measured > 1e6) {
          compared++;
          if (!(Math.abs(diff) <= TOLERANCE))
            misses.push(
              `${d} line ${r.step.line}: estimate ${est} vs measured ${measured} (${r.size?.basis ?? r.sizeNote})`,
            );
        }
      });
    }
    assert.ok(compared >= 4, `compared ${compared} layers over 1 MB`);
    assert.deepEqual(misses, []);
  },
);
