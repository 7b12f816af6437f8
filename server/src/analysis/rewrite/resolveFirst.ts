// Explicit dependency steps for copy-before-install where the ecosystem's plain resolve command (ecosystems.ts
// resolveCommandFor) does not do: builds run through a wrapper (./mvnw, ./gradlew need the wrapper script and its
// folder), Gradle version catalogs (gradle/libs.versions.toml, read while resolving), and Cargo (cargo fetch needs a
// target: a stub src/main.rs stands in for the sources, and is removed before they arrive, so nothing built from it
// can be mistaken for the real program). Says why where no such step is safe (a Cargo workspace, a build of
// selected packages or targets).

import type { BuildContextFacts } from '../model';
import type { DependencyCommand } from '../ecosystems';
import { hasOption, operands, programOf } from '../shell';

/** The resolve command for a build no plain resolve command covers, or why there is none; null: not ours. */
export function resolveFirstCommand(dep: DependencyCommand): string | { why: string } | null {
  const cmd = dep.command;
  const program = programOf(cmd);
  const written = cmd.words[0];
  if (dep.ecosystem === 'maven' && program === 'mvnw') return `${written} -B dependency:go-offline`;
  if (dep.ecosystem === 'gradle' && program === 'gradlew') return `${written} dependencies --no-daemon`;
  if (dep.ecosystem !== 'cargo') return null;
  if (
    hasOption(cmd, '-p', '--package', '--workspace', '--all', '--manifest-path') ||
    cmd.words.some((w) => /^(-p.|--package=|--manifest-path=)/.test(w))
  )
    return {
      why: `\`${cmd.text}\` builds selected packages of a workspace: a dependency-only step needs every member's manifest (cargo-chef, or one stub per member)`,
    };
  if (operands(cmd).length > 0) return null;
  // cargo fetch only downloads: nothing compiled from the stub reaches the real build
  return `mkdir src && echo 'fn main() {}' > src/main.rs && cargo fetch && rm -r src`;
}

/**
 * Files besides the ecosystem's manifests that the resolve step reads, relative to the install folder (a name
 * ending in `/` is a folder copied whole); why none can be chosen safely; [] when nothing more is needed.
 * `files`: the context's files under that folder (relative paths), null when the context is not known.
 */
export function resolveFirstFiles(dep: DependencyCommand, files: string[] | null): string[] | { why: string } {
  const has = (f: string) => files !== null && files.includes(f);
  const under = (d: string) => files !== null && files.some((f) => f.startsWith(d + '/'));
  const program = programOf(dep.command);
  if (dep.ecosystem === 'maven') {
    // a multi-module build: go-offline resolves each module's dependencies, and one module's dependency on another
    // (not built yet) fails it ("Could not resolve dependencies ... SNAPSHOT")
    if (files !== null && files.some((f) => f.endsWith('/pom.xml') && !/(^|\/)(src|target)\//.test(f)))
      return {
        why: 'a multi-module Maven build: dependency:go-offline fails on dependencies between modules not built yet; copy every module pom.xml and resolve with a step that skips them (go-offline-maven-plugin) by hand',
      };
    if (program === 'mvnw') return files === null ? ['mvnw', '.mvn/'] : ['mvnw', ...(under('.mvn') ? ['.mvn/'] : [])];
    return [];
  }
  if (dep.ecosystem === 'gradle') {
    if (files !== null && files.some((f) => /\/(build|settings)\.gradle(\.kts)?$/.test(f)))
      return { why: 'a multi-project Gradle build: every subproject build file must be copied first' };
    const wrapper = program === 'gradlew' ? ['gradlew'] : [];
    // the wrapper needs gradle/wrapper; a version catalog in gradle/ is read while resolving
    const folder = program === 'gradlew' || under('gradle') ? ['gradle/'] : [];
    return [...wrapper, ...folder];
  }
  if (dep.ecosystem === 'cargo') {
    if (dep.kind === 'install')
      return { why: 'cargo fetch needs a target: copy Cargo.toml and Cargo.lock with a stub src/main.rs first' };
    if (files !== null && files.some((f) => f.endsWith('/Cargo.toml')))
      return { why: 'a Cargo workspace: every member Cargo.toml (and a stub per member) must be copied first' };
    return ['rust-toolchain.toml', 'rust-toolchain', '.cargo/config.toml', '.cargo/config'].filter(has);
  }
  return [];
}

/** The context's files under `dir` (a context path, '' for the root), relative to it; null when not known. */
export function filesUnder(context: BuildContextFacts | undefined, dir: string): string[] | null {
  if (!context || context.truncated || context.files.length === 0) return null;
  const prefix = dir === '' ? '' : dir + '/';
  return context.files.filter((f) => f.path.startsWith(prefix)).map((f) => f.path.slice(prefix.length));
}
