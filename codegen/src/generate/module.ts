import {
  compileTemplate,
  isArrayForm,
  isIndex,
  usesMatching,
  usesTemplates,
  type CatalogSpec,
  type Condition,
  type DetailType,
  type EntrySpec,
  type FrameForm,
} from "@ws-errors/core";
import { createRequire } from "node:module";
import type {
  Project,
  ClassDeclarationStructure,
  FunctionDeclarationStructure,
  StatementStructures,
  TypeAliasDeclarationStructure,
  VariableStatementStructure,
} from "ts-morph";
import { BUNDLED_OUTPUT, type GenerateOptions } from "./output";
import { camel, kindClassName, directiveText, layersOf, pascal } from "./names";
import { referenceOf, runtimeSpec } from "./reference";

/* ts-morph is CommonJS: `require` skips the named-export scan Node runs when ESM imports it,
   which costs ~75 ms of the CLI's start on every run. */
const tsMorph = createRequire(import.meta.url)("ts-morph") as typeof import("ts-morph");
const { IndentationText, NewLineKind, QuoteKind, StructureKind, VariableDeclarationKind } = tsMorph;

let project: Project | undefined;

/* One in-memory project for every catalog: creating a project loads TypeScript's lib settings. */
function getProject(): Project {
  project ??= new tsMorph.Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Double, newLineKind: NewLineKind.LineFeed },
  });
  return project;
}

/* Stands in for the catalog's JSON while ts-morph prints and parses the module, so the largest
   literal of the file never goes through either. */
const SPEC_PLACEHOLDER = "__WS_ERRORS_SPEC__";

/* Top-level JSDoc goes in after ts-morph's parse too: TypeScript parses every JSDoc block, and on
   a 1000-entry catalog that was a fifth of generation time. ts-morph prints a one-line marker. */
const DOC_MARKER = "// ws-errors-doc:";

function jsDoc(text: string): string {
  const lines = text.split("\n");
  if (lines.length === 1) return `/** ${lines[0]} */\n`;
  return `/**\n${lines.map((line) => (line === "" ? " *" : ` * ${line}`)).join("\n")}\n */\n`;
}

const TS_TYPES: Record<DetailType, string> = {
  string: "string",
  integer: "number",
  number: "number",
  boolean: "boolean",
  "string[]": "readonly string[]",
  object: "Readonly<Record<string, unknown>>",
  "object[]": "readonly Readonly<Record<string, unknown>>[]",
};

/**
 * The TypeScript module of one catalog: its spec, one class per entry, guards, the union, code
 * tables and a codec with frame matchers specialized to the dialect. Built from declarative
 * structures in one batch (node-by-node manipulation is two orders of magnitude slower).
 */
