import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import { findBuild } from '../../../server/src/analysis/buildPlan';
import type { Analysis } from '../../../server/src/analysis/model';
import { lookupBaseImage } from '../../../server/src/analysis/estimate/baseImages';
import { allArgs, finalStage, findingOf, lastArgs, rewrite, stepsOf } from './rewriteHelpers';

const RULE = 'multi-stage-candidate';

interface Case {
  name: string;
  text: string;
  runtime: RegExp;
  /** Each must be a COPY --from=<builder> line of the new final stage (source and destination). */
  copies: string[];
  builderRuns?: RegExp;
}

const CASES: Case[] = [
  {
    name: 'Go with CGO off: static binary on distroless static',
    text: `FROM golang:1.22
# build the server
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0 APP_MODE=production
RUN go build -ldflags="-s -w" -o /bin/server ./cmd/server
EXPOSE 8080
USER nobody
CMD ["/bin/server", "--port", "8080"]
`,
    runtime: /^gcr\.io\/distroless\/static-debian12:nonroot$/,
    copies: ['/bin/server /bin/server'],
  },
  {
    name: 'Go with CGO on and a shell-form CMD: glibc runtime with a shell',
    text: `FROM golang:1.22-bookworm
WORKDIR /app
COPY . .
RUN go build -o app .
CMD ./app -v
`,
    runtime: /^debian:bookworm-slim$/,
    copies: ['/app/app /app/app'],
  },
  {
    name: 'Rust release build, binary named by CMD: distroless cc',
    text: `FROM rust:1.80
WORKDIR /usr/src/app
COPY . .
RUN cargo build --release
ENV RUST_LOG=info
CMD ["./target/release/hello"]
`,
    runtime: /^gcr\.io\/distroless\/cc-debian13$/,
    copies: ['/usr/src/app/target/release/hello /usr/src/app/target/release/hello'],
  },
  {
    name: 'Rust musl target: static binary',
    text: `FROM rust:1.80
WORKDIR /w
COPY . .
RUN cargo build --release --target x86_64-unknown-linux-musl --bin api
ENTRYPOINT ["/w/target/x86_64-unknown-linux-musl/release/api"]
`,
    runtime: /^gcr\.io\/distroless\/static-debian12$/,
    copies: ['/w/target/x86_64-unknown-linux-musl/release/api /w/target/x86_64-unknown-linux-musl/release/api'],
  },
  {
    name: 'Rust without a binary name: the executables of target/release are collected',
    text: `FROM rust:1.80-bookworm
WORKDIR /app
COPY . .
RUN cargo build --release
CMD ["sh", "-c", "ls"]
`,
    runtime: /^debian:bookworm-slim$/,
    copies: ['/out/ /app/target/release/'],
    builderRuns: /find \/app\/target\/release -maxdepth 1 -type f -perm -u\+x -exec cp \{\} \/out\//,
  },
  {
    name: 'C with gcc and a -dev library: same Debian slim with the run-time library',
    text: `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libssl-dev ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY hello.c .
RUN gcc -O2 -o hello hello.c -lssl
ENTRYPOINT ["/app/hello"]
`,
    runtime: /^debian:bookworm-slim$/,
    copies: ['/app/hello /app/hello'],
  },
  {
    name: 'C with build-essential, make and make install: /usr/local on distroless cc',
    text: `FROM debian:bookworm
RUN apt-get update && apt-get install -y build-essential
COPY . /src
WORKDIR /src
RUN make && make install
ENTRYPOINT ["/usr/local/bin/tool"]
`,
    runtime: /^gcr\.io\/distroless\/cc-debian12$/,
    copies: ['/usr/local/ /usr/local/'],
  },
  {
    name: 'C compiled statically: distroless static',
    text: `FROM gcc:13
WORKDIR /b
COPY main.c .
RUN gcc -static -O2 main.c -o /usr/local/bin/main
CMD ["/usr/local/bin/main"]
`,
    runtime: /^gcr\.io\/distroless\/static-debian12$/,
    copies: ['/usr/local/bin/main /usr/local/bin/main'],
  },
  {
    name: 'Java with Maven: JRE of the same version',
    text: `FROM maven:3.9-eclipse-temurin-17
WORKDIR /app
COPY pom.xml .
RUN mvn -B dependency:go-offline
COPY src ./src
RUN mvn -B package -DskipTests
EXPOSE 8080
CMD java -jar target/app.jar
`,
    runtime: /^eclipse-temurin:17-jre$/,
    copies: ['/app/target/*.jar /app/target/'],
  },
  {
    name: 'Java with Gradle: build/libs jars on a JRE',
    text: `FROM gradle:8.7-jdk21
WORKDIR /home/gradle/project
COPY . .
RUN gradle bootJar --no-daemon
ENTRYPOINT ["java", "-jar", "/home/gradle/project/build/libs/app.jar"]
`,
    runtime: /^eclipse-temurin:21-jre$/,
    copies: ['/home/gradle/project/build/libs/*.jar /home/gradle/project/build/libs/'],
  },
  {
    name: '.NET publish: ASP.NET Core runtime of the same version',
    text: `FROM mcr.microsoft.com/dotnet/sdk:8.0
WORKDIR /src
COPY . .
RUN dotnet restore && dotnet publish -c Release -o /app/publish
WORKDIR /app/publish
ENV ASPNETCORE_URLS=http://+:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "Api.dll"]
`,
    runtime: /^mcr\.microsoft\.com\/dotnet\/aspnet:8\.0$/,
    copies: ['/app/publish/ /app/publish/'],
  },
  {
    name: 'Node service built with tsc: slim Node with production dependencies only',
    text: `FROM node:20
WORKDIR /srv
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
RUN npm run build
ENV NODE_ENV=production
USER node
EXPOSE 3000
CMD ["node", "dist/server.js"]
`,
    runtime: /^node:20-slim$/,
    copies: ['/srv/package.json /srv/package.json', '/srv/node_modules/ /srv/node_modules/', '/srv/dist/ /srv/dist/'],
    builderRuns: /npm prune --omit=dev/,
  },
  {
    name: 'Python with compilers: packages built in the builder, copied onto slim',
    text: `FROM python:3.12
RUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd -m app
USER app
CMD ["gunicorn", "app:app", "-b", "0.0.0.0:8000"]
`,
    runtime: /^python:3\.12-slim$/,
    copies: ['/install/ /usr/local/'],
    builderRuns: /pip install --prefix=\/install --no-cache-dir -r requirements\.txt/,
  },
];

