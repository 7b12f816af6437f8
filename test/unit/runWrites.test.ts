import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../server/src/analysis/parse';
import { runWrites, type Vars, type WriteEntry } from '../../server/src/analysis/runWrites';
import { createdAccount } from '../../server/src/analysis/runWrites/files';
import { commandsOf } from '../../server/src/analysis/shell';
import { df } from './fixes';

/** What the RUN at `line` of a Dockerfile writes, as `path basis[!]` strings (`!`: it replaces the path). */
function writes(text: string, line: number, vars: Record<string, string> = {}): string[] | string {
  const model = parseDockerfile(text);
  const step = model.steps.find((s) => s.line === line);
  assert.ok(step && step.keyword === 'RUN', `no RUN at line ${line}`);
  const got = runWrites(step, ((name) => vars[name]) as Vars);
  if (got.entries === null) return `unknown: ${got.unknown}`;
  return got.entries.map((e: WriteEntry) => `${e.path} ${e.basis ?? 'any'}${e.replaces ? '!' : ''}`);
}

/** The entries at one path. */
function at(list: string[] | string, path: string): string[] {
  assert.ok(Array.isArray(list), `expected a list of writes, got ${String(list)}`);
  return list.filter((e) => e.startsWith(path + ' '));
}

const HOME_AND_CACHES = ['/root', '/home', '/tmp', '/var/tmp', '/usr/local/share/.cache'];

test('redirections write their targets; 2>&1 and /dev/null write nothing; quiet commands write nothing', () => {
  const w = writes(
    df('FROM busybox', 'WORKDIR /app', 'RUN echo hi > /etc/motd && cat a b >>log 2>&1 && ls >/dev/null'),
    3,
  );
  assert.deepEqual(w, ['/etc/motd any', '/app/log any']);
  assert.deepEqual(writes(df('FROM node:20', 'RUN node --version && echo ok && test -f x'), 2), []);
});

test('file commands: mkdir, rm and ln depend on the command only; cp and mv targets on what they copy', () => {
  const w = writes(
    df('FROM busybox', 'WORKDIR /w', 'RUN mkdir -p /out && rm -rf /tmp/x && cp -r dist /srv/ && mv a.txt b/'),
    3,
  );
  assert.deepEqual(w, ['/out command', '/tmp/x command!', '/srv any', '/w/b any', '/w/a.txt command!']);
  assert.deepEqual(writes(df('FROM busybox', 'RUN chmod +x /usr/local/bin/*'), 2), ['/usr/local/bin command']);
});

test('cd moves the working folder; a cd in a subshell leaves both folders possible; a cd we cannot follow is unknown', () => {
  assert.deepEqual(writes(df('FROM golang:1.22', 'RUN cd /src && go build -o bin/app .'), 2).slice(0, 1), [
    '/src/bin/app any',
  ]);
  const sub = writes(df('FROM busybox', 'WORKDIR /w', 'RUN (cd /tmp && touch x) && touch y'), 3);
  assert.deepEqual(sub, ['/w/x command', '/tmp/x command', '/w/y command', '/tmp/y command']);
  assert.match(String(writes(df('FROM busybox', 'RUN cd "$DIR" && touch y'), 2)), /^unknown: touch y/);
});

test('a program we cannot read makes the step unknown, naming it', () => {
  assert.equal(
    writes(df('FROM busybox', 'RUN ./scripts/build.sh --release'), 2),
    'unknown: ./scripts/build.sh --release',
  );
  assert.equal(writes(df('FROM debian', 'RUN make && make install'), 2), 'unknown: make');
  assert.equal(writes(df('FROM node:20', 'RUN npx some-generator'), 2), 'unknown: some-generator');
});

