import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { CONFIG_FILE, loadConfig, type LoadedConfig } from "./config";
import type { CliIo } from "./generate-and-write";

/**
 * `ws-errors init`: writes `ws-errors.config.json` and a commented starter catalog; in a project
 * with a config already, adds the catalog to it. Never replaces a file. Returns the exit code.
 */
export function initProject(io: CliIo, options: { name?: string; out: string }): number {
  const name = options.name ?? packageName(io.cwd) ?? "my-api";
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    io.stderr(`ws-errors init: "${name}" cannot name a catalog: use lowercase letters, digits and dashes, starting with a letter (--name my-api)\n`);
    return 2;
  }
  const found = loadConfig(io.cwd);
  if (found && "error" in found) {
    io.stderr(`ws-errors init: ${found.error}\n`);
    return 2;
  }
  if (found) return addCatalog(io, found, name);
  const configPath = join(io.cwd, CONFIG_FILE);
  const catalogPath = join(io.cwd, "catalogs", `${name}.yaml`);
  if (existsSync(catalogPath)) {
    io.stderr(`ws-errors init: ${relative(io.cwd, catalogPath)} already exists; nothing was written\n`);
    return 2;
  }
  mkdirSync(join(io.cwd, "catalogs"), { recursive: true });
  writeFileSync(catalogPath, starterCatalog(name));
  writeFileSync(configPath, `${JSON.stringify({ catalogs: ["catalogs"], out: options.out, docs: "docs/ws-errors" }, null, 2)}\n`);
  io.stdout(next(`wrote ${CONFIG_FILE} and catalogs/${name}.yaml`, `catalogs/${name}.yaml`, name, `./${options.out.replace(/^\.\//, "")}/${name}.js`));
  return 0;
}

function next(wrote: string, catalog: string, name: string, importPath: string): string {
  return [
    `ws-errors init: ${wrote}`,
    "",
    "Next:",
    `  1. describe your API's errors in ${catalog} (your editor completes it from the schema)`,
    "  2. npx ws-errors generate",
    `  3. import { ${camel(name)} } from "${importPath}" on both ends of the socket`,
    "",
  ].join("\n");
}

/**
 * A project that has a config already gets one more catalog: in the first catalog folder the
 * config lists, or beside the config and added to its list (a JSON config, or package.json's
 * `wsErrors`; a config in code is the user's to edit, and init says what to add).
 */
function addCatalog(io: CliIo, config: LoadedConfig, name: string): number {
  const folder = config.catalogs.find((p) => existsSync(p) && statSync(p).isDirectory());
  const catalogPath = folder ? join(folder, `${name}.yaml`) : join(config.dir, "catalogs", `${name}.yaml`);
  const shown = relative(io.cwd, catalogPath) || catalogPath;
  if (existsSync(catalogPath)) {
    io.stderr(`ws-errors init: ${shown} already exists; nothing was written (--name picks another name)\n`);
    return 2;
  }
  const listed = relative(config.dir, catalogPath).split("\\").join("/");
  let edit: (() => void) | undefined;
  if (!folder) {
    if (config.file.endsWith(".cjs")) {
      io.stderr(
        `ws-errors init: ${relative(io.cwd, config.file)} is code, which init does not edit: add "${listed}" to its catalogs, or make a catalogs folder it lists; nothing was written\n`,
      );
      return 2;
    }
    const text = readFileSync(config.file, "utf8");
    const json = JSON.parse(text) as Record<string, unknown> & { wsErrors?: { catalogs: string[] }; catalogs?: string[] };
    const target = config.file.endsWith("package.json") ? (json.wsErrors as { catalogs: string[] }) : (json as { catalogs: string[] });
    target.catalogs = [...target.catalogs, listed];
    // The file's own indentation is kept: package.json is the user's, formatted their way.
    const indent = /^[ \t]+/m.exec(text)?.[0] ?? "  ";
    edit = () => writeFileSync(config.file, `${JSON.stringify(json, null, indent)}\n`);
  }
  mkdirSync(dirname(catalogPath), { recursive: true });
  writeFileSync(catalogPath, starterCatalog(name, relative(dirname(catalogPath), config.dir).split("\\").join("/")));
  edit?.();
  const wrote = edit ? `wrote ${shown} and added it to ${relative(io.cwd, config.file) || config.file}` : `wrote ${shown}`;
  io.stdout(next(wrote, shown, name, config.importPath(name)));
  return 0;
}

function packageName(cwd: string): string | undefined {
  try {
    const name = (JSON.parse(readFileSync(join(cwd, "package.json"), "utf8")) as { name?: string }).name;
    const bare = name
      ?.replace(/^@[^/]+\//, "")
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^[^a-z]+/, "");
    return bare || undefined;
  } catch {
    return undefined;
  }
}

const camel = (name: string) => name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** A small, valid catalog that shows each layer once, with comments that say what to change. */
export function starterCatalog(name: string, root = ".."): string {
  return `# yaml-language-server: $schema=${root === "" ? "." : root}/node_modules/@ws-errors/codegen/schema/catalog.schema.json
# The error catalog of your WebSocket API: one entry per error, on every layer it appears on.
# After editing, run \`npx ws-errors generate\`; \`npx ws-errors lint catalogs/${name}.yaml\` checks it.
name: ${name}
title: ${name} WebSocket API
version: "1"

# How your API's frames look. This starter assumes JSON messages such as
#   client → server  {"type": "subscribe", "id": 7, "channel": "prices"}
#   server → client  {"type": "error", "id": 7, "code": "not_found", "message": "...", "details": {...}}
dialect:
  requests: { command: type, requestId: id }   # where a client message names its command and id
  frames:
    - name: error
      scope: both                 # connection-wide errors and answers to one command alike
      match:
        - { path: type, equals: error }
      code: code
      message: message
      requestId: id
      details: details           # typed detail fields travel in a "details" object
      constant: { type: error }
  upgrade:                        # the HTTP answer when a connection is refused before the upgrade
    header: X-WS-Error
    code: code
    message: message

# Every entry: a stable id, the code on the wire, one canonical kind, and what a client should do
# next (stop, retry-later, reconnect, resume, refresh-credentials, free-connection, reauthenticate,
# resubscribe).
errors:
  - id: unauthorized
    code: unauthorized
    kind: unauthenticated
    scope: connection
    summary: Missing or invalid API key.
    message: Invalid API key
    retry: { directive: stop }
    upgrade: { status: 401, header: Invalid API key }
    browserFallback: { code: 4401, reason: Invalid API key }   # browsers never see the 401

  - id: rate-limit-exceeded
    code: rate_limited
    kind: rate-limited
    scope: both
    summary: Too many messages or connection attempts.
    message: Slow down
    retry: { directive: retry-later, delay: { header: Retry-After } }
    frame: true
    upgrade: { status: 429 }

  - id: channel-not-found
    code: not_found
    kind: not-found
    scope: command
    summary: The channel does not exist.
    retry: { directive: stop }
    details:
      channel: { type: string, summary: The channel that was asked for. }
    frame: true

  - id: bad-message
    code: bad_message
    kind: invalid-message
    scope: both
    summary: The message is not JSON, or names no known type.
    retry: { directive: stop }
    frame: true

  - id: server-fault
    code: internal
    kind: internal
    scope: connection
    summary: Something failed on the server; nothing about it is sent.
    retry: { directive: reconnect }
    frame: true
    upgrade: { status: 500 }

  - id: server-restarting
    code: restarting
    kind: service-unavailable
    scope: connection
    summary: The server is restarting; reconnect shortly.
    retry: { directive: reconnect }
    close: { code: 1012, reason: Server restarting }
`;
}
