// Preloaded into every benchmark process (--import): any socket to a host that is not loopback is
// refused and counted, so no tool under test reaches the internet, and the parent fails the run if one tried.
import net from "node:net";

const blocked = [];
globalThis.__benchBlockedConnections = blocked;

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|::1|\[::1\]|::ffff:127\.\d+\.\d+\.\d+)$/i;
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function (...args) {
  let options = args[0];
  if (Array.isArray(options)) options = options[0];
  if (typeof options !== "object" || options === null)
    options = { port: args[0], host: typeof args[1] === "string" ? args[1] : undefined };
  if (!options.path) {
    const host = options.host ?? "localhost";
    if (!LOOPBACK.test(host)) {
      blocked.push(`${host}:${options.port}`);
      process.nextTick(() =>
        this.destroy(new Error(`benchmark: connection to ${host} refused (loopback only)`)),
      );
      return this;
    }
  }
  return connect.apply(this, args);
};
