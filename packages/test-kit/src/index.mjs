export { freePort } from "./free-port.mjs";
export { startProcess } from "./process.mjs";
export { startLoopbackServer } from "./loopback-server.mjs";
