import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, df, findings } from '../fixes';

const RULE = 'pip-no-cache-dir';

test('pip install without --no-cache-dir is flagged (DL3042) and fixed, for pip, pip3 and python -m pip', () => {
  const text = df(
    'FROM python:3.12-slim',
    'COPY requirements.txt .',
    'RUN pip install --upgrade pip && pip3 install -r requirements.txt && python -m pip install gunicorn',
  );
  const f = findings(text, RULE);
  assert.equal(f.length, 1);
  assert.equal(f[0].hadolint, 'DL3042');
  assert.equal(
    applyFix(text, RULE).fixed,
    df(
      'FROM python:3.12-slim',
      'COPY requirements.txt .',
      'RUN pip install --no-cache-dir --upgrade pip && pip3 install --no-cache-dir -r requirements.txt && python -m pip install --no-cache-dir gunicorn',
    ),
  );
});

test('not flagged: the option, ENV PIP_NO_CACHE_DIR (also in a base stage), a cache mount, a build-only stage, uv pip', () => {
  assert.equal(findings(df('FROM python:3.12', 'RUN pip install --no-cache-dir flask'), RULE).length, 0);
  assert.equal(findings(df('FROM python:3.12', 'ENV PIP_NO_CACHE_DIR=1', 'RUN pip install flask'), RULE).length, 0);
  assert.equal(
    findings(df('FROM python:3.12 AS base', 'ENV PIP_NO_CACHE_DIR=off', 'FROM base', 'RUN pip install flask'), RULE)
      .length,
    0,
  );
  assert.equal(
    findings(df('FROM python:3.12', 'RUN --mount=type=cache,target=/root/.cache/pip pip install flask'), RULE).length,
    0,
  );
  assert.equal(
    findings(
      df(
        'FROM python:3.12 AS build',
        'RUN pip install flask',
        'FROM python:3.12-slim',
        'COPY --from=build /usr/local /usr/local',
      ),
      RULE,
    ).length,
    0,
  );
  assert.equal(findings(df('FROM python:3.12', 'RUN uv pip install --system flask'), RULE).length, 0);
});

test('pipenv and poetry are not pip', () => {
  assert.equal(findings(df('FROM python:3.12', 'RUN pipenv install --system'), RULE).length, 0);
});