export function generateModule(spec: CatalogSpec, source: string, where: Required<GenerateOptions> = BUNDLED_OUTPUT): string {
  const base = camel(spec.name);
  const union = `${pascal(spec.name)}Error`;
  const specName = `${base}Catalog`;
  const statements: (string | StatementStructures)[] = [];

  statements.push({
    kind: StructureKind.ImportDeclaration,
    namespaceImport: "core",
    moduleSpecifier: "@ws-errors/core",
  });

  statements.push({
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [
      `The normalized \`${spec.name}\` catalog (${escapeDoc(spec.title)}), version ${spec.version}, as the runtime reads it: its descriptions, guidance and notes are in \`${where.importPath(`${spec.name}.reference`)}\` (\`core.withReference\` puts them back). Kept as JSON text: V8 parses JSON faster than an object literal of the same size.`,
    ],
    declarations: [{ name: specName, type: "core.CatalogSpec", initializer: `JSON.parse(${SPEC_PLACEHOLDER})` }],
  } satisfies VariableStatementStructure);

  spec.errors.forEach((entry, index) => {
    statements.push(detailsType(entry));
    statements.push(entryClass(spec, entry, index, specName));
    statements.push(guard(spec, entry));
  });

  statements.push({
    kind: StructureKind.TypeAlias,
    isExported: true,
    name: union,
    docs: [`Every error of the \`${spec.name}\` catalog, discriminated by \`_tag\`.`],
    type: spec.errors.map((e) => e.className).join(" | "),
  } satisfies TypeAliasDeclarationStructure);
  statements.push({
    kind: StructureKind.TypeAlias,
    isExported: true,
    name: `${union}Id`,
    docs: [`The identifier of an entry of the \`${spec.name}\` catalog.`],
    type: `${union}["id"]`,
  } satisfies TypeAliasDeclarationStructure);

  statements.push({
    kind: StructureKind.Function,
    isExported: true,
    name: `is${union}`,
    docs: [
      `Whether a value is an error of the \`${spec.name}\` catalog (any entry), by tag rather than \`instanceof\`.\n\n@example\n\`\`\`ts\nif (is${union}(error)) console.log(error.id);\n\`\`\``,
    ],
    parameters: [{ name: "value", type: "unknown" }],
    returnType: `value is ${union}`,
    statements: `return core.isWsError(value) && value.catalog === ${JSON.stringify(spec.name)} && value.id !== "uncatalogued";`,
  } satisfies FunctionDeclarationStructure);

  statements.push(
    constTable(
      `${base}Classes`,
      `The classes of the \`${spec.name}\` catalog, in catalog order.`,
      `[\n${spec.errors.map((e) => `  ${e.className},`).join("\n")}\n] as const`,
    ),
  );

  const tests = spec.dialect.frames.map((form) => matcherSource(form.match));
  const specialized = tests.every((t) => t !== undefined);
  if (specialized) {
    statements.push({
      kind: StructureKind.Function,
      name: "classifyFrame",
      docs: [
        `Which error-frame form a parsed frame is, or -1 when it is not an error. The first test every frame meets, so it reads properties directly: nothing inherited from \`Object.prototype\` is a primitive, so an equality test cannot be fooled by it.\n\n${spec.dialect.frames.map((form, i) => `- ${i}: "${escapeDoc(form.name)}", when ${form.match.map(describeCondition).join(" and ")}`).join("\n")}`,
      ],
      parameters: [{ name: "value", type: "Record<string, any>" }],
      returnType: "number",
      statements: [...tests.map((test, i) => `if (${test}) return ${i};`), "return -1;"],
    } satisfies FunctionDeclarationStructure);
  }
  const successTest = spec.dialect.success ? matcherSource(spec.dialect.success.match) : undefined;
  if (successTest !== undefined) {
    statements.push({
      kind: StructureKind.Function,
      name: "isSuccessReply",
      docs: [
        `Whether a parsed frame is a success reply sharing the error frames' shape: when ${spec.dialect.success!.match.map(describeCondition).join(" and ")}.`,
      ],
      parameters: [{ name: "value", type: "Record<string, any>" }],
      returnType: "boolean",
      statements: `return ${successTest};`,
    } satisfies FunctionDeclarationStructure);
  }
  // The runtime's condition compiler only for what could not be specialized here.
  const needsConditions =
    !specialized || (spec.dialect.success !== undefined && successTest === undefined) || spec.errors.some((e) => (e.frame?.when?.length ?? 0) > 0);
  spec.dialect.frames.forEach((form, i) => {
    const read = (path: string | undefined) => (path === undefined ? "undefined" : access(path));
    statements.push({
      kind: StructureKind.Function,
      name: `readFrameForm${i}`,
      docs: [`The fields of a "${escapeDoc(form.name)}" error frame, unchecked: the codec checks each value's type before it uses it.`],
      parameters: [{ name: "value", type: "Record<string, any>" }],
      returnType: "core.internal.FrameFields",
      statements: `return { code: ${read(form.code)}, message: ${read(form.message)}, field: ${read(form.field)}, requestId: ${read(form.requestId)}, command: ${read(form.command)}, details: ${read(form.details)}, errors: ${read(form.errors)}${form.label === undefined ? "" : `, label: ${read(form.label)}`} };`,
    } satisfies FunctionDeclarationStructure);
  });

  // JSON text writers only: a text protocol's frames are written by its grammar.
  const writers = spec.dialect.frames.map((form) => (spec.dialect.grammar === "headers" ? undefined : writerSource(form)));
  spec.dialect.frames.forEach((form, i) => {
    const body = writers[i];
    if (body === undefined) return;
    statements.push({
      kind: StructureKind.Function,
      name: `writeFrameForm${i}`,
      docs: [`The JSON text of a "${escapeDoc(form.name)}" error frame: the frame \`encodeFrame\` builds, without building it.`],
      parameters: [{ name: "c", type: "core.internal.FrameWriteContext" }],
      returnType: "string",
      statements: `return ${body};`,
    } satisfies FunctionDeclarationStructure);
  });

  // Template code only in the bundles of catalogs that have templates.
  const templates = spec.errors.some((entry) => usesTemplates(entry)) ? ", templates: core.TEMPLATES" : "";
  // Matching (labels, `when`, templates, closes told apart by reason alone) likewise.
  const matching = spec.errors.some((entry) => usesMatching(entry)) ? ", matching: core.MATCHING" : "";
  // A text protocol's grammar likewise: JSON catalogs generate what they did before.
  const grammar = spec.dialect.grammar === "headers" ? ", grammar: core.HEADER_FRAMES" : "";
  const compile = `core.internal.compileCatalog<${union}>(${specName}, { classes: ${base}Classes${specialized ? ", classify: classifyFrame" : ""}${successTest !== undefined ? ", success: isSuccessReply" : ""}${needsConditions ? ", conditions: core.compileConditions" : ""}${templates}${matching}${grammar}, readers: [${spec.dialect.frames.map((_, i) => `readFrameForm${i}`).join(", ")}] })`;
  statements.push({
    kind: StructureKind.VariableStatement,
    declarationKind: VariableDeclarationKind.Const,
    docs: [`The catalog as the shared runtime compiles it, once for the decoder and the encoder.`],
    // Pure, as every call below that builds the decoder or the codec: a bundle that imports only
    // this module's error classes and guards leaves the whole decoding runtime out.
    declarations: [{ name: `${base}Compiled`, initializer: `/* @__PURE__ */ ${compile}` }],
  } satisfies VariableStatementStructure);
  if (specialized) {
    statements.push({
      kind: StructureKind.VariableStatement,
      declarationKind: VariableDeclarationKind.Const,
      docs: [`The decoder as the shared runtime builds it; \`${base}Decoder\` puts this catalog's own data-frame test in front of it.`],
      declarations: [{ name: `${base}Runtime`, initializer: `/* @__PURE__ */ core.internal.compileDecoder(${base}Compiled)` }],
    } satisfies VariableStatementStructure);
    statements.push({
      kind: StructureKind.Function,
      name: "isDataFrame",
      docs: [
        "Whether a parsed frame is data (not an error frame of this catalog): most of what a client reads ends here. Being this module's own function, its call to `classifyFrame` is one the JIT inlines; the same test inside the runtime shared by every catalog could not be.",
      ],
      parameters: [{ name: "input", type: "unknown" }],
      returnType: "boolean",
      statements: `return typeof input === "object" && input !== null && classifyFrame(input as Record<string, any>) < 0;`,
    } satisfies FunctionDeclarationStructure);
  }
  // A sequence id at the top level is read in place, as every stream message is: the runtime's
  // reader walks a path of any length.
  const sequence = spec.dialect.sequence;
  const sequenceReader =
    sequence !== undefined && sequence !== "" && !sequence.includes(".")
      ? `\n  // Read directly, as classifyFrame reads: nothing inherited from Object.prototype is a number or a string.\n  readSequence: (value) => {\n    const seq = typeof value === "object" && value !== null ? (value as Record<string, unknown>)[${JSON.stringify(sequence)}] : undefined;\n    return typeof seq === "number" || typeof seq === "string" ? seq : undefined;\n  },`
      : "";
  const decoderDoc = `Decoders of the \`${spec.name}\` catalog on all three layers, without the encoders: what a client needs (a browser bundle that imports only this carries no encoder).\n\n@example\n\`\`\`ts\nimport { ${base}Decoder } from "${where.importPath(spec.name)}";\nconst error = ${base}Decoder.decodeFrame(text);\nif (error) console.log(error.kind, error.retry.directive);\n\`\`\``;
  statements.push(
    specialized
      ? `${jsDoc(decoderDoc)}export const ${base}Decoder: core.Decoder<${union}> = /* @__PURE__ */ core.internal.specialize(${base}Runtime, {\n  isErrorFrame: (value) => typeof value === "object" && value !== null && ${spec.dialect.frames.some(isArrayForm) ? "" : "!Array.isArray(value) && "}classifyFrame(value as Record<string, any>) >= 0,\n  decodeFrame: (input) => (isDataFrame(input) ? null : ${base}Runtime.decodeFrame(input)),\n  decodeFrameErrors: (input) => (isDataFrame(input) ? core.internal.NO_ERRORS : ${base}Runtime.decodeFrameErrors(input)),${sequenceReader}\n});`
      : ({
          kind: StructureKind.VariableStatement,
          isExported: true,
          declarationKind: VariableDeclarationKind.Const,
          docs: [decoderDoc],
          declarations: [
            { name: `${base}Decoder`, type: `core.Decoder<${union}>`, initializer: `/* @__PURE__ */ core.internal.compileDecoder(${base}Compiled)` },
          ],
        } satisfies VariableStatementStructure),
  );
  const codecDoc = `Decoders and encoders of the \`${spec.name}\` catalog on all three layers: what a server needs.\n\n@example\n\`\`\`ts\nimport { ${base} } from "${where.importPath(spec.name)}";\nconst error = ${base}.decodeFrame(text);\nif (error) console.log(error.kind, error.retry.directive);\n\`\`\``;
  statements.push({
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [codecDoc],
    // Pure: a bundle that imports only the decoder leaves the encoders (and the frame writers) out.
    declarations: [
      {
        name: base,
        type: `core.Codec<${union}>`,
        initializer: `/* @__PURE__ */ core.withEncoder(${base}Decoder, ${base}Compiled, [${writers.map((w, i) => (w === undefined ? "undefined" : `writeFrameForm${i}`)).join(", ")}])`,
      },
    ],
  } satisfies VariableStatementStructure);

  const docs: string[] = [];
  for (const statement of statements) {
    if (typeof statement === "string" || !("docs" in statement) || !statement.docs?.length) continue;
    docs.push(jsDoc(statement.docs[0] as string));
    statement.leadingTrivia = `${DOC_MARKER}${docs.length - 1}\n`;
    delete statement.docs;
  }
  const file = getProject().createSourceFile(`${spec.name}.ts`, { statements }, { overwrite: true });
  const text = file
    .getFullText()
    .replace(SPEC_PLACEHOLDER, () => JSON.stringify(JSON.stringify(runtimeSpec(spec))))
    .replace(new RegExp(`${DOC_MARKER}(\\d+)\\n`, "g"), (_, i: string) => docs[Number(i)] as string);
  getProject().removeSourceFile(file);
  return `// DO NOT EDIT: generated by @ws-errors/codegen from ${source}.\n// Regenerate with \`${where.regenerate}\`.\n/* eslint-disable */\n\n${text}`;
}

