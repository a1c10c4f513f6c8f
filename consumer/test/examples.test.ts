import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { Lexer, type Token, type Tokens } from "marked";
import ts from "typescript";
import { describe, expect, it } from "vitest";

/*
 * Every TypeScript example a user may copy compiles: each ```ts block of the READMEs and each
 * `@example` in the packages' JSDoc (generated modules included), typechecked as a strict user
 * project against the built packages. Examples are fragments, so names they use without importing
 * are imported from the package that exports them (ours first, then rxjs, ws and Node's), and any
 * other free name (`key`, `http`) is declared `any`: what is checked is that every call, option and
 * event an example shows exists with the types it shows. A README block marked
 * `<!-- example: not typescript -->` is skipped (the five-minute blocks run in consumer.test.ts).
 */
const ROOT = join(import.meta.dirname, "..", "..");
const HERE = join(import.meta.dirname, "..");
const SOURCES = [
  "packages/core/src",
  "packages/server/src",
  "packages/node/src",
  "packages/rxjs/src",
  "packages/nestjs/src",
  "packages/redis/src",
  "codegen/src",
];
const READMES = [
  "README.md",
  "packages/core/README.md",
  "packages/server/README.md",
  "packages/node/README.md",
  "packages/rxjs/README.md",
  "packages/nestjs/README.md",
  "packages/redis/README.md",
  "codegen/README.md",
];
/* Where a free name is looked for, in order. */
const MODULES = [
  "@ws-errors/core",
  "@ws-errors/node",
  "@ws-errors/server",
  "@ws-errors/server/bun",
  "@ws-errors/server/deno",
  "@ws-errors/rxjs",
  "@ws-errors/nestjs",
  "@ws-errors/redis",
  "@ws-errors/codegen",
  "@ws-errors/core/catalogs/collective2",
  "@ws-errors/core/catalogs/esca-rates",
  "rxjs",
  "ws",
  "node:http",
  "node:events",
  "vitest",
];

