// The rule registry. Each rule lives in its own file; add it here.

import { addWhereCopyFits } from './add-where-copy-fits';
import { apkNoCache } from './apk-no-cache';
import { aptListsNotRemoved } from './apt-lists-not-removed';
import { aptNoInstallRecommends } from './apt-no-install-recommends';
import { aptUpdateAlone } from './apt-update-alone';
import { copyBeforeInstall } from './copy-before-install';
import { buildContextMismatch } from './build-context-mismatch';
import { chownAfterCopy } from './chown-after-copy';
import { copySourceMissing } from './copy-source-missing';
import { floatingBaseTag } from './floating-base-tag';
import { multiStageCandidate } from './multi-stage-candidate';
import { npmCacheLeft } from './npm-cache-left';
import { pipNoCacheDir } from './pip-no-cache-dir';
import { removedInLaterLayer } from './removed-in-later-layer';
import type { Rule } from './rule';
import { smallerBaseCandidate } from './smaller-base-candidate';

export const RULES: Rule[] = [
  // build order and cache: every stage
  copyBeforeInstall,
  aptUpdateAlone,
  floatingBaseTag,
  addWhereCopyFits,
  copySourceMissing,
  buildContextMismatch,
  // image size: stages that reach the final image
  aptNoInstallRecommends,
  aptListsNotRemoved,
  apkNoCache,
  pipNoCacheDir,
  npmCacheLeft,
  removedInLaterLayer,
  chownAfterCopy,
  // rewrites of the final stage: multi-stage build, smaller base
  multiStageCandidate,
  smallerBaseCandidate,
];
