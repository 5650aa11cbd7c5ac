// wrapAISDK with the real ai 7 and @ai-sdk/openai 4.x against the local echo model: the shared suite.
import { createOpenAI } from "@ai-sdk/openai";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import { wrapAISDK } from "@lumiqtrace/sdk/ai";
import { runInvocation } from "@lumiqtrace/sdk/serverless";
import * as ai from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { aiSuite } from "@lumiqtrace/sdk-ai-tests-shared";

aiSuite({
  major: 7,
  ai,
  createOpenAI,
  z,
  sdk: { lumiqtrace, withLumiqtraceContext },
  wrapAISDK,
  runInvocation,
  vitest: { describe, it, expect, beforeAll, afterAll },
  // the collector's SQLite binding is built for the machine's Node (20): run it there
  collectorNode: "node",
});
