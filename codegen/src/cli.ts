import { readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { Command, CommanderError, Option } from "commander";
import type { CatalogSpec, Layer } from "@ws-errors/core";
import { bundledNames, resolveCatalog } from "./catalogs";
import { catalogLabel, diffAgainstHead, owningPackage, repoRoot, writeChangeset } from "./changes";
import { loadConfig } from "./config";
import { catalogWarnings } from "./warnings";
import { diffCatalogs, diffTable, maxBump, type Bump, type CatalogDiff } from "./diff";
import { decodeInput } from "./decode";
import { generateDocs } from "./generate/docs";
import { generateOnce, printProblems, type CliIo } from "./generate-and-write";
import { initProject } from "./init";
import { loadCatalogFile } from "./load";
import { resolveProject, type Project } from "./project";

export type { CliIo } from "./generate-and-write";

const VERSION = (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;

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
 * `process.exit`. In a project, every command reads `ws-errors.config.json` (or the `wsErrors`
 * field of package.json), which `ws-errors init` creates.
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
    .version(VERSION, "-v, --version")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError();

  program
    .command("init")
    .description("Create ws-errors.config.json and a commented starter catalog in this folder.")
    .option("--name <name>", "the catalog's name (default: from package.json, else my-api)")
    .option("--out <dir>", "folder for the generated TypeScript", "src/ws-errors")
    .action((options: { name?: string; out: string }) => {
      exitCode = initProject(io, options);
    });

  program
    .command("generate")
    .description("Generate TypeScript modules and reference pages from the catalogs of ws-errors.config.json (or --catalog and --out).")
    .option("--catalog <file|dir...>", "catalog files or folders (instead of the config's)")
    .option("--out <dir>", "folder for the generated TypeScript (instead of the config's)")
    .option("--docs-out <dir>", "folder for the reference pages (default: the config's docs, or <out>/docs with --out)")
    .option("--check", "change nothing; list stale generated files and exit 1 if any")
    .option("--watch", "regenerate on every catalog save")
    .option("--changeset", "also write a changeset for the catalogs that changed since the last commit")
    .action(async (options: { catalog?: string[]; out?: string; docsOut?: string; check?: boolean; watch?: boolean; changeset?: boolean }) => {
      const project = projectOr(options, "generate", io);
      if (!project) return void (exitCode = 2);
      if (project.files.length === 0) {
        io.stderr("ws-errors generate: no catalog files found\n");
        exitCode = 2;
        return;
      }
      if (options.watch) {
        const { watchCatalogs } = await import("./watch");
        exitCode = await watchCatalogs(project, io);
        return;
      }
      exitCode = generateOnce(project, options.check === true, io);
      if (exitCode === 0 && options.changeset && !options.check) exitCode = changesets(project, io);
    });

  program
    .command("diff")
    .description("Classify every change between two versions of a catalog for semver; exit 1 when any is breaking, 2 when there is nothing to compare with.")
    .argument("[old]", "the earlier catalog file; alone, a catalog compared with its last committed version; none: every catalog of the config")
    .argument("[new]", "the later catalog file")
    .option("--json", "print JSON instead of a table")
    .action((oldFile: string | undefined, newFile: string | undefined, options: { json?: boolean }) => {
      const diffs: CatalogDiff[] = [];
      if (oldFile !== undefined && newFile !== undefined) {
        const before = loadCatalogFile(resolveIn(io.cwd, oldFile));
        const after = loadCatalogFile(resolveIn(io.cwd, newFile));
        const problems = [...(before.ok ? [] : before.problems), ...(after.ok ? [] : after.problems)];
        if (!before.ok || !after.ok) return void ((exitCode = 2), printProblems(problems, io));
        diffs.push(diffCatalogs(before.spec, after.spec));
      } else {
        const files = oldFile !== undefined ? [resolveIn(io.cwd, oldFile)] : projectOr({}, "diff", io)?.files;
        if (!files) return void (exitCode = 2);
        for (const file of files) {
          const result = diffAgainstHead(file);
          if ("problems" in result) return void ((exitCode = 2), printProblems(result.problems, io));
          if ("missing" in result) return void ((exitCode = 2), io.stderr(`ws-errors diff: ${result.missing}\n`));
          diffs.push(result.diff);
        }
      }
      io.stdout(options.json ? `${JSON.stringify(diffs.length === 1 ? diffs[0] : diffs, null, 2)}\n` : diffs.map((d) => diffTable(d)).join("\n"));
      exitCode = diffs.some((d) => d.bump === "major") ? 1 : 0;
    });

  program
    .command("changeset")
    .description("Write .changeset/ws-errors-<catalog>.md for every catalog changed since the last commit, with the computed bump.")
    .option("--catalog <file|dir...>", "catalog files or folders (default: the config's)")
    .option("--out <dir>", "where the generated code lives, to find the package to bump (default: the config's)")
    .action((options: { catalog?: string[]; out?: string }) => {
      const project = projectOr(options, "changeset", io);
      if (!project) return void (exitCode = 2);
      exitCode = changesets(project, io);
    });

  program
    .command("lint")
    .description("Check catalogs; print every problem as file:line:col message.")
    .argument("[files...]", "catalog files (default: the project's, from its config)")
    .action((given: string[]) => {
      let files = given;
      if (files.length === 0) {
        const project = resolveProject({}, io.cwd, "lint");
        if ("error" in project) {
          io.stderr(`${project.error}\n`);
          return void (exitCode = 2);
        }
        files = [...project.files];
      }
      let problems = 0;
      for (const file of files) {
        const result = loadCatalogFile(resolveIn(io.cwd, file));
        if (!result.ok) {
          problems += result.problems.length;
          printProblems(result.problems, io);
        } else {
          for (const warning of catalogWarnings(result.spec)) io.stderr(`${file}: warning: ${warning}\n`);
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
    .requiredOption("--catalog <name|file>", `a catalog of the config, a bundled catalog (${bundledNames().join(", ")}) or a catalog file`)
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
    .command("import")
    .description(
      "Draft a catalog from an API's error documentation (Markdown, HTML or AsyncAPI): its error tables, example frames and prose become entries, every inference marked for review.",
    )
    .argument("[file]", "the docs page, or - (or nothing) to read standard input")
    .option("--name <name>", "the catalog's name (default: from the file name)")
    .addOption(new Option("--format <format>", "the page's format (default: read from the page)").choices(["markdown", "html", "asyncapi"]))
    .option("--out <file>", "write the draft there instead of standard output (- for standard output)")
    .option("--force", "overwrite --out if it exists")
    .action(async (file: string | undefined, options: { name?: string; out?: string; force?: boolean; format?: "markdown" | "html" | "asyncapi" }) => {
      const { existsSync, mkdirSync, writeFileSync } = await import("node:fs");
      const { dirname, resolve } = await import("node:path");
      const source = file === undefined || file === "-" ? await io.stdin() : readFileSync(resolve(io.cwd, file), "utf8");
      const fromFile = file === undefined || file === "-" ? undefined : basename(file).replace(/\.[^.]*$/, "");
      const { importDocs, kebab } = await import("./import/draft");
      const out = options.out === "-" ? undefined : options.out;
      const name = kebab(options.name ?? fromFile ?? out?.replace(/^.*\//, "").replace(/\.ya?ml$/, "") ?? "my-api");
      const { formatOf } = await import("./import/read");
      const format = options.format ?? formatOf(source);
      let draft: ReturnType<typeof importDocs>;
      try {
        draft = importDocs(source, { name: /^[a-z]/.test(name) ? name : `api-${name}`, format });
      } catch (error) {
        const label = { markdown: "Markdown", html: "HTML", asyncapi: "AsyncAPI" }[format];
        io.stderr(
          `ws-errors import: ${file && file !== "-" ? file : "standard input"} is not a readable ${label} document: ${(error as Error).message.split("\n")[0]}\n`,
        );
        exitCode = 1;
        return;
      }
      if (draft.entries === 0) {
        io.stderr("ws-errors import: no error table found (a table with a code, HTTP status or close code column, or an AsyncAPI error message)\n");
        exitCode = 1;
        return;
      }
      if (out) {
        const target = resolve(io.cwd, out);
        if (existsSync(target) && !options.force) {
          io.stderr(`ws-errors import: ${out} exists; pass --force to overwrite it\n`);
          exitCode = 1;
          return;
        }
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, draft.yaml);
      } else io.stdout(draft.yaml);
      io.stderr(
        `ws-errors import: ${draft.entries} entries${out ? ` written to ${out}` : ""}; ${draft.review} lines to review (# review:)${draft.problems.length > 0 ? `; lint still finds ${draft.problems.length} problems, listed at the end` : "; lints clean"}\n`,
      );
    });

  program
    .command("docs")
    .description("Print a catalog's Markdown reference page; with no --catalog, write the page of every configured catalog to the docs folder.")
    .option("--catalog <name|file>", "a catalog of the config, a bundled catalog or a catalog file")
    .action((options: { catalog?: string }) => {
      if (options.catalog === undefined) {
        const project = projectOr({}, "docs", io);
        if (!project) return void (exitCode = 2);
        exitCode = generateOnce({ ...project, only: "docs" }, false, io);
        return;
      }
      const file = configCatalog(options.catalog, io.cwd) ?? resolveCatalog(options.catalog, io.cwd);
      const spec = loadNamed(file ?? options.catalog, io);
      if (!spec || !file) {
        exitCode = 1;
        return;
      }
      const config = loadConfig(io.cwd);
      const where = config && !("error" in config) ? { regenerate: "npx ws-errors generate", importPath: config.importPath } : undefined;
      io.stdout(generateDocs(spec, basename(file), where));
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

function projectOr(flags: { catalog?: string[]; out?: string; docsOut?: string }, command: string, io: CliIo): Project | undefined {
  const project = resolveProject(flags, io.cwd, command);
  if ("error" in project) {
    io.stderr(`${project.error}\n`);
    return undefined;
  }
  return project;
}

/** A catalog of the project's config, by file name stem (`my-api` for `catalogs/my-api.yaml`). */
function configCatalog(name: string, cwd: string): string | undefined {
  const config = loadConfig(cwd);
  if (!config || "error" in config) return undefined;
  const project = resolveProject({}, cwd, "docs");
  if ("error" in project) return undefined;
  return project.files.find((file) => basename(file).replace(/\.(ya?ml|json)$/, "") === name);
}

/** Writes one changeset per changed catalog, for the package that holds the generated code. */
function changesets(project: Project, io: CliIo): number {
  const owner = owningPackage(project.dirs.code);
  if (!owner) {
    io.stderr(`ws-errors changeset: no package.json above ${project.dirs.code}\n`);
    return 2;
  }
  let overall: Bump | undefined;
  for (const file of project.files) {
    const result = diffAgainstHead(file);
    if ("problems" in result) {
      printProblems(result.problems, io);
      return 1;
    }
    if ("missing" in result) {
      io.stderr(`ws-errors changeset: ${result.missing}\n`);
      return 2;
    }
    const root = repoRoot(file) ?? io.cwd;
    const written = writeChangeset(result.diff, owner.name, root, catalogLabel(file, root));
    overall = maxBump(overall, result.diff.bump);
    if (written)
      io.stdout(
        `${relative(io.cwd, written) || written}: ${owner.name} ${result.diff.bump} (${result.diff.changes.length} change${result.diff.changes.length === 1 ? "" : "s"} in ${result.diff.catalog})\n`,
      );
  }
  if (overall === undefined) io.stdout("ws-errors changeset: no catalog changed since the last commit\n");
  return 0;
}

function loadNamed(value: string, io: CliIo): CatalogSpec | undefined {
  const file = configCatalog(value, io.cwd) ?? resolveCatalog(value, io.cwd);
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