/** What a container of the final stage starts with and is configured by. */
function runtimeConfig(a: Analysis) {
  const stage = finalStage(a);
  const steps = stepsOf(a, stage);
  const envKeys = new Set(steps.filter((s) => s.keyword === 'ENV').flatMap((s) => s.words.map((w) => w.split('=')[0])));
  return {
    cmd: lastArgs(a, stage, 'CMD'),
    entrypoint: lastArgs(a, stage, 'ENTRYPOINT'),
    user: lastArgs(a, stage, 'USER'),
    expose: allArgs(a, stage, 'EXPOSE').sort(),
    workdir: steps[steps.length - 1].workdir,
    envKeys,
  };
}

for (const c of CASES) {
  test(`multi-stage rewrite: ${c.name}`, () => {
    const r = rewrite(c.text, RULE);
    const fromLine = r.before.model.stages[0].line;
    assert.equal(r.finding.line, fromLine, 'reported at the final stage FROM');
    assert.match(r.fix.title, /saves ≈ \d+(\.\d)? MB|saving not estimated|saving unknown/);
    assert.deepEqual(r.after.model.problems, [], 'the rewritten Dockerfile parses cleanly');
    assert.equal(r.after.model.stages.length, 2);
    const [builder, runtime] = r.after.model.stages;
    assert.ok(builder.name, 'the builder stage is named');
    assert.equal(builder.from, r.before.model.stages[0].from, 'the builder keeps the original base');
    assert.match(runtime.from, c.runtime);
    assert.ok(runtime.final);
    const copies = stepsOf(r.after, runtime)
      .filter((s) => s.keyword === 'COPY' && s.copyFrom?.stage === builder.index)
      .map((s) => s.words.join(' '));
    for (const want of c.copies) assert.ok(copies.includes(want), `COPY --from=${builder.name} ${want} in:\n${r.text}`);
    if (c.builderRuns) {
      const runs = stepsOf(r.after, builder)
        .filter((s) => s.keyword === 'RUN')
        .map((s) => s.args)
        .join('\n');
      assert.match(runs, c.builderRuns);
    }
    // what the container runs with is unchanged
    const before = runtimeConfig(r.before);
    const after = runtimeConfig(r.after);
    assert.equal(after.cmd, before.cmd);
    assert.equal(after.entrypoint, before.entrypoint);
    assert.equal(after.user, before.user);
    assert.deepEqual(after.expose, before.expose);
    assert.equal(after.workdir, before.workdir);
    for (const k of before.envKeys)
      if (!/^(CGO_ENABLED|DEBIAN_FRONTEND)$/.test(k)) assert.ok(after.envKeys.has(k), `ENV ${k} kept`);
    // the rewrite brings no new problem of another kind (distroless has no version tags to name; a further
    // smaller variant of the runtime base is a suggestion, not a problem)
    const had = new Set([...r.before.findings.map((f) => f.rule), 'smaller-base-candidate']);
    const fresh = r.after.findings.filter(
      (f) =>
        !had.has(f.rule) && !(f.rule === 'floating-base-tag' && f.line === runtime.line && !runtime.from.includes(':')),
    );
    assert.deepEqual(
      fresh.map((f) => `${f.rule}: ${f.message}`),
      [],
    );
    // the rule is satisfied, and everything the user wrote is still there
    assert.equal(findingOf(r.after, RULE), undefined, `still fires on:\n${r.text}`);
    for (const line of c.text.split('\n')) {
      if (/^FROM /.test(line) || line === '') continue;
      if (c.builderRuns && /pip install/.test(line)) continue;
      assert.ok(r.text.includes(line), `line kept: ${line}`);
    }
  });
}

