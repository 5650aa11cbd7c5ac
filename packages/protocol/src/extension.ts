// How a function talks to the LumiqTrace Lambda extension on loopback: where it is, and what it serves.
// The SDK (withLambda) and the extension (@lumiqtrace/lambda-extension) both read this.

/** The extension's file name in the layer (`/opt/extensions/lumiqtrace`), also its `Lambda-Extension-Name`. */
export const EXTENSION_NAME = "lumiqtrace";
/** Where Lambda puts a layer's extensions; `LUMIQTRACE_EXTENSIONS_DIR` says otherwise (tests outside Lambda). */
export const EXTENSIONS_DIR = "/opt/extensions";
/** The extension's loopback port; `LUMIQTRACE_EXTENSION_PORT` says otherwise (the function and its extensions share the environment). */
export const EXTENSION_PORT = 4449;
/** `POST`: a native batch (docs/protocol.md), answered once the extension holds it. */
export const EXTENSION_BATCH_PATH = "/v1/batch";
/** `POST {"invocationId"}`: the invocation is over: the extension forwards what it holds, then lets Lambda freeze. */
export const EXTENSION_DONE_PATH = "/v1/done";
/** `GET`: `{ name, version }`, to tell the extension from another server on that port. */
export const EXTENSION_INFO_PATH = "/v1/extension";
/** The header the info answer carries. */
export const EXTENSION_HEADER = "x-lumiqtrace-extension";
