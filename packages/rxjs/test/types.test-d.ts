import { RateLimitedError, type WsError } from "@ws-errors/core";
import { ForbiddenError, TooManyRequestsError } from "@ws-errors/core/catalogs/collective2";
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
    expectTypeOf(errors.pipe(ofType("rate-limited", "quota-exhausted"))).toEqualTypeOf<Observable<WsError & { readonly kind: "rate-limited" | "quota-exhausted" }>>();
  });
});
