// What a client app that reads one catalog's errors imports: the decoder, without the encoders.
import { collective2Decoder } from "@ws-errors/core/catalogs/collective2";

export default collective2Decoder;
