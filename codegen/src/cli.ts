import { join, relative } from "node:path";
import { Command, CommanderError, Option } from "commander";
import type { CatalogSpec, Layer } from "@ws-errors/core";
import { bundledNames, expandCatalogs, findCorePackage, resolveCatalog } from "./catalogs";
import { catalogLabel, diffAgainstHead, owningPackage, repoRoot, writeChangeset } from "./changes";
import { diffCatalogs, diffTable, maxBump, type Bump, type CatalogDiff } from "./diff";
import { decodeInput } from "./decode";
import { generate } from "./generate/index";
import { generateDocs } from "./generate/docs";
import { loadCatalogFile } from "./load";
import { formatProblem, type Problem } from "./problems";
import { staleFiles, writeFiles, type OutputDirs } from "./write";

/** Where the CLI reads and writes; tests pass their own. */
export interface CliIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly stdin: () => Promise<string>;
}

const defaultIo: CliIo = {
  cwd: process.cwd(),
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  },
};

/**
 * Runs the `ws-errors` command line and resolves with the exit code; only the bin calls
 * `process.exit`.
 *
 * @example
 * ```ts
 * const code = await runCli(["generate", "--check"]);
 * ```
 */
export async function runCli(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let exitCode = 0;
  const program = new Command("ws-errors")
    .description("Generate typed WebSocket errors from a catalog, check it, and decode what arrives on the wire.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  program
    .command("generate")
    .description("Generate TypeScript modules and reference pages from catalogs (default: every bundled catalog into packages/core).")
    .option("--catalog <file|dir...>", "catalog files or folders")
    .option("--out <dir>", "folder for the generated TypeScript (default: packages/core/src/generated)")
    .option("--docs-out <dir>", "folder for the reference pages (default: packages/core/docs, or <out>/docs with --out)")
    .option("--check", "change nothing; list stale generated files and exit 1 if any")
    .option("--watch", "regenerate on every catalog save")
    .option("--changeset", "also write a changeset for the catalogs that changed since the last commit")
    .action(async (options: { catalog?: string[]; out?: string; docsOut?: string; check?: boolean; watch?: boolean; changeset?: boolean }) => {
      const dirs = outputDirs(options, io);
      if (!dirs) {
        io.stderr("ws-errors generate: no --out given and no packages/core found above this folder\n");
        exitCode = 2;
        return;
      }
      const files = expandCatalogs(options.catalog, io.cwd);
      if (files.length === 0) {
        io.stderr("ws-errors generate: no catalog files found\n");
        exitCode = 2;
        return;
      }
      const prune = options.catalog === undefined;
      if (options.watch) {
        const { watchCatalogs } = await import("./watch");
        exitCode = await watchCatalogs(files, dirs, prune, io);
        return;
      }
      exitCode = generateOnce(files, dirs, prune, options.check === true, io);
      if (exitCode === 0 && options.changeset && !options.check) exitCode = changesets(files, dirs, io);
    });

  program
    .command("diff")
    .description("Classify every change between two versions of a catalog for semver; exit 1 when any is breaking.")
    .argument("<old>", "the earlier catalog file (or, alone, a catalog compared with its last committed version)")
    .argument("[new]", "the later catalog file")
    .option("--json", "print JSON instead of a table")
    .action((oldFile: string, newFile: string | undefined, options: { json?: boolean }) => {
      let diff: CatalogDiff;
      if (newFile === undefined) {
        const result = diffAgainstHead(resolveIn(io.cwd, oldFile));
        if ("problems" in result) return void ((exitCode = 2), printProblems(result.problems, io));
        diff = result.diff;
      } else {
        const before = loadCatalogFile(resolveIn(io.cwd, oldFile));
        const after = loadCatalogFile(resolveIn(io.cwd, newFile));
        const problems = [...(before.ok ? [] : before.problems), ...(after.ok ? [] : after.problems)];
        if (!before.ok || !after.ok) return void ((exitCode = 2), printProblems(problems, io));
        diff = diffCatalogs(before.spec, after.spec);
      }
      io.stdout(options.json ? `${JSON.stringify(diff, null, 2)}\n` : diffTable(diff));
      exitCode = diff.bump === "major" ? 1 : 0;
    });

  program
    .command("changeset")
    .description("Write .changeset/ws-errors-<catalog>.md for every catalog changed since the last commit, with the computed bump.")
    .option("--catalog <file|dir...>", "catalog files or folders (default: the bundled catalogs)")
    .option("--out <dir>", "where the generated code lives, to find the package to bump (default: packages/core/src/generated)")
    .action((options: { catalog?: string[]; out?: string }) => {
      const dirs = outputDirs(options, io);
      if (!dirs) {
        io.stderr("ws-errors changeset: no --out given and no packages/core found above this folder\n");
        exitCode = 2;
        return;
      }
      exitCode = changesets(expandCatalogs(options.catalog, io.cwd), dirs, io);
    });

  program
    .command("lint")
    .description("Check catalogs; print every problem as file:line:col message.")
    .argument("<files...>", "catalog files")
    .action((files: string[]) => {
      let problems = 0;
      for (const file of files) {
        const result = loadCatalogFile(resolveIn(io.cwd, file));
        if (!result.ok) {
          problems += result.problems.length;
          printProblems(result.problems, io);
        }
      }
      if (problems > 0) {
        io.stderr(`${problems} problem${problems === 1 ? "" : "s"}\n`);
        exitCode = 1;
      } else {
        io.stdout(`${files.length} catalog${files.length === 1 ? "" : "s"} OK\n`);
      }
    });

  program
    .command("decode")
    .description("Print, as JSON, what a frame, close or upgrade response means in a catalog.")
    .requiredOption("--catalog <name|file>", `a bundled catalog (${bundledNames().join(", ")}) or a catalog file`)
    .addOption(new Option("--layer <layer>", "which layer the input comes from").choices(["frame", "close", "upgrade"]).default("frame"))
    .argument("[input]", "the input as JSON text, or - (or nothing) to read standard input")
    .action(async (input: string | undefined, options: { catalog: string; layer: Layer }) => {
      const spec = loadNamed(options.catalog, io);
      if (!spec) {
        exitCode = 1;
        return;
      }
      const text = input === undefined || input === "-" ? await io.stdin() : input;
      const outcome = decodeInput(spec, options.layer, text.trim());
      if (!outcome.ok) {
        io.stderr(`ws-errors decode: ${outcome.message}\n`);
        exitCode = 1;
        return;
      }
      io.stdout(`${JSON.stringify(outcome.output, null, 2)}\n`);
    });

  program
    .command("export")
    .description("Export a catalog in another format.")
    .argument("<catalog>", "a bundled catalog name or a catalog file")
    .requiredOption("--asyncapi", "as an AsyncAPI 3.0 document")
    .addOption(new Option("--format <format>", "output format").choices(["yaml", "json"]).default("yaml"))
    .action(async (catalog: string, options: { format: "yaml" | "json" }) => {
      const spec = loadNamed(catalog, io);
      if (!spec) {
        exitCode = 1;
        return;
      }
      const { toAsyncApi } = await import("./asyncapi");
      const document = toAsyncApi(spec);
      if (options.format === "json") io.stdout(`${JSON.stringify(document, null, 2)}\n`);
      else io.stdout((await import("yaml")).stringify(document, { lineWidth: 0 }));
    });

  program
    .command("docs")
    .description("Print a catalog's Markdown reference page.")
    .requiredOption("--catalog <name|file>", "a bundled catalog or a catalog file")
    .action((options: { catalog: string }) => {
      const file = resolveCatalog(options.catalog, io.cwd);
      const spec = loadNamed(options.catalog, io);
      if (!spec || !file) {
        exitCode = 1;
        return;
      }
      io.stdout(generateDocs(spec, file.split("/").pop() as string));
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    io.stderr(`ws-errors: ${(error as Error).message}\n`);
    return 1;
  }
  return exitCode;
}

function resolveIn(cwd: string, file: string): string {
  return file.startsWith("/") ? file : join(cwd, file);
}

function outputDirs(options: { out?: string; docsOut?: string }, io: CliIo): OutputDirs | undefined {
  if (options.out) {
    const code = resolveIn(io.cwd, options.out);
    return { code, docs: options.docsOut ? resolveIn(io.cwd, options.docsOut) : join(code, "docs") };
  }
  const core = findCorePackage(io.cwd);
  if (!core) return undefined;
  return { code: join(core, "src", "generated"), docs: options.docsOut ? resolveIn(io.cwd, options.docsOut) : join(core, "docs") };
}

/** Loads every catalog; generates and writes only when all are valid. */
export function generateOnce(files: readonly string[], dirs: OutputDirs, prune: boolean, check: boolean, io: CliIo): number {
  const loaded: { spec: CatalogSpec; file: string }[] = [];
  const problems: Problem[] = [];
  for (const file of files) {
    const result = loadCatalogFile(file);
    if (result.ok) loaded.push({ spec: result.spec, file });
    else problems.push(...result.problems);
  }
  if (problems.length > 0) {
    printProblems(problems, io);
    io.stderr(`ws-errors generate: ${problems.length} problem${problems.length === 1 ? "" : "s"}; nothing was written\n`);
    return 1;
  }
  const outputs = generate(loaded);
  if (check) {
    const stale = staleFiles(outputs, dirs, prune);
    if (stale.length === 0) {
      io.stdout(`ws-errors generate --check: ${outputs.length} files up to date\n`);
      return 0;
    }
    for (const path of stale) io.stderr(`stale: ${relative(io.cwd, path)}\n`);
    io.stderr(`ws-errors generate --check: ${stale.length} stale file${stale.length === 1 ? "" : "s"}; run \`pnpm ws-errors generate\`\n`);
    return 1;
  }
  const report = writeFiles(outputs, dirs, prune);
  io.stdout(`ws-errors generate: ${report.written.length} written, ${report.unchanged.length} unchanged${report.removed.length ? `, ${report.removed.length} removed` : ""}\n`);
  for (const path of [...report.written, ...report.removed]) io.stdout(`  ${relative(io.cwd, path)}\n`);
  return 0;
}

/** Writes one changeset per changed catalog, for the package that holds the generated code. */
function changesets(files: readonly string[], dirs: OutputDirs, io: CliIo): number {
  const owner = owningPackage(dirs.code);
  if (!owner) {
    io.stderr(`ws-errors changeset: no package.json above ${dirs.code}\n`);
    return 2;
  }
  let overall: Bump | undefined;
  for (const file of files) {
    const result = diffAgainstHead(file);
    if ("problems" in result) {
      printProblems(result.problems, io);
      return 1;
    }
    const root = repoRoot(file) ?? io.cwd;
    const written = writeChangeset(result.diff, owner.name, root, catalogLabel(file, root));
    overall = maxBump(overall, result.diff.bump);
    if (written) io.stdout(`${relative(io.cwd, written) || written}: ${owner.name} ${result.diff.bump} (${result.diff.changes.length} change${result.diff.changes.length === 1 ? "" : "s"} in ${result.diff.catalog})\n`);
  }
  if (overall === undefined) io.stdout("ws-errors changeset: no catalog changed since the last commit\n");
  return 0;
}

function loadNamed(value: string, io: CliIo): CatalogSpec | undefined {
  const file = resolveCatalog(value, io.cwd);
  if (!file) {
    io.stderr(`ws-errors: no catalog file or bundled catalog named "${value}" (bundled: ${bundledNames().join(", ")})\n`);
    return undefined;
  }
  const result = loadCatalogFile(file);
  if (!result.ok) {
    printProblems(result.problems, io);
    return undefined;
  }
  return result.spec;
}

function printProblems(problems: readonly Problem[], io: CliIo): void {
  for (const problem of problems) io.stderr(`${formatProblem({ ...problem, file: relative(io.cwd, problem.file) || problem.file })}\n`);
}