test('front-end bundle: nginx serves the build folder, the dev server command is gone', () => {
  const text = `FROM node:20
WORKDIR /app
COPY package*.json ./
RUN npm ci
COPY . .
RUN npm run build
EXPOSE 3000
CMD ["npx", "serve", "-s", "build", "-l", "3000"]
`;
  const r = rewrite(text, RULE);
  const runtime = finalStage(r.after);
  assert.match(runtime.from, /^nginx:.*alpine$/);
  const steps = stepsOf(r.after, runtime);
  assert.ok(steps.some((s) => s.keyword === 'COPY' && s.words.join(' ') === '/app/build/ /usr/share/nginx/html/'));
  assert.deepEqual(allArgs(r.after, runtime, 'EXPOSE'), ['80']);
  assert.equal(lastArgs(r.after, runtime, 'CMD'), undefined, 'nginx image CMD applies');
  assert.match(r.fix.title, /port 80/);
  assert.equal(findingOf(r.after, RULE), undefined);
});

test('CRLF files stay CRLF after the rewrite', () => {
  const text = CASES[0].text.replace(/\n/g, '\r\n');
  const r = rewrite(text, RULE);
  assert.ok(!/[^\r]\n/.test(r.text), 'no bare LF');
  assert.equal(finalStage(r.after).from, 'gcr.io/distroless/static-debian12:nonroot');
});

test('a named user that only the builder knows: /etc/passwd comes along', () => {
  const text = `FROM golang:1.22
RUN useradd -r app
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/app .
USER app
ENTRYPOINT ["/usr/local/bin/app"]
`;
  const r = rewrite(text, RULE);
  const runtime = finalStage(r.after);
  assert.ok(
    stepsOf(r.after, runtime).some((s) => s.keyword === 'COPY' && s.words.join(' ') === '/etc/passwd /etc/group /etc/'),
  );
  assert.equal(lastArgs(r.after, runtime, 'USER'), 'app');
});

test('not reported when the build already happens in another stage and only artifacts are copied', () => {
  const text = `FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /out/app .

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
`;
  assert.equal(findingOf(analyze(text), RULE), undefined);
});

test('not reported for a stage that installs and runs without building', () => {
  const text = `FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["python", "app.py"]
`;
  assert.equal(findingOf(analyze(text), RULE), undefined);
});