test('npm ci: node_modules from the manifests, emptied first; its lifecycle scripts may write the project', () => {
  const w = writes(df('FROM node:20', 'WORKDIR /app', 'RUN npm ci --omit=dev'), 3);
  assert.deepEqual(at(w, '/app/node_modules'), ['/app/node_modules manifests!']);
  assert.deepEqual(at(w, '/app'), ['/app any']);
  assert.deepEqual(
    HOME_AND_CACHES.flatMap((d) => at(w, d)),
    HOME_AND_CACHES.map((d) => `${d} manifests`),
  );
  // npm install keeps what was there and may rewrite the lockfile; a named package is not a lockfile install
  const install = writes(df('FROM node:20', 'WORKDIR /app', 'RUN npm install'), 3);
  assert.deepEqual(at(install, '/app/node_modules'), ['/app/node_modules manifests']);
  assert.deepEqual(at(install, '/app/package-lock.json'), ['/app/package-lock.json manifests']);
  assert.deepEqual(
    at(writes(df('FROM node:20', 'WORKDIR /app', 'RUN npm install express'), 3), '/app/node_modules'),
    [],
  );
  // a script of the project may write anywhere (an Angular build writes beside its folder), not from the manifests
  assert.deepEqual(writes(df('FROM node:20', 'WORKDIR /app', 'RUN npm run build'), 3), ['/ any']);
});

test('cargo chef prepare writes the recipe from the manifests; cook the target folder; cargo build from anything', () => {
  const prepare = writes(df('FROM rust:1.80', 'WORKDIR /app', 'RUN cargo chef prepare --recipe-path recipe.json'), 3);
  assert.deepEqual(prepare, ['/app/recipe.json manifests!']);
  const cook = writes(
    df('FROM rust:1.80', 'WORKDIR /app', 'RUN cargo chef cook --release --recipe-path recipe.json'),
    3,
  );
  assert.deepEqual(at(cook, '/app/target'), ['/app/target manifests']);
  const build = writes(df('FROM rust:1.80', 'WORKDIR /app', 'RUN cargo build --release'), 3);
  assert.deepEqual(at(build, '/app/target'), ['/app/target any']);
  // tonistiigi/xx's wrapper is cargo
  assert.deepEqual(at(writes(df('FROM rust:1.80', 'WORKDIR /app', 'RUN xx-cargo build'), 3), '/app/target'), [
    '/app/target any',
  ]);
});

test('pip: wheels and installs from requirement files are manifest-keyed; a local project is not', () => {
  const wheel = writes(df('FROM python:3.12', 'WORKDIR /w', 'RUN pip wheel -r requirements.txt -w /wheels'), 3);
  assert.deepEqual(at(wheel, '/wheels'), ['/wheels manifests']);
  const local = writes(df('FROM python:3.12', 'WORKDIR /w', 'RUN pip wheel --no-deps -w /wheels .'), 3);
  assert.deepEqual(at(local, '/wheels'), ['/wheels any']);
  assert.deepEqual(at(local, '/w'), ['/w any']);
  const prefix = writes(df('FROM python:3.12', 'RUN pip install --prefix=/install -r requirements.txt'), 2);
  assert.deepEqual(at(prefix, '/install'), ['/install manifests']);
  const env = writes(df('FROM python:3.12', 'RUN python -m pip install --no-cache-dir -r requirements.txt'), 2);
  assert.deepEqual(at(env, '/usr/local'), ['/usr/local manifests']);
  // a venv first on PATH is where pip installs
  const venv = writes(df('FROM python:3.12', 'RUN pip install -r requirements.txt'), 2, {
    PATH: '/opt/venv/bin:/usr/bin',
  });
  assert.deepEqual(at(venv, '/opt/venv'), ['/opt/venv manifests']);
});

test('bundle install writes BUNDLE_PATH (as the Dockerfile set it) and the gem homes from the manifests', () => {
  const w = writes(df('FROM ruby:3.3', 'WORKDIR /rails', 'RUN bundle install'), 3, {
    BUNDLE_PATH: '/usr/local/bundle',
  });
  assert.deepEqual(at(w, '/usr/local/bundle'), ['/usr/local/bundle manifests', '/usr/local/bundle manifests']);
  assert.deepEqual(at(w, '/rails/vendor/bundle'), ['/rails/vendor/bundle manifests']);
  assert.deepEqual(at(w, '/rails'), []);
  // a relative BUNDLE_PATH is under the Gemfile's folder; `bundle exec` runs a project script
  assert.deepEqual(
    at(writes(df('FROM ruby:3.3', 'WORKDIR /r', 'RUN bundle install'), 3, { BUNDLE_PATH: 'gems' }), '/r/gems'),
    ['/r/gems manifests'],
  );
  assert.deepEqual(writes(df('FROM ruby:3.3', 'WORKDIR /r', 'RUN bundle exec bootsnap precompile app/'), 3), ['/ any']);
});

