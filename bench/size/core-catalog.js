// What a browser app that decodes and encodes one catalog's errors imports.
import { collective2 } from "@ws-errors/core/catalogs/collective2";

export default collective2;