test('not reported when the split would save under 1 MB (a build on busybox with its own tool)', () => {
  const text = `FROM busybox:latest
COPY tools/npm /usr/local/bin/npm
WORKDIR /app
COPY . .
RUN npm ci && npm run build
CMD ["cat", "dist/main.js"]
`;
  const files = ['tools/npm', 'package.json', 'package-lock.json', 'src/index.js'].map((p) => ({
    path: p,
    bytes: 400,
  }));
  const facts = { context: { root: '/ctx', files, truncated: false, hasDockerignore: false } };
  assert.equal(findingOf(analyze(text, facts), RULE), undefined);
  // the same build on node:20 ships ≈ 1 GB of toolchain: reported, with the saving
  const node = findingOf(analyze(text.replace('busybox:latest', 'node:20'), facts), RULE);
  assert.match(node?.message ?? '', /saves ≈ \d+ MB/);
});

test('a layer-insight ignore comment silences it', () => {
  const text = `# layer-insight ignore=multi-stage-candidate
FROM golang:1.22
COPY . .
RUN go build -o /app .
`;
  assert.equal(findingOf(analyze(text), RULE), undefined);
});

test('a build whose output cannot be located is reported without a rewrite', () => {
  const text = `FROM debian:bookworm
RUN apt-get update && apt-get install -y build-essential
COPY . /src
RUN make -C /src
CMD ["run-it"]
`;
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  assert.equal(f.fixes.length, 0);
  assert.match(f.message, /could not be located/);
});

test('after the rewrite the image estimate is recomputed and smaller', () => {
  // a golang tag of the base table (golang:1.22 is an unknown base now: its total would be a lower bound)
  const r = rewrite(CASES[0].text.replace('FROM golang:1.22', 'FROM golang:1.26-bookworm'), RULE);
  assert.ok(r.before.image, 'an estimate before');
  assert.ok(r.after.image, 'an estimate after');
  assert.ok(r.after.image.bytes < r.before.image.bytes, `${r.after.image.bytes} < ${r.before.image.bytes}`);
  assert.match(r.finding.message, /saves ≈ \d+ MB/);
});

test('each build command the detectors know is found in a stage where it is the only one (none is ruled out early)', () => {
  const commands: [string, string][] = [
    ['golang:1.22', 'go build -o /out/app .'],
    ['rust:1.79', 'cargo build --release'],
    ['maven:3-eclipse-temurin-21', 'mvn -B package'],
    ['gradle:8-jdk21', 'gradle bootJar'],
    ['mcr.microsoft.com/dotnet/sdk:8.0', 'dotnet publish -c Release -o /out'],
    ['node:20', 'npm run build'],
    ['node:20', 'yarn build'],
    ['node:20', 'pnpm run build'],
    ['node:20', 'npx tsc'],
    ['node:20', 'tsc -p .'],
    ['node:20', 'ng build'],
    ['node:20', 'vite build'],
    // pip is a build when a compiler was installed before it (native extensions)
    ['python:3.12', 'apt-get update && apt-get install -y gcc && pip install -r requirements.txt'],
    ['python:3.12', 'apt-get update && apt-get install -y gcc && python3 -m pip install flask'],
    ['gcc:14', 'gcc -O2 -o /out/hello hello.c'],
    ['gcc:14', 'make'],
    ['gcc:14', 'cmake --build build'],
  ];
  for (const [image, command] of commands) {
    const model = analyze(`FROM ${image}\nWORKDIR /src\nCOPY . .\nRUN ${command}\n`).model;
    assert.ok(findBuild(model, model.stages[0]), `no build found for RUN ${command}`);
  }
});

// ---------------------------------------------------------------------------------------------------------
// The toolchain that does not stay, what the runtime stage keeps, and declines (issue 16, item 3)

