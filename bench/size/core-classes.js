// What an app that only tells a catalog's errors apart imports: its error classes and guards, no decoder.
import { isTooManyRequestsError, TooManyRequestsError, UnauthorizedError } from "@ws-errors/core/catalogs/collective2";

export default { isTooManyRequestsError, TooManyRequestsError, UnauthorizedError };
