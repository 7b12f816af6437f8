// smaller-base-candidate
//
// What: the final stage starts FROM an image that has an official smaller variant (-slim, -alpine, a JRE
// instead of a JDK) and is not already slim, alpine, distroless or scratch. ARGs in FROM are resolved first.
// Why: the base is usually most of an image: node:24 is ≈ 1.2 GB, node:24-slim ≈ 234 MB, node:24-alpine
// ≈ 171 MB (docker-library repo-info); every pull, push and cold start pays for it.
// Fix: change the tag. Slim keeps Debian and glibc and is offered first where Alpine is risky; going to
// Alpine also rewrites apt-get installs into apk adds (common packages mapped), and the title warns where
// musl vs glibc matters (Python wheels, native Node modules, glibc-linked binaries; not for files a web server
// serves). When the stage compiles native code with the full image's compilers (pip packages without wheels such as
// psycopg2 or mysqlclient, native npm addons, gems with extensions), Alpine is not offered (the message says why)
// and the -slim title names the compiler and -dev packages to add. Each fix title and the message give the saving
// in MB from the base-image size table.

import type { DockerfileModel, Fix, Stage, TextEdit } from '../model';
import { findBuild } from '../buildPlan';
import {
  aptToApkEdits,
  fromEdit,
  dotnetSdkCompanion,
  muslRisks,
  nativeBuilds,
  type NativeBuild,
  slimRisks,
  smallerVariants,
  translateAptToApk,
  type Variant,
} from '../rewrite/baseImage';
import { parseImageRef } from '../imageRef';
import { baseBytes, formatSaving } from '../rewrite/saving';
import { lazyFix } from '../rewrite/edits';
import type { Rule, RuleContext, RuleFinding } from './rule';

export const smallerBaseCandidate: Rule = {
  id: 'smaller-base-candidate',
  severity: 'info',
  description: "The final stage's base image has an official smaller variant (-slim, -alpine, -jre).",
  check(ctx: RuleContext): RuleFinding[] {
    const { model } = ctx;
    const stage = model.stages[model.target];
    if (!stage) return [];
    let variants = smallerVariants(stage, model);
    // a JRE cannot run the build a JDK stage does: that is multi-stage-candidate's rewrite
    const build = variants.some((v) => v.kind === 'jre') ? findBuild(model, stage) : null;
    if (build?.ecosystem === 'java') variants = variants.filter((v) => v.kind !== 'jre' && !/-jre/.test(v.image));
    // code compiled with the full image's compilers: -slim lacks them (a warning says what to install), Alpine
    // lacks them and builds for musl (not offered)
    if (variants.length === 0) return [];
    const native = nativeBuilds(model, stage, ctx.facts.context?.contents);
    const noAlpine = native.length > 0 && variants.some((v) => v.kind === 'alpine');
    if (native.length) variants = variants.filter((v) => v.kind !== 'alpine');
    if (variants.length === 0) return [];
    const current = baseBytes(stage.from);

    // fixes are built when asked for (a code action, the report): the apk rewrite touches every apt-get RUN
    const options: Option[] = [];
    for (const v of variants) {
      const edit = fromEdit(model, stage, v.written);
      if (!edit) continue;
      const next = baseBytes(v.image);
      const saving = current && next && current.bytes > next.bytes ? current.bytes - next.bytes : null;
      const saves = saving !== null ? `saves ${formatSaving(saving)}` : 'saving not in the size table';
      if (v.kind === 'alpine') {
        const option = alpineOption(model, stage, v, edit, saves);
        if (option) options.push({ ...option, saving });
      } else {
        const risks = v.kind === 'slim' ? [...nativeRisks(native), ...slimRisks(model, stage)] : [];
        const warn = risks.length ? `; ${risks.join('; ')}` : '';
        options.push({
          variant: v,
          saving,
          risky: false,
          fix: (preferred) => ({
            title: `Use ${v.image} (${saves}${warn})`,
            edits: [edit],
            ...(preferred ? { preferred } : {}),
          }),
        });
      }
    }
    if (options.length === 0) return [];
    // Alpine first only when nothing about it is risky; otherwise the glibc variants lead
    // language runtimes (node, python, ruby, Java) pull native code the Dockerfile does not show: glibc first
    const runtimeImage = /^(node|python|ruby|php|perl|eclipse-temurin|openjdk|rust|golang)$/.test(
      parseImageRef(stage.from).repository,
    );
    const alpineSafe = !runtimeImage && options.some((o) => o.variant.kind === 'alpine' && !o.risky);
    options.sort((a, b) => rank(a, alpineSafe) - rank(b, alpineSafe));
    options[0].preferred = true;
    const best = options.reduce((m, o) => ((o.saving ?? 0) > (m.saving ?? 0) ? o : m), options[0]);
    const listed = options
      .map((o) => `${o.variant.image}${o.saving !== null ? ` (${formatSaving(o.saving)} less)` : ''}`)
      .join(', ');
    const size = current ? ` (${formatSaving(current.bytes)} in the base-image table)` : '';
    const whyNoAlpine = noAlpine ? noAlpineNote(native) : '';
    return [
      {
        line: stage.line,
        endLine: stage.line,
        message: `The final stage's base ${stage.from}${size} has smaller official variants: ${listed}.${best.saving !== null ? ` Switching saves up to ${formatSaving(best.saving)}.` : ''}${whyNoAlpine}`,
        fixes: () => options.map((o) => o.fix(o.preferred === true)),
      },
    ];
  },
};