test('go mod download fills the module cache from the manifests; -o names the output, through the variables set', () => {
  const dl = writes(df('FROM golang:1.22', 'WORKDIR /src', 'RUN go mod download'), 3, { GOPATH: '/go' });
  assert.deepEqual(at(dl, '/go/pkg/mod'), ['/go/pkg/mod manifests', '/go/pkg/mod manifests']);
  assert.deepEqual(at(dl, '/src'), []);
  const known = writes(df('FROM golang:1.22', 'RUN go build -o /out/$NAME ./cmd/app'), 2, { NAME: 'app' });
  assert.deepEqual(at(known, '/out/app'), ['/out/app any']);
  // a build fills the module cache with what go.mod pins, and its build cache with compiled sources
  assert.deepEqual(at(known, '/go/pkg/mod'), ['/go/pkg/mod manifests']);
  assert.deepEqual(at(known, '/root'), ['/root any']);
  // a variable the Dockerfile did not set: the folder above it
  assert.deepEqual(at(writes(df('FROM golang:1.22', 'RUN go build -o /out/$NAME ./cmd/app'), 2), '/out'), ['/out any']);
  assert.match(String(writes(df('FROM golang:1.22', 'RUN go build -o $OUT ./cmd/app'), 2)), /^unknown: go build \$OUT/);
});

test('turbo prune --docker: the workspace manifests and lockfile from the manifests, the full sources from anything', () => {
  const w = writes(df('FROM node:20', 'WORKDIR /app', 'RUN npx turbo prune --scope=web --docker'), 3);
  assert.deepEqual(at(w, '/app/out/json'), ['/app/out/json manifests']);
  assert.deepEqual(at(w, '/app/out/yarn.lock'), ['/app/out/yarn.lock manifests']);
  assert.deepEqual(at(w, '/app/out/full'), ['/app/out/full any']);
});

test("writes into the step's own mounts do not reach the layer; sh -c is read one level deep", () => {
  const w = writes(
    df('FROM python:3.12', 'RUN --mount=type=cache,target=/root/.cache pip wheel -r requirements.txt -w /wheels'),
    2,
  );
  assert.deepEqual(at(w, '/root'), ['/root manifests']);
  assert.ok(Array.isArray(w) && !w.some((e) => e.startsWith('/root/.cache')));
  const cached = writes(
    df('FROM rust:1.80', 'WORKDIR /app', 'RUN --mount=type=cache,target=/app/target cargo build'),
    3,
  );
  assert.deepEqual(at(cached, '/app/target'), []);
  assert.deepEqual(writes(df('FROM busybox', 'RUN sh -c "mkdir /a && touch /a/b"'), 2), ['/a command', '/a/b command']);
  assert.match(String(writes(df('FROM busybox', 'RUN sh ./setup.sh'), 2)), /^unknown: sh \.\/setup\.sh/);
});

test('system installers write the system folders, not /usr/local or the working folder', () => {
  const w = writes(df('FROM debian', 'WORKDIR /app', 'RUN apt-get update && apt-get install -y curl'), 3);
  assert.ok(Array.isArray(w) && w.includes('/usr/lib any') && w.includes('/etc any'));
  assert.ok(!w.some((e) => e.startsWith('/usr/local') || e.startsWith('/app')));
});

test("a case statement's patterns are no commands: the command we cannot read names the step", () => {
  const text = df('FROM debian', 'RUN case "$V" in 21) o=zip ;; *) exit 1 ;; esac; jlink --output /javaruntime $o');
  assert.equal(writes(text, 2), 'unknown: jlink --output /javaruntime $o');
  // every branch's writes count; `amd64)` and `arm64)` write nothing
  const arch = df('FROM debian', 'RUN case "$A" in amd64) mkdir /x ;; arm64) mkdir /y ;; esac');
  const w = writes(arch, 2);
  assert.ok(Array.isArray(w), String(w));
  assert.deepEqual(
    w.map((e) => e.split(' ')[0]),
    ['/x', '/y'],
  );
});

