// Ours: the run-and-flush mechanism every adapter is made of (`withLambda` is this, plus the Lambda
// specifics), flushing to the local collector before returning, as on Lambda.
import { lumiqtrace } from "@lumiqtrace/sdk";
import { runInvocation } from "@lumiqtrace/sdk/serverless";
import { promiseHeavy } from "./handler.mjs";

lumiqtrace.init({ apiKey: process.env.LUMIQTRACE_API_KEY, baseUrl: process.env.LUMIQTRACE_BASE_URL });

export const activeContext = () => lumiqtrace.getTraceContext()?.spanId;
export const handler = (_event, context) =>
  runInvocation({ name: context.functionName, platform: "lambda" }, () => promiseHeavy(activeContext));