/* A type alias rather than an interface: aliases of object literals get an implicit index
   signature, so the details stay assignable to the runtime's generic `Record<string, unknown>`. */
function detailsType(entry: EntrySpec): TypeAliasDeclarationStructure {
  const fields = Object.entries(entry.details).map(([name, detail]) => {
    const doc = detail.summary !== undefined ? `  /** ${escapeDoc(detail.summary)} */\n` : "";
    return `${doc}  readonly ${/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : JSON.stringify(name)}?: ${TS_TYPES[detail.type]};`;
  });
  return {
    kind: StructureKind.TypeAlias,
    isExported: true,
    name: detailsName(entry),
    docs: [`Detail fields of {@link ${entry.className}}.`],
    type: fields.length === 0 ? "{}" : `{\n${fields.join("\n")}\n}`,
  };
}

/* An entry whose message or close reason is a template is written from its details, so its example
   gives them; any other entry's example gives a message. */
function exampleInit(entry: EntrySpec): string {
  const names = [
    ...(compileTemplate(entry.frame?.template ?? "")?.names ?? []),
    // A close reason is a template only where decoding matches reasons.
    ...(entry.close?.matchReason === true || entry.close?.anyCode === true ? (compileTemplate(entry.close.reason)?.names ?? []) : []),
  ];
  if (names.length === 0) return `{ message: ${JSON.stringify(entry.summary.slice(0, 60))} }`;
  const sample: Record<DetailType, (name: string) => string> = {
    string: (n) => JSON.stringify(n),
    integer: () => "1",
    number: () => "1.5",
    boolean: () => "true",
    "string[]": (n) => `[${JSON.stringify(n)}]`,
    object: () => "{}",
    "object[]": () => "[]",
  };
  const fields = [...new Set(names)].map((n) => `${/^[A-Za-z_$][\w$]*$/.test(n) ? n : JSON.stringify(n)}: ${sample[entry.details[n]?.type ?? "string"](n)}`);
  return `{ details: { ${fields.join(", ")} } }`;
}

