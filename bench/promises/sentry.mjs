// Sentry's Lambda wrapper, flushing to the loopback sink before returning, with the invocation's span
// active around the handler (in v10 `wrapHandler` starts none itself: Sentry's Lambda layer adds one).
// Sentry's context is OpenTelemetry's, kept in its own AsyncLocalStorage context manager.
import * as Sentry from "@sentry/aws-serverless";
import { promiseHeavy } from "./handler.mjs";

Sentry.init({ dsn: process.env.BENCH_SENTRY_DSN, tracesSampleRate: 1 });

export const activeContext = () => Sentry.getActiveSpan()?.spanContext().spanId;
export const handler = Sentry.wrapHandler((_event, context) =>
  Sentry.startSpan({ name: context.functionName, op: "function.aws.lambda", forceTransaction: true }, () =>
    promiseHeavy(activeContext),
  ),
);
