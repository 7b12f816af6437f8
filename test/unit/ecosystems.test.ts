// Which shell commands resolve an ecosystem's dependencies (server/src/analysis/ecosystems.ts, dependencyCommand):
// one reader per ecosystem, read straight from the command's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dependencyCommand } from '../../server/src/analysis/ecosystems';
import { splitCommands } from '../../server/src/analysis/shell';

/** What dependencyCommand says of a one-command text, without the command itself: [ecosystem, kind, ...] or null. */
function read(text: string): [string, string, boolean, string[]] | null {
  const [cmd] = splitCommands(text);
  const d = dependencyCommand(cmd);
  return d && [d.ecosystem, d.kind, d.needsSources, d.namedManifests];
}

test('pip: requirements and constraints files are the manifests; a named package or the project itself is not', () => {
  assert.deepEqual(read('pip install --no-cache-dir -r requirements.txt'), [
    'pip',
    'install',
    false,
    ['requirements.txt'],
  ]);
  assert.deepEqual(read('python3 -m pip install -rreq.txt --constraint c.txt'), [
    'pip',
    'install',
    false,
    ['req.txt', 'c.txt'],
  ]);
  assert.deepEqual(read('pip3.12 install --requirement=r.txt -e .'), ['pip', 'install', true, ['r.txt']]);
  assert.deepEqual(read('uv pip sync requirements.lock'), ['pip', 'install', false, ['requirements.lock']]);
  assert.equal(read('pip install flask'), null);
  assert.equal(read('pip install .'), null);
  assert.equal(read('pip download -r requirements.txt'), null);
});

test('npm, yarn, pnpm: lockfile installs; named or global installs are not', () => {
  assert.deepEqual(read('npm ci'), ['npm', 'install', false, []]);
  assert.deepEqual(read('npm install --omit=dev'), ['npm', 'install', false, []]);
  assert.equal(read('npm install express'), null);
  assert.equal(read('npm install -g pnpm'), null);
  assert.equal(read('npm run build'), null);
  assert.deepEqual(read('yarn'), ['yarn', 'install', false, []]);
  assert.deepEqual(read('yarn install --frozen-lockfile'), ['yarn', 'install', false, []]);
  assert.equal(read('yarn --version'), null);
  assert.equal(read('yarn build'), null);
  assert.deepEqual(read('pnpm fetch'), ['pnpm', 'install', false, []]);
  assert.equal(read('pnpm i -g turbo'), null);
});

test('poetry, uv, pipenv: sync and install, needing the sources unless told not to install the project', () => {
  assert.deepEqual(read('poetry install'), ['poetry', 'install', true, []]);
  assert.deepEqual(read('poetry install --no-root'), ['poetry', 'install', false, []]);
  assert.deepEqual(read('poetry sync --only-root'), ['poetry', 'install', false, []]);
  assert.equal(read('poetry build'), null);
  assert.deepEqual(read('uv sync --frozen'), ['uv', 'install', true, []]);
  assert.deepEqual(read('uv sync --no-install-project'), ['uv', 'install', false, []]);
  assert.deepEqual(read('uv sync --no-install-workspace'), ['uv', 'install', false, []]);
  assert.equal(read('uv run app.py'), null);
  assert.deepEqual(read('pipenv sync'), ['pipenv', 'install', false, []]);
  assert.equal(read('pipenv run app'), null);
});

test('bundler and composer', () => {
  assert.deepEqual(read('bundle'), ['bundler', 'install', false, []]);
  assert.deepEqual(read('bundler install --jobs 4'), ['bundler', 'install', false, []]);
  assert.equal(read('bundle exec rake'), null);
  assert.deepEqual(read('composer.phar install --no-dev'), ['composer', 'install', false, []]);
  assert.equal(read('composer require x/y'), null);
});

test('go and cargo: explicit downloads, and builds that resolve implicitly', () => {
  assert.deepEqual(read('go mod download -x'), ['go', 'install', false, []]);
  assert.equal(read('go mod tidy'), null);
  assert.deepEqual(read('go build -o /app ./cmd/app'), ['go', 'build', false, []]);
  assert.deepEqual(read('go install ./cmd/...'), ['go', 'build', false, []]);
  assert.equal(read('go install golang.org/x/tools/gopls@latest'), null);
  assert.deepEqual(read('cargo fetch'), ['cargo', 'install', false, []]);
  assert.deepEqual(read('cargo build --release'), ['cargo', 'build', false, []]);
  assert.deepEqual(read('cargo install --path .'), ['cargo', 'build', false, []]);
  assert.equal(read('cargo install ripgrep'), null);
});

test('maven, gradle, dotnet: dependency goals resolve, build goals resolve implicitly', () => {
  assert.deepEqual(read('mvn -B dependency:go-offline'), ['maven', 'install', false, []]);
  assert.deepEqual(read('./mvnw clean package -DskipTests'), ['maven', 'build', false, []]);
  assert.deepEqual(read('mvn spring-boot:build-image'), ['maven', 'build', false, []]);
  assert.equal(read('mvn clean'), null);
  assert.deepEqual(read('gradle dependencies --no-daemon'), ['gradle', 'install', false, []]);
  assert.deepEqual(read('./gradlew bootJar'), ['gradle', 'build', false, []]);
  assert.equal(read('gradle clean'), null);
  assert.deepEqual(read('dotnet restore'), ['dotnet', 'install', false, []]);
  assert.deepEqual(read('dotnet publish -c Release'), ['dotnet', 'build', false, []]);
  assert.equal(read('dotnet publish --no-restore'), null);
  assert.equal(read('dotnet run'), null);
});

test('other programs, including names that are object keys, resolve nothing', () => {
  for (const text of ['apt-get install -y curl', 'make install', 'constructor install', '__proto__ install'])
    assert.equal(read(text), null, text);
});
