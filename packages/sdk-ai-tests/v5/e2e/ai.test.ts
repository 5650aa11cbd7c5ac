// wrapAISDK with the real ai 5 and @ai-sdk/openai 2.x against the local echo model: the shared suite.
import { createOpenAI } from "@ai-sdk/openai";
import { lumiqtrace, withLumiqtraceContext } from "@lumiqtrace/sdk";
import { wrapAISDK } from "@lumiqtrace/sdk/ai";
import { runInvocation } from "@lumiqtrace/sdk/serverless";
import * as ai from "ai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { aiSuite } from "@lumiqtrace/sdk-ai-tests-shared";

aiSuite({
  major: 5,
  ai,
  createOpenAI,
  z,
  sdk: { lumiqtrace, withLumiqtraceContext },
  wrapAISDK,
  runInvocation,
  vitest: { describe, it, expect, beforeAll, afterAll },
});
