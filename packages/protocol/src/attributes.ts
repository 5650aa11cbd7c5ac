// Every attribute name an @lumiqtrace package writes or reads, in one place. They follow the
// OpenTelemetry semantic conventions where one exists (so an OTLP export is a mapping, not a
// translation); `lumiqtrace.*` names are ours. docs/protocol.md says what each one means.

// -- the invocation (the root span an adapter makes)
export const ATTR_LUMIQTRACE_PLATFORM = "lumiqtrace.platform";
export const ATTR_HTTP_REQUEST_METHOD = "http.request.method";
export const ATTR_HTTP_ROUTE = "http.route";
export const ATTR_HTTP_RESPONSE_STATUS_CODE = "http.response.status_code";
export const ATTR_URL_PATH = "url.path";
export const ATTR_FAAS_TRIGGER = "faas.trigger";
export const ATTR_FAAS_COLDSTART = "faas.coldstart";
export const ATTR_FAAS_NAME = "faas.name";
export const ATTR_FAAS_VERSION = "faas.version";
export const ATTR_FAAS_INVOCATION_ID = "faas.invocation_id";
export const ATTR_FAAS_MAX_MEMORY = "faas.max_memory";
export const ATTR_FAAS_CRON = "faas.cron";
export const ATTR_CLOUD_PROVIDER = "cloud.provider";
export const ATTR_CLOUD_PLATFORM = "cloud.platform";
export const ATTR_CLOUD_REGION = "cloud.region";
export const ATTR_CLOUD_RESOURCE_ID = "cloud.resource_id";
export const ATTR_AWS_LAMBDA_EVENT_SOURCE = "aws.lambda.event_source";
export const ATTR_GEO_COUNTRY_ISO_CODE = "geo.country.iso_code";
export const ATTR_GEO_REGION_ISO_CODE = "geo.region.iso_code";
export const ATTR_GEO_LOCALITY_NAME = "geo.locality.name";
export const ATTR_NETLIFY_SITE_ID = "netlify.site.id";
export const ATTR_NETLIFY_SITE_NAME = "netlify.site.name";
export const ATTR_NETLIFY_SITE_URL = "netlify.site.url";
export const ATTR_NETLIFY_DEPLOY_ID = "netlify.deploy.id";
export const ATTR_NETLIFY_DEPLOY_CONTEXT = "netlify.deploy.context";
/** A message-queue invocation: the queue's name and the number of messages in the batch. */
export const ATTR_MESSAGING_DESTINATION_NAME = "messaging.destination.name";
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = "messaging.batch.message_count";
/** The class of the Cloudflare Durable Object an invocation ran in. */
export const ATTR_CLOUDFLARE_DURABLE_OBJECT_CLASS = "cloudflare.durable_object.class";

