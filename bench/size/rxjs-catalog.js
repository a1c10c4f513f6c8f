// A browser app on the RxJS adapter with one catalog (rxjs itself is not counted).
import { collective2 } from "@ws-errors/core/catalogs/collective2";
import { ofType, retryByCatalog, wsErrorsConnection } from "@ws-errors/rxjs";

export default { connect: (url) => wsErrorsConnection(url, { codec: collective2 }), ofType, retryByCatalog };