test("a package's command line from node_modules/.bin is a project script; xx-info only prints", () => {
  const w = writes(
    df('FROM node:20', 'WORKDIR /src/ui', 'RUN ./node_modules/.bin/ng build --configuration production'),
    3,
  );
  assert.deepEqual(w, ['/ any']);
  assert.deepEqual(writes(df('FROM rust:1.80', 'RUN if xx-info is-cross; then echo cross; fi'), 2), []);
});

test("a project's script writes anything but the dependency stores (gems by BUNDLE_PATH, Go modules, Cargo's registry)", () => {
  const model = parseDockerfile(df('FROM ruby:3.3', 'WORKDIR /rails', 'RUN bundle exec rails assets:precompile'));
  const got = runWrites(model.steps[2], (name) => (name === 'BUNDLE_PATH' ? '/gems' : undefined));
  assert.equal(got.entries?.length, 1);
  const except = got.entries?.[0].except ?? [];
  for (const store of [
    '/gems',
    '/rails/vendor/bundle',
    '/usr/local/bundle',
    '/go/pkg/mod',
    '/usr/local/cargo/registry',
  ])
    assert.ok(except.includes(store), `${store} is left alone`);
  assert.ok(!except.some((x) => x.includes('node_modules')), 'a build writes node_modules/.cache');
});

test('ln makes a link: reads through it are not followed', () => {
  const model = parseDockerfile(df('FROM busybox', 'RUN ln -sfn /opt/app-1.2 /opt/app'));
  assert.deepEqual(
    runWrites(model.steps[1], () => undefined).entries?.map((e) => [e.path, e.link]),
    [['/opt/app', true]],
  );
});

test('downloads: curl -o / -fsSLo / -O and wget -O / -P write where the options say, alone or in a cluster', () => {
  const curl = writes(
    df(
      'FROM debian',
      'WORKDIR /dl',
      'RUN curl -fsSL "${URL}" -o /war/app.war && curl -fsSLo /opt/x.tgz https://e.org/x.tgz && curl -O https://e.org/y.zip',
    ),
    3,
  );
  assert.deepEqual(curl, ['/war/app.war any', '/opt/x.tgz any', '/dl/y.zip any']);
  const wget = writes(
    df('FROM debian', 'WORKDIR /dl', 'RUN wget -O /tmp/z.deb https://e.org/z.deb && wget -q -P /opt https://e.org/w'),
    3,
  );
  assert.deepEqual(wget, ['/tmp/z.deb any', '/opt any']);
  assert.deepEqual(writes(df('FROM debian', 'RUN curl -fsSL https://e.org/key -o - | gpg --dearmor > /k.gpg'), 2), [
    '/k.gpg any',
    ...HOME_AND_CACHES.map((p) => `${p} any`),
  ]);
});

test('createdAccount: the user or group an account command makes, and whether the user gets a group of its name', () => {
  const read = (cmd: string) => {
    const step = parseDockerfile(df('FROM debian', `RUN ${cmd}`)).steps[1];
    return createdAccount(commandsOf(step)[0]);
  };
  assert.deepEqual(read('useradd -m -u 10001 app'), { user: 'app', group: 'app' });
  assert.deepEqual(read('useradd -g staff -d /srv app'), { user: 'app', group: null });
  assert.deepEqual(read('adduser -D -S -G www app'), { user: 'app', group: null });
  assert.deepEqual(read('adduser --system --group app'), { user: 'app', group: 'app' });
  assert.deepEqual(read('adduser --system app'), { user: 'app', group: null });
  assert.deepEqual(read('groupadd -g 10001 app'), { user: null, group: 'app' });
  assert.deepEqual(read('addgroup -S app'), { user: null, group: 'app' });
  assert.equal(read('adduser app sudo'), null, 'adds an existing user to a group');
  assert.equal(read('usermod -aG docker app'), null);
});