// -- an LLM call (GenAI semantic conventions)
export const ATTR_GEN_AI_PROVIDER_NAME = "gen_ai.provider.name";
export const ATTR_GEN_AI_OPERATION_NAME = "gen_ai.operation.name";
export const ATTR_GEN_AI_REQUEST_MODEL = "gen_ai.request.model";
export const ATTR_GEN_AI_REQUEST_MAX_TOKENS = "gen_ai.request.max_tokens";
export const ATTR_GEN_AI_REQUEST_CHOICE_COUNT = "gen_ai.request.choice.count";
export const ATTR_GEN_AI_REQUEST_TEMPERATURE = "gen_ai.request.temperature";
export const ATTR_GEN_AI_REQUEST_TOP_P = "gen_ai.request.top_p";
export const ATTR_GEN_AI_REQUEST_TOP_K = "gen_ai.request.top_k";
export const ATTR_GEN_AI_REQUEST_FREQUENCY_PENALTY = "gen_ai.request.frequency_penalty";
export const ATTR_GEN_AI_REQUEST_PRESENCE_PENALTY = "gen_ai.request.presence_penalty";
export const ATTR_GEN_AI_REQUEST_SEED = "gen_ai.request.seed";
export const ATTR_GEN_AI_REQUEST_STOP_SEQUENCES = "gen_ai.request.stop_sequences";
export const ATTR_GEN_AI_RESPONSE_ID = "gen_ai.response.id";
export const ATTR_GEN_AI_RESPONSE_MODEL = "gen_ai.response.model";
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = "gen_ai.response.finish_reasons";
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = "gen_ai.usage.input_tokens";
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = "gen_ai.usage.output_tokens";
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = "gen_ai.usage.cache_read.input_tokens";
export const ATTR_GEN_AI_USAGE_CACHE_WRITE_INPUT_TOKENS = "gen_ai.usage.cache_write.input_tokens";
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = "gen_ai.usage.reasoning.output_tokens";
export const ATTR_GEN_AI_EMBEDDINGS_DIMENSION_COUNT = "gen_ai.embeddings.dimension.count";
export const ATTR_GEN_AI_INPUT_MESSAGES = "gen_ai.input.messages";
export const ATTR_GEN_AI_OUTPUT_MESSAGES = "gen_ai.output.messages";
export const ATTR_GEN_AI_SYSTEM_INSTRUCTIONS = "gen_ai.system_instructions";
export const ATTR_GEN_AI_TOOL_NAME = "gen_ai.tool.name";
export const ATTR_GEN_AI_TOOL_CALL_ID = "gen_ai.tool.call.id";
export const ATTR_GEN_AI_TOOL_CALL_ARGUMENTS = "gen_ai.tool.call.arguments";
export const ATTR_GEN_AI_TOOL_CALL_RESULT = "gen_ai.tool.call.result";
export const ATTR_SERVER_ADDRESS = "server.address";
export const ATTR_SERVER_PORT = "server.port";
export const ATTR_ERROR_TYPE = "error.type";
export const ATTR_OPENAI_RESPONSE_SYSTEM_FINGERPRINT = "openai.response.system_fingerprint";
// -- the Vercel AI SDK's own names, kept as it writes them (OTel backends that know the AI SDK read them)
/** The AI SDK's provider id: `openai.chat`, `anthropic.messages`, ... */
export const ATTR_AI_MODEL_PROVIDER = "ai.model.provider";
/** `functionId` of the call's `experimental_telemetry` / `telemetry`. */
export const ATTR_AI_TELEMETRY_FUNCTION_ID = "ai.telemetry.functionId";
/** Prefix of one attribute per key of the call's telemetry `metadata`. */
export const ATTR_AI_TELEMETRY_METADATA_PREFIX = "ai.telemetry.metadata.";
/** Time to first token of a streamed call, ms. */
export const ATTR_LUMIQTRACE_TTFT_MS = "lumiqtrace.ttft_ms";
export const ATTR_LUMIQTRACE_STREAM = "lumiqtrace.stream";
/** The SDK asked for the usage chunk on the caller's behalf (and hides it from the caller). */
export const ATTR_LUMIQTRACE_STREAM_USAGE_ADDED = "lumiqtrace.stream_usage_added";
export const ATTR_LUMIQTRACE_REQUEST_TOOLS_COUNT = "lumiqtrace.request.tools_count";
/** Names of the tools the model called. */
export const ATTR_LUMIQTRACE_TOOL_CALLS = "lumiqtrace.tool_calls";
/** The keys (attributes, `metadata`, `tags`) cut from an event to keep it under the 1 MiB limit. */
export const ATTR_LUMIQTRACE_TRUNCATED = "lumiqtrace.truncated";

// -- OTLP export: what our event fields become on an OpenTelemetry span and resource
export const ATTR_USER_ID = "user.id";
export const ATTR_SESSION_ID = "session.id";
export const ATTR_GEN_AI_CONVERSATION_ID = "gen_ai.conversation.id";
/** Time to first chunk of a streamed call, in seconds (GenAI conventions v1.41). */
export const ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK = "gen_ai.response.time_to_first_chunk";
export const ATTR_EXCEPTION_TYPE = "exception.type";
export const ATTR_EXCEPTION_MESSAGE = "exception.message";
export const ATTR_LUMIQTRACE_TAGS = "lumiqtrace.tags";
/** `lumiqtrace.metadata.<key>`: one attribute per metadata key (objects as JSON text). */
export const ATTR_LUMIQTRACE_METADATA_PREFIX = "lumiqtrace.metadata.";
/** `cancelled`: the consumer stopped early (OTLP's status has no such code). */
export const ATTR_LUMIQTRACE_STATUS = "lumiqtrace.status";
export const ATTR_SERVICE_NAME = "service.name";
export const ATTR_SERVICE_VERSION = "service.version";
export const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = "deployment.environment.name";
export const ATTR_TELEMETRY_SDK_NAME = "telemetry.sdk.name";
export const ATTR_TELEMETRY_SDK_LANGUAGE = "telemetry.sdk.language";
export const ATTR_TELEMETRY_SDK_VERSION = "telemetry.sdk.version";
