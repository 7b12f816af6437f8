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
import * as os from 'node:os';
import * as path from 'node:path';
import { analyze } from '../../server/src/analysis/analyze';
import { buildFixture, DOCKER_CLEAN, engineSuite, ensureDebian, repoRoot, type TestEngine } from './harness';

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

/** The official images' apt/dpkg configuration (debuerreotype-minimizing-config, -slimify), as one RUN. */
function officialConfig(suite: string, slim: boolean): string {
  const lines = [
    "printf '#!/bin/sh\\nexit 101\\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d",
    'echo force-unsafe-io > /etc/dpkg/dpkg.cfg.d/docker-apt-speedup',
    `printf '%s\\n' ${DOCKER_CLEAN.split('\n')
      .filter(Boolean)
      .map((l) => `'${l}'`)
      .join(' ')} > /etc/apt/apt.conf.d/docker-clean`,
    `echo 'Acquire::GzipIndexes "true";' > /etc/apt/apt.conf.d/docker-gzip-indexes`,
    `echo 'Acquire::Languages "none";' > /etc/apt/apt.conf.d/docker-no-languages`,
    `echo 'Apt::AutoRemove::SuggestsImportant "false";' > /etc/apt/apt.conf.d/docker-autoremove-suggests`,
    'rm -f /etc/apt/sources.list',
    `printf 'Types: deb\\nURIs: http://deb.debian.org/debian\\nSuites: ${suite} ${suite}-updates\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n\\nTypes: deb\\nURIs: http://deb.debian.org/debian-security\\nSuites: ${suite}-security\\nComponents: main\\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\\n' > /etc/apt/sources.list.d/debian.sources`,
  ];
  if (slim) {
    const ex = [
      '/usr/share/doc/*',
      '/usr/share/groff/*',
      '/usr/share/info/*',
      '/usr/share/linda/*',
      '/usr/share/lintian/overrides/*',
      '/usr/share/locale/*',
      '/usr/share/man/*',
    ];
    const inc = [
      '/usr/share/doc/*/copyright',
      '/usr/share/doc/kde/HTML/C/*',
      '/usr/share/gnome/help/*/C/*',
      '/usr/share/locale/all_languages',
      '/usr/share/locale/currency/*',
      '/usr/share/locale/l10n/*',
      '/usr/share/locale/languages',
      '/usr/share/locale/locale.alias',
      '/usr/share/omf/*/*-C.emf',
    ];
    lines.push(
      `printf '%s\\n' ${[...ex.map((p) => `'path-exclude ${p}'`), ...inc.map((p) => `'path-include ${p}'`)].join(' ')} > /etc/dpkg/dpkg.cfg.d/docker`,
    );
    lines.push('find /usr/share/doc -mindepth 1 -not -name copyright -not -type d -delete');
    lines.push(
      'rm -rf /usr/share/groff/* /usr/share/info/* /usr/share/linda/* /usr/share/lintian/overrides/* /usr/share/man/*',
    );
    lines.push(
      'find /usr/share/locale -mindepth 1 -maxdepth 1 -not -name locale.alias -not -name languages -not -name all_languages -not -name currency -not -name l10n -exec rm -rf {} +',
    );
  }
  // the official images are rebuilt with the suite's -updates and -security packages; a base bootstrapped from the
  // suite alone has older ones, and an install that needs a newer one upgrades it inside the measured layer (a
  // trixie-security openssl made `apt-get install nginx ca-certificates` 6.8 MB larger by rewriting libssl3t64)
  lines.push(
    'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get -y -qq upgrade && rm -rf /var/lib/apt/lists/*',
  );
  return lines.join(' && ');
}

async function ensureOfficialLike(e: TestEngine, suite: string, slim: boolean): Promise<void> {
  const minbase = `li-minbase:${suite}`;
  await ensureDebian(e, { suite, tag: minbase });
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'li-official-'));
  try {
    await fs.promises.writeFile(
      path.join(dir, 'Dockerfile'),
      `FROM ${minbase}\nRUN ${officialConfig(suite, slim)}\nCMD ["bash"]\n`,
    );
    await buildFixture(e, dir, { builder: 'legacy', tag: `debian:${suite}${slim ? '-slim' : ''}` });
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

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
