// The `node` and `workerd` export conditions: AsyncLocalStorage from a static import. On Node it works on
// every version (with or without process.getBuiltinModule); on Cloudflare Workers it is the only way in
// under `nodejs_als`, which offers the class only as the module `node:async_hooks`.
import { AsyncLocalStorage } from "node:async_hooks";
import { useAsyncLocalStorage } from "./context.js";

useAsyncLocalStorage(AsyncLocalStorage);

export * from "./index.js";
