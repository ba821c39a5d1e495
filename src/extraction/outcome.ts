// What crosses the thread boundary: plain data only (an Error's class does not survive structured clone),
// so a refusal travels as a code and a message and becomes an AppError again on the pool's side.

export interface ExtractedText {
  text: string;
  /** Pages of a paginated format (PDF); null for formats that have none. */
  pages: number | null;
  words: number;
  language: string;
  /** What PostgreSQL's parser cannot find words in (CJK), cut for the search index: search-tokens.ts. */
  searchTokens: string;
}

/** Why a file's content cannot become a document. */
export interface ExtractionRefusal {
  refused: true;
  code: 'FILE_TYPE_INVALID';
  message: string;
}

export type ExtractionOutcome = ({ refused: false } & ExtractedText) | ExtractionRefusal;

/** The last message on a job's progress port: everything sent before it has arrived. */
export const PROGRESS_END = 'end';

/** Sent on the task's progress port: `done` of `total` parts (pages, or the steps of a one-piece format). */
export interface ExtractionProgress {
  done: number;
  total: number;
  unit: 'page' | 'step';
}

/** Thrown by a parser for content it cannot read; the thread entry turns it into an ExtractionRefusal. */
export class UnreadableContent extends Error {
  override name = 'UnreadableContent';
}
