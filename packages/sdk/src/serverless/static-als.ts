// `@lumiqtrace/sdk/serverless` under the `node` and `workerd` conditions: see ../index.static-als.ts.
import { AsyncLocalStorage } from "node:async_hooks";
import { useAsyncLocalStorage } from "../context.js";

useAsyncLocalStorage(AsyncLocalStorage);

export * from "./index.js";
