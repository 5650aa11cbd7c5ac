// Placeholder until the OpenAI instrumentation lands: returns the client unchanged.
export function wrapOpenAI<T>(client: T): T {
  return client;
}
