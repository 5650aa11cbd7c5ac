// The `node` export condition: AsyncLocalStorage from a static import, so context works on every Node
// version, including those without `process.getBuiltinModule`.
import { AsyncLocalStorage } from "node:async_hooks";
import { useAsyncLocalStorage } from "./context.js";

useAsyncLocalStorage(AsyncLocalStorage);

export * from "./index.js";
