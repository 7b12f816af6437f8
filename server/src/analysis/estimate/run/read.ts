// What a RUN step's commands install and clean, read from its text alone (the package-manager commands are read by
// ../packages.ts): the apt-get, apk, npm/yarn/pnpm and pip parts each estimator sizes, and the programs whose
// writes no estimator sizes.

import type { Step } from '../../model';
import { memoPerStep } from '../../reuse';
import { commandsOf } from '../../shell';
import {
  cleansNpmCache,
  isAptUpdate,
  readApkAdd,
  readApkDel,
  readAptInstall,
  readNodeInstall,
  readPipInstall,
  removesApkCache,
  removesAptLists,
} from '../packages';

/** Commands that write (almost) nothing to the filesystem. */
const QUIET = new Set([
  'echo',
  'printf',
  'true',
  'false',
  'set',
  'export',
  'cd',
  'test',
  '[',
  'mkdir',
  'ln',
  'sleep',
  'which',
  'command',
  'exit',
  'env',
  'id',
  'whoami',
  'ls',
  'cat',
  'pwd',
  'uname',
  'node',
  'python',
  'python3',
  'java',
  'go',
  'dotnet',
  'useradd',
  'adduser',
  'groupadd',
  'addgroup',
  'usermod',
  'chmod',
  'chown',
  'rm',
  'apt-get',
  'apt',
  'apk',
  'update-ca-certificates',
  'ldconfig',
  'dpkg-reconfigure',
  'locale-gen',
  'sed',
  'grep',
  'touch',
  'rmdir',
  'unset',
  'source',
  '.',
  'if',
  'then',
  'else',
  'fi',
  'for',
  'do',
  'done',
  'while',
]);

/** What a RUN's commands install and clean, read from its text alone: once per Step object (reuse.ts). */
export const readRun = memoPerStep((step: Step) => {
  const cmds = commandsOf(step);
  const hasCacheMount = (target: RegExp) =>
    step.flags.some((f) => f.name === 'mount' && /type=cache/.test(f.value ?? '') && target.test(f.value ?? ''));
  const writers: string[] = [];
  for (const cmd of cmds) {
    const head = (cmd.words[0] ?? '').replace(/^.*\//, '');
    if (QUIET.has(head) || readNodeInstall(cmd) || readPipInstall(cmd)) continue;
    if ((head === 'npm' || head === 'yarn' || head === 'pnpm') && /^(cache|config|set)$/.test(cmd.words[1] ?? ''))
      continue;
    writers.push(head || cmd.text);
  }
  return {
    aptInstalls: cmds.map(readAptInstall).filter((x): x is NonNullable<typeof x> => x !== null),
    aptUpdate: cmds.some(isAptUpdate),
    listsRemoved: cmds.some(removesAptLists),
    listsInCacheMount: hasCacheMount(/\/var\/lib\/apt/),
    apkAdds: cmds.map(readApkAdd).filter((x): x is NonNullable<typeof x> => x !== null),
    apkDels: new Set(cmds.flatMap((c) => readApkDel(c) ?? [])),
    apkCacheRemoved: cmds.some(removesApkCache) || hasCacheMount(/\/var\/cache\/apk/),
    nodeInstalls: cmds.map(readNodeInstall).filter((x): x is NonNullable<typeof x> => x !== null),
    nodeProduction: /NODE_ENV=production/.test(step.command),
    npmCacheCleaned: cmds.some(cleansNpmCache) || hasCacheMount(/\.npm|yarn|pnpm/),
    pipInstalls: cmds.map(readPipInstall).filter((x): x is NonNullable<typeof x> => x !== null),
    pipNoCache: /PIP_NO_CACHE_DIR/.test(step.command) || hasCacheMount(/\.cache\/pip/),
    /** Programs whose writes are not estimated. */
    writers,
  };
});

/** A RUN step's commands as the estimators read them. */
export type RunCommands = ReturnType<typeof readRun>;

/** What one estimator makes of a RUN's commands: the bytes they add, or null with the reason in `text`. */
export interface Estimate {
  bytes: number | null;
  text: string;
}
