import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { load } from "js-yaml";
import { describe, expect, it } from "vitest";
import type { RawCatalog } from "./catalog-space/arbitrary";
import { codecOf, roundTrips, serverPaths } from "./catalog-space/conformance";
import { importsBack } from "./catalog-space/imported";
import { policyPaths } from "./catalog-space/policies";

/* Every counterexample the catalog-space suite (or a user) found, by name, through the same checks. */
const DIR = join(import.meta.dirname, "../../codegen/test/catalogs/regressions");
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith(".yaml"))
  .sort();

describe.each(FILES)("regression catalog %s", (file) => {
  const raw = load(readFileSync(join(DIR, file), "utf8")) as RawCatalog;
  const codec = codecOf(raw);
  it("round-trips every entry on every layer", () => expect(roundTrips(codec)).toBeUndefined());
  it("reaches both facades as each entry from a handler and from connection.fail", async () => expect(await serverPaths(codec)).toBeUndefined());
  it("says each built-in policy's errors as the catalog does, or refuses to start", async () => expect(await policyPaths(codec)).toBeUndefined());
  it("imports back from its reference page, Markdown and HTML", () => {
    expect(importsBack(raw, "markdown")).toBeUndefined();
    expect(importsBack(raw, "html")).toBeUndefined();
  });
});

it("keeps every counterexample", () => expect(FILES.length).toBeGreaterThanOrEqual(5));
