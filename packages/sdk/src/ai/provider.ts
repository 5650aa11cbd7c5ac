// `gen_ai.provider.name` from the AI SDK's provider id (`openai.chat`, `anthropic.messages`,
// `google.vertex.chat`, `amazon-bedrock`, ...): the OpenTelemetry GenAI name where the two differ.
import { str } from "../llm/read.js";

/** Provider ids (their first segment) whose GenAI name is not the id itself. */
const GEN_AI_NAMES: Record<string, string> = {
  "amazon-bedrock": "aws.bedrock",
  azure: "azure.ai.openai",
  google: "gcp.gemini",
  "google-vertex": "gcp.vertex_ai",
  vertex: "gcp.vertex_ai",
  mistral: "mistral_ai",
  xai: "x_ai",
};

export function providerName(providerId: unknown): string {
  const id = str(providerId);
  if (!id) return "unknown";
  const [head = id, second] = id.split(".");
  if (head === "google" && second === "vertex") return "gcp.vertex_ai";
  return GEN_AI_NAMES[head] ?? head;
}