const PURGED: [string, string][] = [
  [
    'apt-get install gcc ... && pip install ... && apt-get purge -y --auto-remove gcc',
    `FROM python:3.12-slim
WORKDIR /app
COPY requirements.txt .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
    && pip install --no-cache-dir -r requirements.txt \\
    && apt-get purge -y --auto-remove gcc libpq-dev && rm -rf /var/lib/apt/lists/*
COPY . .
CMD ["python", "app.py"]
`,
  ],
  [
    "the official images' apt-mark auto '.*' + purge --auto-remove",
    `FROM debian:bookworm-slim
COPY src /usr/src/tool
RUN set -eux; \\
    savedAptMark="$(apt-mark showmanual)"; \\
    apt-get update; \\
    apt-get install -y --no-install-recommends gcc make libc6-dev; \\
    make -C /usr/src/tool; make -C /usr/src/tool install; \\
    apt-mark auto '.*' > /dev/null; \\
    [ -z "$savedAptMark" ] || apt-mark manual $savedAptMark; \\
    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\
    rm -rf /var/lib/apt/lists/*
CMD ["/usr/local/bin/tool"]
`,
  ],
  [
    'apk add --virtual .build-deps ... && apk del .build-deps',
    `FROM alpine:3.20
COPY src /src
RUN apk add --no-cache --virtual .build-deps gcc musl-dev make \\
    && make -C /src && make -C /src install \\
    && apk del .build-deps
CMD ["/usr/local/bin/tool"]
`,
  ],
];

for (const [name, text] of PURGED) {
  test(`no finding when the compilers go again in the RUN that installs them: ${name}`, () => {
    const a = analyze(text);
    assert.ok(findBuild(a.model, finalStage(a)), 'the build is still recognised');
    assert.equal(findingOf(a, RULE), undefined);
  });
}

test('still reported when the compilers are removed in a later RUN (they stay in a layer) or only some go', () => {
  const later = `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y gcc libc6-dev
COPY hello.c .
RUN gcc -o /usr/local/bin/hello hello.c
RUN apt-get purge -y --auto-remove gcc
CMD ["/usr/local/bin/hello"]
`;
  assert.ok(findingOf(analyze(later), RULE));
  const some = PURGED[0][1].replace('gcc libpq-dev \\\n    && pip', 'gcc g++ libpq-dev \\\n    && pip');
  assert.ok(findingOf(analyze(some), RULE), 'g++ stays');
});

test('HEALTHCHECK `curl ... | jq`: the runtime stage installs curl and jq again, and the saving counts them', () => {
  const text = `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev curl jq && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY hello.c .
RUN gcc -O2 -o /usr/local/bin/hello hello.c
HEALTHCHECK --interval=30s CMD curl -fsS http://localhost:8080/health | jq -e .ok
CMD ["/usr/local/bin/hello"]
`;
  const r = rewrite(text, RULE);
  const runtime = finalStage(r.after);
  assert.equal(runtime.from, 'debian:bookworm-slim', 'a shell image that has apt');
  const runs = stepsOf(r.after, runtime)
    .filter((s) => s.keyword === 'RUN')
    .map((s) => s.args);
  assert.ok(
    runs.some((a) => /apt-get install -y --no-install-recommends curl jq\b/.test(a)),
    runs.join('\n'),
  );
  assert.ok(!runs.some((a) => /\bgcc\b/.test(a)), 'the compiler stays behind');
  // the message's "≈ X MB on debian:bookworm-slim" includes curl and jq: more than the bare base
  const base = lookupBaseImage('debian:bookworm-slim');
  const on = /≈ (\d+) MB on debian:bookworm-slim/.exec(r.finding.message);
  assert.ok(base && on, r.finding.message);
  assert.ok(Number(on[1]) * 1e6 > base.bytes + 3e6, `${on[1]} MB > base ${base.bytes}`);
});

test('a start script: it comes along, and the download tools stay in case it calls them', () => {
  const text = `FROM golang:1.22-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/server .
ENTRYPOINT ["./start.sh"]
`;
  const r = rewrite(text, RULE);
  const runtime = finalStage(r.after);
  assert.equal(runtime.from, 'debian:bookworm-slim', 'apt-get runs there: Debian, not Alpine');
  const steps = stepsOf(r.after, runtime);
  assert.ok(steps.some((s) => s.keyword === 'COPY' && s.words.join(' ') === '/src/start.sh /src/start.sh'));
  assert.ok(steps.some((s) => s.keyword === 'RUN' && /install -y --no-install-recommends curl/.test(s.args)));
  assert.match(r.fix.title, /start\.sh is not read here: curl kept/);
});