interface Example {
  /** Where it is, for the failure message: `packages/node/src/server.ts:120`. */
  readonly where: string;
  readonly code: string;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return /\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

/** The TypeScript blocks of every README, read by a Markdown parser; a marker before a block skips it. */
function readmeExamples(): Example[] {
  return READMES.flatMap((file) => {
    const text = readFileSync(join(ROOT, file), "utf8");
    const out: Example[] = [];
    let skip = false;
    const walk = (tokens: Token[]) => {
      for (const token of tokens) {
        if (token.type === "html") skip = /<!-- (example: not typescript|consumer-test:)/.test(token.raw);
        else if (token.type === "code") {
          const code = token as Tokens.Code;
          if (!skip && /^(ts|typescript)$/.test(code.lang ?? ""))
            out.push({ where: `${file}:${text.slice(0, text.indexOf(code.raw)).split("\n").length}`, code: code.text });
          skip = false;
        } else if (token.type !== "space") skip = false;
        if ("tokens" in token && Array.isArray(token.tokens) && token.type !== "code") walk(token.tokens);
      }
    };
    walk(new Lexer().lex(text));
    return out;
  });
}

/** Each `@example` of the packages' sources, read from the JSDoc by TypeScript's own parser. */
function jsdocExamples(): Example[] {
  return SOURCES.flatMap((dir) => files(join(ROOT, dir))).flatMap((file) => {
    const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const out: Example[] = [];
    const visit = (node: ts.Node) => {
      for (const tag of ts.getJSDocTags(node)) {
        if (tag.tagName.text !== "example" || out.some((e) => e.where.endsWith(`:${source.getLineAndCharacterOfPosition(tag.pos).line + 1}`))) continue;
        const comment = ts.getTextOfJSDocComment(tag.comment) ?? "";
        const block = /```(?:ts|typescript)\n([\s\S]*?)```/.exec(comment);
        if (block) out.push({ where: `${relative(ROOT, file)}:${source.getLineAndCharacterOfPosition(tag.pos).line + 1}`, code: block[1] as string });
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    return out;
  });
}

const OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ["lib.es2022.d.ts", "lib.dom.d.ts"],
  types: ["node"],
  skipLibCheck: true,
  experimentalDecorators: true,
  emitDecoratorMetadata: true,
  // Examples are fragments: a name shown once (a variable set up elsewhere) is not an error.
  noUnusedLocals: false,
};

/** Compiles the files in memory (beside this package, so its node_modules resolve), returning the diagnostics per file. */
function compile(sources: ReadonlyMap<string, string>): ts.Program {
  const host = ts.createCompilerHost(OPTIONS);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (path) => sources.get(path) ?? readFile(path);
  host.fileExists = (path) => sources.has(path) || fileExists(path);
  host.getSourceFile = (path, version, onError, create) => {
    const text = sources.get(path);
    return text === undefined ? getSourceFile(path, version, onError, create) : ts.createSourceFile(path, text, version, true);
  };
  return ts.createProgram([...sources.keys()], OPTIONS, host);
}

/** Which module exports each name, from the compiler's own view of the packages. */
function exporters(): Map<string, string> {
  const probe = join(HERE, "examples-probe.ts");
  const program = compile(new Map([[probe, MODULES.map((m, i) => `import * as m${i} from "${m}";`).join("\n")]]));
  const checker = program.getTypeChecker();
  const found = new Map<string, string>();
  const source = program.getSourceFile(probe) as ts.SourceFile;
  source.statements.forEach((statement, i) => {
    const specifier = (statement as ts.ImportDeclaration).moduleSpecifier;
    const symbol = checker.getSymbolAtLocation(specifier);
    if (!symbol) throw new Error(`${MODULES[i]} does not resolve from ${HERE}: is it built and installed?`);
    for (const exported of checker.getExportsOfModule(symbol)) if (!found.has(exported.name)) found.set(exported.name, MODULES[i] as string);
  });
  return found;
}

/* "Cannot find name" (and its did-you-mean, install-the-types (Bun, Deno) and shorthand-property forms), "cannot find namespace". */
const CANNOT_FIND = new Set([2304, 2552, 2582, 2593, 2867, 2868, 18004, 2503]);
/* Implicit any: only ever a parameter of a callback passed to a name declared `any` above. */
const IMPLICIT_ANY = new Set([7005, 7006, 7031, 7034]);

/** Each example as a module, with imports for the free names it uses and `any` for the rest. */
function check(examples: readonly Example[]): string[] {
  const names = exporters();
  const path = (i: number) => join(HERE, `example-${i}.ts`);
  const wrap = (code: string, free: readonly string[]) => {
    const imports = new Map<string, string[]>();
    const declared: string[] = [];
    for (const name of free) {
      if (name === "core") {
        imports.set("* as core", []);
        continue;
      }
      const from = names.get(name);
      if (from) imports.set(from, [...(imports.get(from) ?? []), name]);
      else declared.push(name);
    }
    const prelude = [
      ...[...imports].map(([from, list]) =>
        from === "* as core" ? `import * as core from "@ws-errors/core";` : `import { ${list.join(", ")} } from "${from}";`,
      ),
      ...declared.map((n) => `declare const ${n}: any;`),
    ];
    // A module of its own (each example may reuse a name another declares), async for top-level await.
    return `${prelude.join(" ")}${prelude.length ? " " : ""}export {};\n${code}`;
  };
  const first = compile(new Map(examples.map((e, i) => [path(i), wrap(e.code, [])])));
  const free = examples.map((_, i) => {
    const diagnostics = ts.getPreEmitDiagnostics(first, first.getSourceFile(path(i)));
    return [
      ...new Set(
        diagnostics.filter((d) => CANNOT_FIND.has(d.code)).map((d) => /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, "\n"))?.[1] as string),
      ),
    ];
  });
  const sources = new Map(examples.map((e, i) => [path(i), wrap(e.code, free[i] as string[])]));
  const second = compile(sources);
  return examples.flatMap((example, i) => {
    const file = second.getSourceFile(path(i)) as ts.SourceFile;
    return ts
      .getPreEmitDiagnostics(second, file)
      .filter((d) => !IMPLICIT_ANY.has(d.code))
      .map((d) => {
        const line = d.start === undefined ? 0 : file.getLineAndCharacterOfPosition(d.start).line;
        return `${example.where} (example line ${line}): TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, " ")}\n    ${example.code.split("\n")[line - 1]?.trim() ?? ""}`;
      });
  });
}

describe("every example a user may copy", () => {
  const readme = readmeExamples();
  const jsdoc = jsdocExamples();

  it("finds the examples: READMEs' TypeScript blocks and the packages' @example tags", () => {
    expect(readme.length).toBeGreaterThan(10);
    expect(jsdoc.length).toBeGreaterThan(50);
  });

  it("compiles as written in a strict project, against the built packages", () => {
    expect(check([...readme, ...jsdoc])).toEqual([]);
  });
});
