// rewrite/resolveFirst.ts through copy-before-install: wrapper builds (./mvnw, ./gradlew) copy the wrapper with the
// manifests, Gradle copies its gradle/ folder (version catalog), Cargo fetches with a stub target; workspaces get no
// fix and the finding says why.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, context, df, findings } from '../fixes';

const RULE = 'copy-before-install';

test('./mvnw: mvnw and .mvn/ are copied with pom.xml; without .mvn in the context only mvnw', () => {
  const text = df('FROM eclipse-temurin:21-jdk', 'WORKDIR /build', 'COPY . .', 'RUN ./mvnw -B package -DskipTests');
  const withWrapper = context(['pom.xml', 'mvnw', '.mvn/wrapper/maven-wrapper.properties', 'src/main/java/A.java']);
  assert.equal(
    applyFix(text, RULE, { context: withWrapper }).fixed,
    df(
      'FROM eclipse-temurin:21-jdk',
      'WORKDIR /build',
      'COPY pom.xml mvnw ./',
      'COPY .mvn .mvn/',
      'RUN ./mvnw -B dependency:go-offline',
      'COPY . .',
      'RUN ./mvnw -B package -DskipTests',
    ),
  );
  const bare = applyFix(text, RULE, { context: context(['pom.xml', 'mvnw', 'src/main/java/A.java']) }).fixed;
  assert.ok(bare.includes('COPY pom.xml mvnw ./\nRUN ./mvnw -B dependency:go-offline\n'), bare);
});

test('./gradlew with the context unknown: gradlew and the gradle/ folder (wrapper, catalog) come along', () => {
  assert.equal(
    applyFix(df('FROM eclipse-temurin:21-jdk', 'WORKDIR /src', 'COPY . .', 'RUN ./gradlew bootJar --no-daemon'), RULE)
      .fixed,
    df(
      'FROM eclipse-temurin:21-jdk',
      'WORKDIR /src',
      'COPY build.gradle* settings.gradle* gradlew ./',
      'COPY gradle gradle/',
      'RUN ./gradlew dependencies --no-daemon',
      'COPY . .',
      'RUN ./gradlew bootJar --no-daemon',
    ),
  );
});

test('a multi-project Gradle build gets no fix and says why', () => {
  const f = findings(df('FROM gradle:8-jdk21', 'WORKDIR /p', 'COPY . .', 'RUN gradle build --no-daemon'), RULE, {
    context: context(['settings.gradle', 'build.gradle', 'app/build.gradle', 'app/src/Main.java']),
  });
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
  assert.match(f[0].message, /No quick fix: a multi-project Gradle build/);
});

test('cargo: toolchain files are copied with the manifests; workspaces and -p builds get no fix, with the reason', () => {
  const text = df('FROM rust:1.79', 'WORKDIR /app', 'COPY . .', 'RUN cargo build --release --locked');
  const fixed = applyFix(
    text,
    RULE,
    {
      context: context(['Cargo.toml', 'Cargo.lock', 'rust-toolchain.toml', 'src/main.rs']),
    },
    { otherRulesMayChange: true },
  ).fixed; // removed-in-later-layer misreads the stub's rm (issue 16 item 5)
  assert.ok(fixed.includes('COPY Cargo.toml Cargo.lock rust-toolchain.toml ./\n'), fixed);
  const ws = findings(text, RULE, {
    context: context(['Cargo.toml', 'Cargo.lock', 'crates/core/Cargo.toml', 'crates/core/src/lib.rs']),
  });
  assert.equal(ws[0].fixes.length, 0);
  assert.match(ws[0].message, /No quick fix: a Cargo workspace/);
  const p = findings(df('FROM rust:1.79', 'WORKDIR /app', 'COPY . .', 'RUN cargo build --release -p server'), RULE);
  assert.equal(p[0].fixes.length, 0);
  assert.match(p[0].message, /builds selected packages of a workspace/);
  const fetch = findings(df('FROM rust:1.79', 'WORKDIR /app', 'COPY . .', 'RUN cargo fetch'), RULE);
  assert.equal(fetch[0].fixes.length, 0);
  assert.match(fetch[0].message, /cargo fetch needs a target/);
});

test('a multi-module Maven build (module pom.xml files in the context) gets no resolve step, and says why', () => {
  const text = df('FROM maven:3.9-eclipse-temurin-17', 'WORKDIR /build', 'COPY . .', 'RUN mvn -q -DskipTests package');
  const f = findings(text, 'copy-before-install', {
    context: context([
      'pom.xml',
      'api/pom.xml',
      'api/src/main/java/A.java',
      'core/pom.xml',
      'core/src/main/java/B.java',
    ]),
  });
  assert.equal(f.length, 1);
  assert.equal(f[0].fixes.length, 0);
  assert.match(f[0].message, /No quick fix: a multi-module Maven build/);
  // a single module (a pom.xml under src/test is test data, not a module) keeps its fix
  const single = findings(text, 'copy-before-install', {
    context: context(['pom.xml', 'src/main/java/A.java', 'src/test/resources/it/pom.xml']),
  });
  assert.equal(single[0].fixes.length, 1);
});
