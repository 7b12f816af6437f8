import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../server/src/analysis/analyze';
import { findBuild } from '../../../server/src/analysis/buildPlan';
import type { Analysis } from '../../../server/src/analysis/model';
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
