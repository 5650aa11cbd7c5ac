export * from "./model.js";
export {
  encodeTracesRequest,
  encodeTracesResponse,
  decodeTracesRequest,
  decodeTracesResponse,
  OtlpDecodeError,
} from "./protobuf.js";
export { encodeTracesJson, parseTracesJson } from "./json.js";
