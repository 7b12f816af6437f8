// rewrite/splitRun.ts through copy-before-install: an install RUN that also builds, a heredoc that installs and
// builds, and the installs that have a dependencies-only form (Poetry, uv, Composer) are split around the sources;
// RUNs that cannot be split safely get no fix and the finding says why.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';

const RULE = 'copy-before-install';

function noFixBecause(text: string, why: RegExp): void {
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0, `no fix expected:\n${text}`);
  assert.match(f[0].message, /No quick fix: /);
  assert.match(f[0].message, why);
}

test('a multi-line RUN: source-free commands stay before the sources, cd is repeated after, mounts kept on both', () => {
  const text = df(
    'FROM node:20',
    'WORKDIR /app',
    'COPY . .',
    'RUN --mount=type=cache,target=/root/.npm apt-get update && cd web \\',
    '  && npm ci \\',
    '  && npm run build \\',
    '  && npm prune --omit=dev',
  );
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM node:20',
      'WORKDIR /app',
      'COPY web/package*.json web/',
      'RUN --mount=type=cache,target=/root/.npm apt-get update \\',
      '    && cd web \\',
      '    && npm ci',
      'COPY . .',
      'RUN --mount=type=cache,target=/root/.npm cd web \\',
      '    && npm run build \\',
      '    && npm prune --omit=dev',
    ),
  );
});

test('a heredoc that installs and builds becomes two heredocs; its shebang and set -e are kept in both', () => {
  const text = df(
    'FROM python:3.12',
    'WORKDIR /srv',
    'COPY . .',
    'RUN <<EOT',
    '#!/bin/bash',
    'set -eux',
    'pip install -r requirements.txt',
    'python manage.py collectstatic --noinput',
    'EOT',
    'CMD ["gunicorn", "app.wsgi"]',
  );
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM python:3.12',
      'WORKDIR /srv',
      'COPY requirements.txt ./',
      'RUN <<EOT',
      '#!/bin/bash',
      'set -eux',
      'pip install -r requirements.txt',
      'EOT',
      'COPY . .',
      'RUN <<EOT',
      '#!/bin/bash',
      'set -eux',
      'python manage.py collectstatic --noinput',
      'EOT',
      'CMD ["gunicorn", "app.wsgi"]',
    ),
  );
});

test('uv sync gets --no-install-project before the sources and runs as written after them', () => {
  assert.equal(
    applyFix(df('FROM python:3.12', 'WORKDIR /app', 'COPY . .', 'RUN uv sync --locked --no-dev'), RULE).fixed,
    df(
      'FROM python:3.12',
      'WORKDIR /app',
      'COPY pyproject.toml uv.lock* ./',
      'RUN uv sync --locked --no-dev --no-install-project',
      'COPY . .',
      'RUN uv sync --locked --no-dev',
    ),
  );
});

test('composer: only the missing options are added; the dump mirrors --no-scripts, -a and the environment', () => {
  assert.equal(
    applyFix(
      df('FROM php:8.3', 'WORKDIR /app', 'COPY . .', 'RUN COMPOSER_ALLOW_SUPERUSER=1 composer install --no-scripts -a'),
      RULE,
    ).fixed,
    df(
      'FROM php:8.3',
      'WORKDIR /app',
      'COPY composer.json composer.lock* ./',
      'RUN COMPOSER_ALLOW_SUPERUSER=1 composer install --no-scripts -a --no-autoloader',
      'COPY . .',
      'RUN COMPOSER_ALLOW_SUPERUSER=1 composer dump-autoload --optimize --classmap-authoritative --no-scripts',
    ),
  );
  // no autoloader and no scripts asked for: nothing reads the sources, the sources only move
  assert.equal(
    applyFix(df('FROM php:8.3', 'WORKDIR /app', 'COPY . .', 'RUN composer install --no-scripts --no-autoloader'), RULE)
      .fixed,
    df(
      'FROM php:8.3',
      'WORKDIR /app',
      'COPY composer.json composer.lock* ./',
      'RUN composer install --no-scripts --no-autoloader',
      'COPY . .',
    ),
  );
});

test('RUNs that cannot be split safely: no fix, and the finding says why', () => {
  noFixBecause(
    df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN npm ci && npm run build | tee /tmp/build.log'),
    /`\|`/,
  );
  noFixBecause(
    df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN <<EOF', 'if [ -f x ]; then npm ci; fi', 'npm run build', 'EOF'),
    /control flow \(`if`\)/,
  );
  noFixBecause(
    df('FROM node:20', 'WORKDIR /app', 'COPY . .', 'RUN ./scripts/gen.sh && npm ci && npm run build'),
    /`\.\/scripts\/gen\.sh` runs before the install/,
  );
});

test('an install that also installs the project with no dependencies-only form (pip -r and .) gets no fix', () => {
  const f = findings(df('FROM python:3.12', 'WORKDIR /app', 'COPY . .', 'RUN pip install -r requirements.txt .'), RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
});

test('installing Poetry and setting its user config in the same RUN stays before the sources', () => {
  const text = df(
    'FROM python:3.12',
    'WORKDIR /app',
    'COPY . .',
    'RUN pip install poetry && poetry config virtualenvs.create false && poetry install --no-interaction',
  );
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM python:3.12',
      'WORKDIR /app',
      'COPY pyproject.toml poetry.lock* ./',
      'RUN pip install poetry && poetry config virtualenvs.create false && poetry install --no-interaction --no-root',
      'COPY . .',
      'RUN poetry install --no-interaction',
    ),
  );
});
