import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * As a user gets ws-errors: every publishable package packed, installed with npm into a scratch
 * project outside the workspace, and used the way the README says, with the TypeScript this
 * repository uses and the newest one npm serves.
 */
const ROOT = join(import.meta.dirname, "..", "..");
const FIXTURES = join(import.meta.dirname, "fixtures");
const PACKAGES = ["packages/core", "packages/server", "packages/node", "packages/rxjs", "packages/nestjs", "packages/redis", "codegen"];
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const run = promisify(execFile);

let scratch: string;
let project: string;
const tarballs = new Map<string, string>();
const processes: ChildProcess[] = [];

/** A command in the scratch project, as a user's shell runs it; output kept for the failure message. */
async function sh(command: string, cwd = project): Promise<string> {
  try {
    const { stdout } = await run("bash", ["-c", command], {
      cwd,
      env: { ...process.env, npm_config_fund: "false", npm_config_audit: "false", npm_config_update_notifier: "false" },
      maxBuffer: 64 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`\`${command}\` failed in ${cwd}:\n${e.stdout ?? ""}\n${e.stderr ?? e.message}`);
  }
}

/** The README's "five minutes" blocks, in order, with what each is for. */
function readmeBlocks(): { kind: string; arg: string; body: string }[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  return [...readme.matchAll(/<!-- consumer-test: (\w+)(?: ([^\s]+))? -->\n```\w*\n([\s\S]*?)```/g)].map((m) => ({
    kind: m[1] as string,
    arg: m[2] ?? "",
    body: m[3] as string,
  }));
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createNetServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "ws-errors-consumer-"));
  project = join(scratch, "prices");
  mkdirSync(project);
  const packs = join(scratch, "tarballs");
  mkdirSync(packs);
  for (const dir of PACKAGES) {
    const out = execFileSync("pnpm", ["pack", "--pack-destination", packs], { cwd: join(ROOT, dir), encoding: "utf8" });
    const file = out.trim().split("\n").pop() as string;
    const name = (JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { name: string }).name;
    tarballs.set(name, file.startsWith("/") ? file : join(packs, file));
  }
});

/** An `npm install` line with the @ws-errors/* packages its @ws-errors/* packages depend on, transitively. */
function withInternalDependencies(line: string): string {
  if (!/^npm (install|i) /.test(line)) return line;
  const named = new Set(line.match(/@ws-errors\/[a-z-]+/g) ?? []);
  const added = new Set<string>();
  const visit = (name: string) => {
    const dir = PACKAGES.find((d) => (JSON.parse(readFileSync(join(ROOT, d, "package.json"), "utf8")) as { name: string }).name === name);
    if (!dir) return;
    const manifest = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      if (!dep.startsWith("@ws-errors/") || named.has(dep) || added.has(dep)) continue;
      added.add(dep);
      visit(dep);
    }
  };
  for (const name of named) visit(name);
  return [line, ...added].join(" ");
}

/* Servers run under npx and tsx, which start processes of their own (esbuild's service): each is
   started in a process group of its own, and the whole group is stopped. */
function stopGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

function serve(file: string): ChildProcess {
  const child = spawn("npx", ["tsx", file], { cwd: project, stdio: ["ignore", "pipe", "pipe"], detached: true });
  processes.push(child);
  return child;
}

