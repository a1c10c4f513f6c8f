import { relative } from "node:path";
import type { CatalogSpec } from "@ws-errors/core";
import { generate } from "./generate/index";
import { loadCatalogFile } from "./load";
import { formatProblem, type Problem } from "./problems";
import type { Project } from "./project";
import { staleFiles, writeFiles } from "./write";

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => Promise<string>;
}

/** Loads every catalog; generates and writes only when all are valid (or, with `check`, lists what is stale). */
export function generateOnce(project: Project, check: boolean, io: CliIo): number {
  const loaded: { spec: CatalogSpec; file: string }[] = [];
  const problems: Problem[] = [];
  for (const file of project.files) {
    const result = loadCatalogFile(file);
    if (result.ok) loaded.push({ spec: result.spec, file });
    else problems.push(...result.problems);
  }
  if (problems.length > 0) {
    printProblems(problems, io);
    io.stderr(`ws-errors generate: ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was written\n`);
    return 1;
  }
  const outputs = generate(loaded, project.where).filter((file) => project.only === undefined || file.kind === project.only);
  const prune = project.prune && project.only === undefined;
  if (check) {
    const stale = staleFiles(outputs, project.dirs, prune);
    if (stale.length === 0) {
      io.stdout(`ws-errors generate --check: ${outputs.length} files up to date\n`);
      return 0;
    }
    for (const path of stale) io.stderr(`stale: ${relative(io.cwd, path)}\n`);
    io.stderr(`ws-errors generate --check: ${stale.length} stale file${stale.length === 1 ? "" : "s"}; run \`${project.where.regenerate}\`\n`);
    return 1;
  }
  const report = writeFiles(outputs, project.dirs, prune);
  io.stdout(
    `ws-errors generate: ${report.written.length} written, ${report.unchanged.length} unchanged${report.removed.length ? `, ${report.removed.length} removed` : ""}\n`,
  );
  for (const path of [...report.written, ...report.removed]) io.stdout(`  ${relative(io.cwd, path)}\n`);
  return 0;
}

export function printProblems(problems: readonly Problem[], io: CliIo): void {
  for (const problem of problems) io.stderr(`${formatProblem({ ...problem, file: relative(io.cwd, problem.file) || problem.file })}\n`);
}