test('folders the build RUN writes besides the output come along, with the owner chown gave them', () => {
  const text = `FROM golang:1.22-bookworm
WORKDIR /src
COPY . .
RUN mkdir -p /models && curl -fsSL -o /models/m.bin https://example.org/m.bin \\
    && CGO_ENABLED=0 go build -o /usr/local/bin/server . \\
    && mkdir -p /var/lib/app && useradd -r app && chown app /var/lib/app \\
    && mkdir -p /src/build && rm -rf /tmp/*
USER app
ENTRYPOINT ["/usr/local/bin/server"]
`;
  const r = rewrite(text, RULE);
  const copies = stepsOf(r.after, finalStage(r.after))
    .filter((s) => s.keyword === 'COPY')
    .map((s) => s.words.join(' '));
  assert.ok(copies.includes('/models /models'), copies.join('\n'));
  assert.ok(copies.includes('/var/lib/app /var/lib/app'));
  assert.ok(copies.includes('/etc/passwd /etc/group /etc/'), 'the user chown names exists in the runtime');
  assert.ok(!copies.some((c) => c.startsWith('/src/build') || c.startsWith('/tmp')), 'build folders stay behind');
  assert.match(r.text, /COPY --from=build --chown=app \/var\/lib\/app \/var\/lib\/app/);
});

test('a setup RUN (user with a home, folders, owners) is run again in the runtime stage before the copies', () => {
  const text = `FROM golang:1.22-bookworm
RUN useradd -m app && mkdir -p /data && chown -R app /data
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /usr/local/bin/server .
USER app
ENTRYPOINT ["/usr/local/bin/server"]
`;
  const r = rewrite(text, RULE);
  const steps = stepsOf(r.after, finalStage(r.after));
  const setup = steps.findIndex((s) => s.keyword === 'RUN' && /useradd -m app && mkdir -p \/data/.test(s.args));
  const copy = steps.findIndex((s) => s.keyword === 'COPY');
  assert.ok(setup > 0 && setup < copy, r.text);
  assert.equal(finalStage(r.after).from, 'debian:bookworm-slim', 'useradd needs the Debian tools');
});

test('declined, with the reason, when a build RUN may write what the image needs (a model download)', () => {
  const text = `FROM python:3.12
RUN apt-get update && apt-get install -y build-essential && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt && python -c "from transformers import pipeline; pipeline('x')"
COPY . .
CMD ["python", "serve.py"]
`;
  const f = findingOf(analyze(text), RULE);
  assert.ok(f);
  assert.equal(f.fixes.length, 0);
  assert.match(f.message, /no rewrite is offered: line 5 runs `python -c .*may write files the image needs/);
});

test('Python programs of the project run after a --prefix install find the packages (PATH, PYTHONPATH)', () => {
  const text = `FROM python:3.12
RUN apt-get update && apt-get install -y build-essential libpq-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir -r requirements.txt && python manage.py collectstatic --noinput
CMD ["gunicorn", "app.wsgi"]
`;
  const r = rewrite(text, RULE);
  const builder = r.after.model.stages[0];
  const env = stepsOf(r.after, builder).find((s) => s.keyword === 'ENV');
  assert.ok(env, r.text);
  assert.match(env.args, /PATH=\/install\/bin:\$PATH/);
  assert.match(env.args, /PYTHONPATH=\/install\/lib\/python3\.12\/site-packages/);
  assert.ok(env.line < stepsOf(r.after, builder).find((s) => /pip install --prefix/.test(s.args))!.line);
  // without the version in the tag, the site-packages folder is unknown: declined
  const f = findingOf(analyze(text.replace('FROM python:3.12', 'FROM python:3')), RULE);
  assert.ok(f && f.fixes.length === 0);
  assert.match(f.message, /Python version .* is not in the tag/);
});

test('the program the build made is no unread script: the download tool of the build stays behind', () => {
  const text = `FROM golang:1.22-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /bin/server .
ENTRYPOINT ["/bin/server"]
`;
  const r = rewrite(text, RULE);
  assert.doesNotMatch(r.fix.title, /not read here/);
  assert.equal(finalStage(r.after).from, 'gcr.io/distroless/static-debian12', 'no packages, no shell needed');
});
