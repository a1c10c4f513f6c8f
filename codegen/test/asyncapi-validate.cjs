// Validates AsyncAPI documents with the real parser in plain Node (its dependency tree does not
// load under vite's module transform). Reads JSON lines of documents, prints JSON lines of
// { errors, messages, extensions } per document.
const { Parser } = require("@asyncapi/parser");
const parser = new Parser();
let input = "";
process.stdin.on("data", (d) => (input += d));
process.stdin.on("end", async () => {
  for (const line of input.split("\n").filter(Boolean)) {
    const { document, diagnostics } = await parser.parse(line);
    const errors = diagnostics.filter((d) => d.severity === 0).map((d) => `${d.path.join(".")}: ${d.message}`);
    const messages = document
      ? document
          .allMessages()
          .all()
          .map((m) => ({ id: m.id(), name: m.name(), payload: m.payload() ? m.payload().json() : null, xWsErrors: m.extensions().get("x-ws-errors")?.value() }))
      : [];
    process.stdout.write(`${JSON.stringify({ errors, messages })}\n`);
  }
});