function detailsName(entry: EntrySpec): string {
  return `${entry.className.replace(/Error$/, "")}Details`;
}

function entryClass(spec: CatalogSpec, entry: EntrySpec, index: number, specName: string): ClassDeclarationStructure {
  const doc = [
    escapeDoc(entry.summary),
    ...(entry.description ? ["", escapeDoc(entry.description)] : []),
    "",
    `- code: \`${String(entry.code)}\`; kind: \`${entry.kind}\`; scope: ${entry.scope}`,
    `- layers: ${layersOf(entry).join(", ")}`,
    `- retry: ${escapeDoc(directiveText(entry.retry))}`,
    "",
    "@example",
    "```ts",
    `throw new ${entry.className}(${exampleInit(entry)});`,
    "```",
    ...(entry.deprecated !== undefined ? [`@deprecated ${escapeDoc(entry.deprecated)}`] : []),
  ].join("\n");
  return {
    kind: StructureKind.Class,
    isExported: true,
    name: entry.className,
    extends: `core.${kindClassName(entry.kind)}<${detailsName(entry)}>`,
    docs: [doc],
    properties: [
      { name: "_tag", type: JSON.stringify(`${spec.name}/${entry.id}`), isReadonly: true, hasDeclareKeyword: true },
      { name: "id", type: JSON.stringify(entry.id), isReadonly: true, hasDeclareKeyword: true },
      { name: "code", type: JSON.stringify(entry.code), isReadonly: true, hasDeclareKeyword: true },
      { name: "scope", type: JSON.stringify(entry.scope), isReadonly: true, hasDeclareKeyword: true },
      {
        name: "entry",
        isStatic: true,
        isReadonly: true,
        initializer: `core.bindEntry(this, ${JSON.stringify(spec.name)}, ${specName}.errors[${index}]!${entry.frame?.template === undefined ? "" : ", core.TEMPLATES"})`,
      },
    ],
  };
}

