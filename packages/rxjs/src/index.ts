export { wsErrorsConnection, type RxConnection, type RxConnectionOptions, type ConnectionState, type WebSocketLike } from "./ws-errors-connection";
export { ofType, retryByCatalog, type EntryIdOf, type ErrorSelector, type RetryByCatalogOptions } from "./operators";
