// The receiving ends of the benchmark, each in a process of its own: the local collector as users run
// it (`lumiqtrace dev`, in memory) for ours, and the loopback sink (sink.mjs) for Sentry, Langfuse and the
// stand-in model. Neither runs in a measured process, nor in the one that times them.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { startProcess } from "@lumiqtrace/test-kit";

const listening = (output) => output.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];

export async function startReceivers(root) {
  const apiKey = `lqt_dev_bench${randomBytes(12).toString("hex")}`;
  const [collector, sink] = await Promise.all([
    startProcess({
      command: process.execPath,
      args: [
        join(root, "packages/collector/dist/cli.mjs"),
        "dev",
        ...["--port", "0", "--otlp-port", "off", "--memory", "--key", apiKey],
      ],
      ready: (output) => Boolean(listening(output)),
    }),
    startProcess({
      command: process.execPath,
      args: [join(root, "bench/compare/sink.mjs")],
      ready: (output) => Boolean(listening(output)),
    }),
  ]);
  const collectorUrl = listening(collector.output());
  const sinkUrl = listening(sink.output());
  const getJson = async (url) => {
    const res = await fetch(url);
    if (!res.ok) throw new Error(`${url} answered ${res.status}`);
    return res.json();
  };
  return {
    collectorUrl,
    apiKey,
    sinkUrl,
    sentryDsn: `http://benchpublickey@${new URL(sinkUrl).host}/1`,
    /** What has arrived so far: events the collector stored, requests the sink answered per tool. */
    async counts() {
      const [stats, sinkCounts] = await Promise.all([
        getJson(`${collectorUrl}/v1/stats`),
        getJson(`${sinkUrl}/_counts`),
      ]);
      return { events: stats.events, ...sinkCounts };
    },
    stop: () => Promise.all([collector.stop(), sink.stop()]),
  };
}