function guard(spec: CatalogSpec, entry: EntrySpec): FunctionDeclarationStructure {
  return {
    kind: StructureKind.Function,
    isExported: true,
    name: `is${entry.className}`,
    docs: [`Whether a value is a {@link ${entry.className}}, from any copy of the package.`],
    parameters: [{ name: "value", type: "unknown" }],
    returnType: `value is ${entry.className}`,
    statements: `return core.isWsError(value) && value._tag === ${JSON.stringify(`${spec.name}/${entry.id}`)};`,
  };
}

function constTable(name: string, doc: string, initializer: string): VariableStatementStructure {
  return {
    kind: StructureKind.VariableStatement,
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [doc],
    declarations: [{ name, initializer }],
  };
}

/* An optional member that lands on a constant's path keeps the constant when absent (`"id": null`). */
type WriterLeaf =
  | { readonly json: string }
  | { readonly optional: string; readonly value: string; readonly otherwise?: string }
  | { readonly value: string }
  | "details";
interface WriterNode {
  readonly members: Map<string, WriterNode | WriterLeaf>;
}

/**
 * A frame form's writer as one template literal, or `undefined` when an object of the frame could
 * hold only optional members (its commas would need run-time logic; the generic path serves it).
 * Required members come first and optional ones after, each with its leading comma, so no comma
 * logic is needed at run time. Key order may differ from `encodeFrame`'s; the JSON is the same.
 */
