export { startEchoModel, type EchoModel, type EchoModelOptions, type RecordedRequest } from "./server.js";
export { countTokens, embed, MODEL_PREFIX, SYSTEM_FINGERPRINT, tokenize } from "./reply.js";
