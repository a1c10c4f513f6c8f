import { type RateLimitedError, type UncataloguedError, type WsError, hasKind, type KindName } from "@ws-errors/core";
import {
  type TooManyConnectionsError,
  TooManyRequestsError,
  collective2,
  isCollective2Error,
  isTooManyConnectionsError,
  type Collective2Error,
  type Collective2ErrorId,
} from "@ws-errors/core/catalogs/collective2";
import { RateLimitExceededError } from "@ws-errors/core/catalogs/tickdb-legacy";
import { describe, expectTypeOf, it } from "vitest";

describe("generated types", () => {
  it("narrow literal fields per class", () => {
    const error = new TooManyRequestsError();
    expectTypeOf(error._tag).toEqualTypeOf<"collective2/too-many-requests">();
    expectTypeOf(error.code).toEqualTypeOf<"TOO_MANY_REQUESTS">();
    expectTypeOf(error.kind).toEqualTypeOf<"rate-limited">();
    expectTypeOf(error).toMatchTypeOf<RateLimitedError>();
    expectTypeOf(error).toMatchTypeOf<WsError>();
  });

  it("type details per entry", () => {
    const error = new RateLimitExceededError({ details: { limit: 60, reset_at: 1700000000 } });
    expectTypeOf(error.details.reset_at).toEqualTypeOf<number | undefined>();
    expectTypeOf(error.details.plan).toEqualTypeOf<string | undefined>();
    // @ts-expect-error: not a detail of this entry
    void error.details.nope;
    // @ts-expect-error: limit is an integer
    new RateLimitExceededError({ details: { limit: "60" } });
  });

  it("discriminate the union by _tag", () => {
    const error = {} as Collective2Error;
    if (error._tag === "collective2/too-many-connections") expectTypeOf(error).toEqualTypeOf<TooManyConnectionsError>();
    expectTypeOf<Collective2ErrorId>().toMatchTypeOf<string>();
    expectTypeOf<"too-many-requests">().toMatchTypeOf<Collective2ErrorId>();
  });

  it("narrow through guards and kinds", () => {
    const value: unknown = null;
    if (isTooManyConnectionsError(value)) expectTypeOf(value).toEqualTypeOf<TooManyConnectionsError>();
    if (isCollective2Error(value)) expectTypeOf(value).toEqualTypeOf<Collective2Error>();
    if (hasKind(value, "rate-limited")) expectTypeOf(value.kind).toEqualTypeOf<"rate-limited">();
  });

  it("type decoders with the catalog's union", () => {
    expectTypeOf(collective2.decodeFrame("")).toEqualTypeOf<Collective2Error | UncataloguedError | null>();
    expectTypeOf<UncataloguedError["kind"]>().toEqualTypeOf<KindName>();
  });
});
