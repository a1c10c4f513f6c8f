// A browser app on the RxJS adapter with one catalog's decoder, as the adapter's README shows it (rxjs itself is not counted).
import { collective2Decoder } from "@ws-errors/core/catalogs/collective2";
import { ofType, retryByCatalog, wsErrorsConnection } from "@ws-errors/rxjs";

export default { connect: (url) => wsErrorsConnection(url, { codec: collective2Decoder }), ofType, retryByCatalog };