afterAll(() => {
  for (const child of processes) stopGroup(child);
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

describe("the packed packages, as npm installs them", () => {
  it("every tarball carries its README and LICENSE and no workspace: ranges; versions are coherent", () => {
    for (const [name, tarball] of tarballs) {
      const files = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
      expect(files, name).toContain("package/README.md");
      expect(files, name).toContain("package/LICENSE");
      const manifest = JSON.parse(execFileSync("tar", ["-xzOf", tarball, "package/package.json"], { encoding: "utf8" })) as {
        version: string;
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      expect(JSON.stringify(manifest), name).not.toContain("workspace:");
      expect(manifest.version, name).not.toBe("0.0.0");
      // Adapters depend on the core and node packages at versions that exist.
      for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
        if (!dep.startsWith("@ws-errors/")) continue;
        const target = (
          JSON.parse(execFileSync("tar", ["-xzOf", tarballs.get(dep) as string, "package/package.json"], { encoding: "utf8" })) as { version: string }
        ).version;
        expect(range, `${name} → ${dep}`).toBe(`^${target}`);
      }
    }
  });

  it("the README's five minutes, run as written: init → edit → generate → the server throws → the client catches, typed", async () => {
    const port = await freePort();
    for (const block of readmeBlocks()) {
      if (block.kind === "shell") {
        for (const line of block.body
          .split("\n")
          .map((l) => l.replace(/\s+#.*$/, "").trim())
          .filter(Boolean)) {
          // Not published yet: each @ws-errors/* package comes from its tarball, and so do the
          // @ws-errors/* packages they depend on (npm would fetch those from the registry).
          await sh(withInternalDependencies(line).replace(/@ws-errors\/[a-z-]+/g, (name) => tarballs.get(name) ?? name));
        }
      } else if (block.kind === "append") {
        appendFileSync(join(project, block.arg), `\n${block.body}`);
      } else if (block.kind === "file") {
        writeFileSync(join(project, block.arg), block.body.replaceAll("8080", String(port)));
      } else if (block.kind === "output") {
        const server = serve("server.ts");
        await new Promise<void>((resolve, reject) => {
          let out = "";
          server.stdout?.on("data", (d: Buffer) => ((out += d.toString()), out.includes("listening") && resolve()));
          server.stderr?.on("data", (d: Buffer) => (out += d.toString()));
          server.once("exit", (code) => reject(new Error(`server.ts exited with ${code}: ${out}`)));
        });
        expect(await sh(`npx tsx ${block.arg}`)).toBe(block.body);
      }
    }
    expect(readdirSync(join(project, "src", "ws-errors"))).toEqual(["prices.reference.ts", "prices.ts"]);
    expect(readFileSync(join(project, "src", "ws-errors", "prices.ts"), "utf8")).toContain("Regenerate with `npx ws-errors generate`");
    expect(existsSync(join(project, "docs", "ws-errors", "prices.md"))).toBe(true);
    expect(await sh("npx ws-errors generate --check")).toContain("up to date");
    // The docs importer from the tarball (its Markdown parser a declared dependency): the page
    // generate wrote, imported again, is a draft that lints clean.
    await sh("npx ws-errors import docs/ws-errors/prices.md --out drafts/prices.yaml");
    expect(readFileSync(join(project, "drafts", "prices.yaml"), "utf8")).toContain("# review:");
    expect(await sh("npx ws-errors lint drafts/prices.yaml")).toContain("1 catalog OK");
    // HTML (parse5, also a declared dependency) from standard input, the draft on standard output.
    writeFileSync(
      join(project, "drafts", "errors.html"),
      "<h1>Errors</h1><table><tr><th>Code</th><th>Description</th><th>Retry</th></tr><tr><td><code>BAD_KEY</code></td><td>The API key is invalid.</td><td>No</td></tr><tr><td><code>SLOW_DOWN</code></td><td>Too many requests.</td><td>Yes, retry the request later</td></tr></table>",
    );
    await sh("npx ws-errors import - --name html-api --out - < drafts/errors.html > drafts/html-api.yaml");
    expect(readFileSync(join(project, "drafts", "html-api.yaml"), "utf8")).toContain("code: SLOW_DOWN");
    expect(await sh("npx ws-errors lint drafts/html-api.yaml")).toContain("1 catalog OK");
  });

  it("typechecks as a strict nodenext ESM project and runs a CommonJS client, with TypeScript 5.9 and the newest TypeScript", async () => {
    // ioredis 6.1 imports the untyped redis-errors in its declarations: a project that checks its
    // libraries' declarations (skipLibCheck: false, as here) needs @types/redis-errors beside it.
    await sh(
      `npm install ${[...tarballs.values()].join(" ")} rxjs@^7.8 ioredis@^6 @types/redis-errors@^1 @types/node@^20 @types/ws@^8 typescript@5.9.3 @opentelemetry/api@~1.9.1 @opentelemetry/sdk-metrics@2.12.0`,
    );
    mkdirSync(join(project, "checks"), { recursive: true });
    copyFileSync(join(FIXTURES, "extra.ts"), join(project, "checks", "extra.ts"));
    copyFileSync(join(FIXTURES, "client.cts"), join(project, "checks", "client.cts"));
    copyFileSync(join(FIXTURES, "cluster.mts"), join(project, "checks", "cluster.mts"));
    copyFileSync(join(FIXTURES, "metrics.mts"), join(project, "checks", "metrics.mts"));
    copyFileSync(join(FIXTURES, "metrics.cts"), join(project, "checks", "metrics.cts"));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            module: "nodenext",
            moduleResolution: "nodenext",
            target: "es2022",
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: ["node"],
          },
          include: ["server.ts", "client.ts", "src", "checks"],
        },
        null,
        2,
      ),
    );
    const installed = await sh("node node_modules/typescript/bin/tsc --version");
    expect(installed).toContain("5.9.3");
    await sh("node node_modules/typescript/bin/tsc -p tsconfig.json");
    // The newest TypeScript npm serves today, in a folder of its own.
    mkdirSync(join(scratch, "ts-latest"));
    await sh("npm init -y >/dev/null && npm install typescript@latest", join(scratch, "ts-latest"));
    const latest = (JSON.parse(readFileSync(join(scratch, "ts-latest", "node_modules", "typescript", "package.json"), "utf8")) as { version: string }).version;
    await sh(`npx --prefix ${join(scratch, "ts-latest")} tsc -p tsconfig.json`);
    console.log(`[consumer] typechecked with TypeScript 5.9.3 and ${latest}`);
    expect(await sh("npx tsx checks/client.cts")).toBe("cjs: unknown_symbol not-found function\n");
    // Metrics from the built packages, ESM and CommonJS, with the OpenTelemetry SDK from npm.
    expect(await sh("npx tsx checks/metrics.mts")).toBe("esm metrics: 401 auth-failed upgrade 1\n");
    expect(await sh("npx tsx checks/metrics.cts")).toBe("cjs metrics: true true true\n");
  });

  // Debian's redis-server: .ci/run installs it; elsewhere, without it, this test is skipped.
  it.skipIf(!existsSync("/usr/bin/redis-server") && !process.env.CI)(
    "two server instances share a cap and revocations on Redis, from the tarballs: a revoked key's clients read unauthorized",
    async () => {
      expect(await sh("npx tsx checks/cluster.mts")).toBe(
        "cluster: open open stopped collective2/too-many-connections upgrade; revoked: collective2/unauthorized close | collective2/unauthorized close; warnings: none\n",
      );
    },
  );

  it("a NestJS app throws the user's generated error from a gateway; an RxJS client catches it with ofType", async () => {
    await sh(
      "npm install @nestjs/common@^11 @nestjs/core@^11 @nestjs/websockets@^11 @nestjs/platform-ws@^11 @nestjs/platform-express@^11 reflect-metadata rxjs@^7.8",
    );
    mkdirSync(join(project, "nest"), { recursive: true });
    copyFileSync(join(FIXTURES, "nest-main.ts"), join(project, "nest", "main.ts"));
    writeFileSync(
      join(project, "nest", "tsconfig.json"),
      JSON.stringify(
        {
          compilerOptions: {
            module: "nodenext",
            moduleResolution: "nodenext",
            target: "es2022",
            strict: true,
            experimentalDecorators: true,
            emitDecoratorMetadata: true,
            outDir: "dist",
            rootDir: "..",
            types: ["node"],
            skipLibCheck: true,
          },
          include: ["main.ts", "../src"],
        },
        null,
        2,
      ),
    );
    await sh("node ../node_modules/typescript/bin/tsc -p tsconfig.json", join(project, "nest"));
    expect(await sh("node nest/dist/nest/main.js")).toBe("nest: ChannelNotFoundError not_found btc-usd true\n");
  });

  it.skipIf(!existsSync(CHROMIUM) && !process.env.CI)(
    "an esbuild browser bundle of the RxJS adapter and the user's catalog runs in Chromium, with nothing from Node",
    async () => {
      await sh("npm install esbuild@^0.25");
      copyFileSync(join(FIXTURES, "browser-entry.ts"), join(project, "checks", "browser-entry.ts"));
      await sh("npx esbuild checks/browser-entry.ts --bundle --format=esm --platform=browser --minify --outfile=browser/app.js --metafile=browser/meta.json");
      const meta = JSON.parse(readFileSync(join(project, "browser", "meta.json"), "utf8")) as { inputs: Record<string, unknown> };
      expect(Object.keys(meta.inputs).filter((input) => /node_modules\/(ws|ioredis)\/|^node:/.test(input))).toEqual([]);
      // The README's server again, on a port of its own.
      const port = await freePort();
      writeFileSync(join(project, "server-port.ts"), readFileSync(join(project, "server.ts"), "utf8").replace(/http\.listen\(\d+/, `http.listen(${port}`));
      const wsServer = serve("server-port.ts");
      await new Promise<void>((resolve) => wsServer.stdout?.on("data", (d: Buffer) => d.toString().includes("listening") && resolve()));
      const script = readFileSync(join(project, "browser", "app.js"), "utf8");
      const page: Server = createHttpServer((req, res) => {
        if (req.url === "/app.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(script);
        res.writeHead(200, { "content-type": "text/html" }).end('<!doctype html><script type="module" src="/app.js"></script>');
      });
      await new Promise<void>((r) => page.listen(0, "127.0.0.1", r));
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
        ],
      });
      try {
        const tab = await browser.newPage();
        await tab.goto(`http://127.0.0.1:${(page.address() as { port: number }).port}/`);
        await tab.waitForFunction(() => typeof (globalThis as { run?: unknown }).run === "function");
        const result = await tab.evaluate((url) => (globalThis as unknown as { run(u: string): Promise<string> }).run(url), `ws://127.0.0.1:${port}`);
        expect(result).toBe("browser: ChannelNotFoundError not_found btc-usd function");
      } finally {
        await browser.close();
        page.close();
        stopGroup(wsServer);
      }
    },
  );
});