function writerSource(form: FrameForm): string | undefined {
  // Errors that live only in a list are written by the generic path, which builds the list; so are
  // frames that are or hold arrays (an index in any path), which a template of keys cannot write.
  if (form.errors !== undefined && form.code === undefined) return undefined;
  const paths = [
    form.code,
    form.label,
    form.message,
    form.field,
    form.requestId,
    form.command,
    form.details,
    ...Object.keys(form.constant ?? {}),
    ...Object.keys(form.stamps ?? {}),
  ];
  if (paths.some((p) => p?.split(".").some(isIndex))) return undefined;
  const root: WriterNode = { members: new Map() };
  const place = (path: string, leaf: WriterLeaf) => {
    const segments = path === "" ? [] : path.split(".");
    let node = root;
    for (const key of segments.slice(0, -1)) {
      let next = node.members.get(key);
      if (next === undefined || typeof next === "string" || !("members" in next)) node.members.set(key, (next = { members: new Map() }));
      node = next;
    }
    const last = segments.at(-1);
    if (last === undefined) return leaf === "details" ? void node.members.set("\u0000details", leaf) : undefined;
    const before = node.members.get(last);
    const kept =
      before !== undefined && typeof before === "object" && "json" in before && typeof leaf === "object" && "optional" in leaf
        ? { ...leaf, otherwise: before.json }
        : leaf;
    node.members.set(leaf === "details" ? "\u0000details" : last, kept);
  };
  for (const [path, value] of Object.entries(form.constant ?? {})) place(path, { json: JSON.stringify(value) });
  Object.keys(form.stamps ?? {}).forEach((path, i) => place(path, { value: `c.stamps[${i}]` }));
  if (form.requestId !== undefined) place(form.requestId, { optional: "c.requestId", value: "c.requestId" });
  if (form.command !== undefined) place(form.command, { optional: "c.command", value: "c.command" });
  if (form.details !== undefined) place(form.details === "" ? "" : `${form.details}.x`, "details");
  if (form.code !== undefined) place(form.code, { value: "c.code" });
  if (form.label !== undefined) place(form.label, { optional: "c.label", value: "c.label" });
  if (form.field !== undefined) place(form.field, { optional: "c.field", value: "c.field" });
  if (form.message !== undefined) place(form.message, { value: "c.message" });

  const render = (node: WriterNode): { required: string[]; optional: string[] } | undefined => {
    const required: string[] = [];
    const optional: string[] = [];
    for (const [key, member] of node.members) {
      const name = JSON.stringify(key)
        .slice(1, -1)
        .replace(/[`$\\]/g, (ch) => `\\${ch}`);
      // biome-ignore lint/suspicious/noTemplateCurlyInString: this is generated code's template literal
      if (member === "details") optional.push('${c.details === "" ? "" : `,${c.details}`}');
      else if ("members" in member) {
        const onlyDetails = member.members.size === 1 && member.members.values().next().value === "details";
        if (onlyDetails) {
          optional.push(`\${c.details === "" ? "" : \`,"${name}":{\${c.details}}\`}`);
          continue;
        }
        const inner = render(member);
        if (!inner || inner.required.length === 0) return undefined;
        required.push(`"${name}":{${inner.required.join(",")}${inner.optional.join("")}}`);
      } else if ("json" in member) required.push(`"${name}":${member.json.replace(/[`$\\]/g, (ch) => `\\${ch}`)}`);
      else if ("optional" in member && member.otherwise !== undefined) required.push(`"${name}":\${${member.optional} ?? ${JSON.stringify(member.otherwise)}}`);
      else if ("optional" in member) optional.push(`\${${member.optional} === undefined ? "" : \`,"${name}":\${${member.value}}\`}`);
      else required.push(`"${name}":\${${member.value}}`);
    }
    return { required, optional };
  };
  const top = render(root);
  if (!top || top.required.length === 0) return undefined;
  return `\`{${top.required.join(",")}${top.optional.join("")}}\``;
}

