import { RateLimitedError, type UncataloguedError, type WsError } from "@ws-errors/core";
import { ForbiddenError, TooManyRequestsError, type Collective2Error } from "@ws-errors/core/catalogs/collective2";
import { of, type Observable } from "rxjs";
import { describe, expectTypeOf, it } from "vitest";
import { ofType } from "../src/index";

describe("ofType narrows", () => {
  it("to the classes given", () => {
    const errors = of<unknown>(null);
    expectTypeOf(errors.pipe(ofType(TooManyRequestsError, ForbiddenError))).toEqualTypeOf<Observable<(TooManyRequestsError | ForbiddenError) & WsError>>();
    expectTypeOf(errors.pipe(ofType(RateLimitedError))).toMatchTypeOf<Observable<WsError>>();
  });
  it("to the kinds given", () => {
    const errors = of<unknown>(null);
    expectTypeOf(errors.pipe(ofType("rate-limited", "quota-exhausted"))).toEqualTypeOf<
      Observable<WsError & { readonly kind: "rate-limited" | "quota-exhausted" }>
    >();
  });
});

describe("ofType with entry ids", () => {
  it("takes only the ids of the source's catalog, and narrows to their classes", () => {
    const errors = of<Collective2Error | UncataloguedError>();
    expectTypeOf(errors.pipe(ofType("too-many-requests", "forbidden", "collective2/unauthorized"))).toMatchTypeOf<Observable<Collective2Error>>();
    // @ts-expect-error an id the catalog does not have (it compiled)
    errors.pipe(ofType("made-up-id"));
  });
});