/** Why the message lists no Alpine variant. */
function noAlpineNote(native: NativeBuild[]): string {
  const what = native.map((n) => n.what).join('; ');
  return ` Alpine is not offered: the stage compiles native code (${what}) with the compilers of the full image, and Alpine builds for musl.`;
}

/** The -slim warning for native builds: what compiles, and the packages to add. */
function nativeRisks(native: NativeBuild[]): string[] {
  if (native.length === 0) return [];
  const needs = [...new Set(native.flatMap((n) => n.needs))];
  return [
    `${native.map((n) => n.what).join('; ')}: -slim has no compiler${needs.length ? `; add ${needs.join(' ')} to an apt-get install` : ''}`,
  ];
}

interface Option {
  fix: (preferred: boolean) => Fix;
  variant: Variant;
  saving: number | null;
  risky: boolean;
  preferred?: boolean;
}

/** The move to Alpine: apt-get installs become apk adds, a .NET SDK stage moves too; null when apt cannot move. */
function alpineOption(
  model: DockerfileModel,
  stage: Stage,
  v: Variant,
  edit: TextEdit,
  saves: string,
): Omit<Option, 'saving'> | null {
  const apt = translateAptToApk(model, stage);
  if (apt.blocker) return null;
  // .NET: the SDK stage that publishes the app moves to Alpine with it (its apphost is a native executable)
  const sdk = dotnetSdkCompanion(model, stage, v);
  const risks = muslRisks(model, stage, sdk?.copies);
  const warn = risks.length ? `; musl, not glibc: ${risks.join('; ')}` : '';
  const apk = apt.runs.length ? '; apt-get installs become apk add' : '';
  const also = sdk?.lines.length
    ? `; the SDK stage (line ${sdk.lines.join(', ')}) moves to Alpine too, so the app is published for musl; .NET on Alpine runs with invariant globalization (no ICU culture data) unless icu-libs is added`
    : '';
  return {
    variant: v,
    risky: risks.length > 0,
    fix: (preferred) =>
      lazyFix({ title: `Use ${v.image} (${saves}${apk}${also}${warn})`, ...(preferred ? { preferred } : {}) }, () => [
        edit,
        ...(sdk?.edits ?? []),
        ...aptToApkEdits(model, apt),
      ]),
  };
}

function rank(o: { variant: Variant; risky: boolean }, alpineSafe: boolean): number {
  if (o.variant.kind === 'alpine') return alpineSafe ? 0 : 2;
  return 1;
}