/** A dot path as a chain of direct reads that never throws: `value["payload"]?.["code"]`. */
function access(path: string): string {
  if (path === "") return "value";
  return `value${path
    .split(".")
    .map((segment, i) => `${i === 0 ? "" : "?."}[${JSON.stringify(segment)}]`)
    .join("")}`;
}

/**
 * A form's conditions as one JavaScript expression over `value` (already known to be a plain
 * object), or `undefined` when a condition compares against an object or array, which the
 * runtime's generic matcher handles instead.
 */
function matcherSource(conditions: readonly Condition[]): string | undefined {
  const parts: string[] = [];
  for (const condition of conditions) {
    if (condition.path === "") return undefined;
    const segments = condition.path.split(".");
    const parent = segments.length === 1 ? "value" : access(segments.slice(0, -1).join("."));
    const last = JSON.stringify(segments[segments.length - 1]);
    // JSON has no undefined, so for a key Object.prototype lacks, `!== undefined` is presence.
    const inherited = (segments[segments.length - 1] as string) in Object.prototype;
    const own =
      segments.length === 1
        ? inherited
          ? `Object.hasOwn(value, ${last})`
          : `${access(condition.path)} !== undefined`
        : `(typeof ${parent} === "object" && ${parent} !== null && Object.hasOwn(${parent}, ${last}))`;
    if (condition.exists === true) parts.push(own);
    if (condition.exists === false) parts.push(`!${own}`);
    for (const [op, expected] of [
      ["===", condition.equals],
      ["!==", condition.notEquals],
    ] as const) {
      if (expected === undefined) continue;
      if (expected !== null && typeof expected === "object") return undefined;
      parts.push(`${access(condition.path)} ${op} ${JSON.stringify(expected)}`);
    }
  }
  return parts.length === 0 ? "true" : parts.join(" && ");
}

function describeCondition(c: Condition): string {
  if (c.equals !== undefined) return `\`${c.path}\` is ${JSON.stringify(c.equals)}`;
  if (c.notEquals !== undefined) return `\`${c.path}\` is not ${JSON.stringify(c.notEquals)}`;
  return c.exists === false ? `\`${c.path}\` is absent` : `\`${c.path}\` is present`;
}

function escapeDoc(text: string): string {
  return text.replace(/\*\//g, "*\\/");
}

/**
 * The reference module of a catalog: the text its runtime module leaves out, for tools and pages
 * (`core.withReference(codec.catalog, reference)` gives the whole catalog back).
 */
export function generateReferenceModule(spec: CatalogSpec, source: string, where: Required<GenerateOptions> = BUNDLED_OUTPUT): string {
  const name = `${camel(spec.name)}Reference`;
  return [
    `// DO NOT EDIT: generated by @ws-errors/codegen from ${source}.`,
    `// Regenerate with \`${where.regenerate}\`.`,
    "/* eslint-disable */",
    "",
    'import type * as core from "@ws-errors/core";',
    "",
    jsDoc(
      `The reference text of the \`${spec.name}\` catalog (${escapeDoc(spec.title)}): descriptions, guidance, detail summaries and notes, which the runtime module \`${where.importPath(spec.name)}\` leaves out so that bundles do not carry them.\n\n@example\n\`\`\`ts\nimport { withReference } from "@ws-errors/core";\nimport { ${camel(spec.name)} } from "${where.importPath(spec.name)}";\nimport { ${name} } from "${where.importPath(`${spec.name}.reference`)}";\nconst catalog = withReference(${camel(spec.name)}.catalog, ${name});\n\`\`\``,
    ).trimEnd(),
    `export const ${name}: core.CatalogReference = JSON.parse(${JSON.stringify(JSON.stringify(referenceOf(spec)))});`,
    "",
  ].join("\n");
}
