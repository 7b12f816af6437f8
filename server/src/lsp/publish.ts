// When a document is analysed and its diagnostics are sent, and what happens when the analysis throws.
//
// - Only the latest version: when an edit is handled while a newer edit of the same document has already been read
//   (gate.ts), nothing is analysed or sent for it; a burst of 10,000 edits is analysed once, for its last version.
//   A sweep every SWEEP_MS publishes what is left pending: at once when no newer edit is on its way any more (an
//   edit whose successor never reached the document), and at most every MAX_STALE_MS during a long burst, so the
//   editor still sees progress without the server analysing more often than that.
// - Once per version: a version whose entry was sent already is not sent again (new facts or settings make a new
//   entry, and it is sent).
// - Guarded: an analysis that throws gives that version no results (empty diagnostics, no hover) and one log
//   line; the same version is not analysed again, and the other documents are served as usual.

import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { IncomingMessages } from './gate';
import { describe } from './guard';
import type { AnalysisStore, Entry } from './store';

export const SWEEP_MS = 250;
export const MAX_STALE_MS = 2000;

export interface PublishHost {
  store: AnalysisStore;
  incoming: IncomingMessages;
  document(uri: string): TextDocument | undefined;
  /** Sends the diagnostics (and annotations) of this version; entry undefined: its analysis failed. */
  send(doc: TextDocument, entry: Entry | undefined): void;
  log(text: string): void;
}

export class Publisher {
  /** What was last sent per document (entry undefined: the empty result of a failed analysis). */
  private readonly sent = new Map<string, { version: number; entry: Entry | undefined }>();
  /** The version whose analysis threw, per document. */
  private readonly failed = new Map<string, number>();
  /** Documents whose publish was put off for a newer edit, and since when. */
  private readonly pending = new Map<string, number>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(private readonly host: PublishHost) {}

  /** The analysis of the document's current version, or undefined when it threw. */
  current(doc: TextDocument): Entry | undefined {
    if (this.failed.get(doc.uri) === doc.version) return undefined;
    try {
      return this.host.store.get(doc.uri, doc.version, () => doc.getText());
    } catch (err) {
      this.failed.set(doc.uri, doc.version);
      this.host.log(
        `the analysis of ${doc.uri} (version ${doc.version}) failed; it shows no results until the next edit: ${describe(err)}`,
      );
      return undefined;
    }
  }

  /**
   * For a request on the document: its current version, brought up to date first (an edit may not be published yet).
   */
  entryFor(uri: string): Entry | undefined {
    const doc = this.host.document(uri);
    if (!doc) return undefined;
    return this.current(doc);
  }

  /** Publishes the document now, unless a newer edit of it is already on its way. */
  request(doc: TextDocument): void {
    if (this.host.incoming.newerChangeQueued(doc.uri, doc.version)) {
      if (!this.pending.has(doc.uri)) this.pending.set(doc.uri, Date.now());
      this.sweep ??= setTimeout(() => this.flush(), SWEEP_MS);
      return;
    }
    this.publish(doc);
  }

  /** Settings changed: every version may analyse differently now. */
  reset(): void {
    this.failed.clear();
  }

  closed(uri: string): void {
    this.sent.delete(uri);
    this.failed.delete(uri);
    this.pending.delete(uri);
  }

  private flush(): void {
    this.sweep = undefined;
    const now = Date.now();
    for (const [uri, since] of [...this.pending]) {
      const doc = this.host.document(uri);
      if (!doc) this.pending.delete(uri);
      else if (!this.host.incoming.newerChangeQueued(uri, doc.version) || now - since >= MAX_STALE_MS)
        this.publish(doc);
    }
    if (this.pending.size > 0) this.sweep = setTimeout(() => this.flush(), SWEEP_MS);
  }

  private publish(doc: TextDocument): void {
    this.pending.delete(doc.uri);
    const entry = this.current(doc);
    const last = this.sent.get(doc.uri);
    if (last && last.version === doc.version && last.entry === entry) return;
    this.sent.set(doc.uri, { version: doc.version, entry });
    this.host.send(doc, entry);
  }
}
