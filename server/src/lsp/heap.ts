// The garbage collector's settings for the language server process (not for `layer-insight analyze`, which runs once
// and exits).
//
// The server lives as long as the editor and re-analyses a document on every change. V8's defaults suit a burst of
// work: the young generation grows to 2 x 16 MB as soon as much survives (opening a large file is enough, and it
// never shrinks back while edits keep coming), and the old generation may grow to about three times what is live
// before it is collected. On a 5,000-line Dockerfile that is ~25 MB live held in a heap of ~100 MB. Two flags:
// - the young generation keeps its starting size (2 x 1 MB): objects that outlive two short scavenges move to the old
//   generation, which is collected anyway;
// - the old generation is collected when it reaches 1.3 x what was live after the last full collection.
// Measured with `npm run bench` on big5000 (README, Performance): peak RSS ~150 MB -> ~95 MB, for ~10 ms more per
// edit (more frequent, smaller collections). Both flags are read by V8 at each collection, so setting them at start
// up takes effect without a command-line flag (which an editor's or a user's launch command would have to carry).

import { setFlagsFromString } from 'node:v8';

export const SERVER_HEAP_FLAGS: readonly string[] = ['--semi-space-growth-factor=1', '--heap-growing-percent=30'];

export function tuneServerHeap(): void {
  for (const flag of SERVER_HEAP_FLAGS) setFlagsFromString(flag);
}
