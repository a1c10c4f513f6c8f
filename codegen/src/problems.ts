/** One thing wrong with a catalog, located in its file. */
export interface Problem {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly col: number;
  /** Where in the catalog, e.g. `errors[3].close.code`. */
  readonly path: string;
  readonly message: string;
}

/** `file:line:col message`, the form editors and terminals turn into links. */
export function formatProblem(problem: Problem): string {
  const where = problem.path ? `${problem.path}: ` : "";
  return `${problem.file}:${problem.line}:${problem.col} ${where}${problem.message}`;
}

export type Segment = string | number;

export function formatPath(segments: readonly Segment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out;
}

/** Thrown by the CLI layer for problems that must reach the user as text, never as a stack. */
export class CatalogError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map(formatProblem).join("\n"));
    this.name = "CatalogError";
  }
}
