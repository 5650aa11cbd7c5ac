// What a hostile or careless client (or user) can do to the real `lumiqtrace dev`, and what it gets:
// spawned dist/cli.mjs processes on loopback, talked to over HTTP.
import { readFileSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { makeBatch, makeEvent, makeTrace, postBatch } from "../src/test-events.js";
import { runCli, scratchDir } from "./cli-process.js";

const STACK_FRAME = /^\s+at /m;

async function startDev(args: string[] = [], env: Record<string, string> = {}) {
  const cli = runCli(["dev", "--port", "0", "--memory", ...args], env);
  return { cli, ...(await cli.started()) };
}

/** A request with a Host header of our choosing (fetch does not let one set it). */
function get(url: string, headers: Record<string, string>, method = "GET") {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    request(url, { method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (s: string) => (body += s));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on("error", reject)
      .end();
  });
}

async function stillServes(url: string, key: string) {
  expect((await postBatch(url, key, makeBatch([makeEvent()]))).status).toBe(200);
}

describe("the CLI refuses a key no client could use", () => {
  it.each([
    ["an empty --key", ["--key", ""], {}, "--key: the key is empty"],
    ["an empty LUMIQTRACE_API_KEY", [], { LUMIQTRACE_API_KEY: "" }, "LUMIQTRACE_API_KEY: the key is empty"],
    [
      "a key with a space",
      ["--key", "lqt dev"],
      {},
      "--key: the key contains whitespace or a control character",
    ],
    [
      "a key with a control character",
      ["--key", "lqt\u0007dev"],
      {},
      "--key: the key contains whitespace or a control character",
    ],
    [
      "a whitespace-only LUMIQTRACE_API_KEY",
      [],
      { LUMIQTRACE_API_KEY: "   " },
      "LUMIQTRACE_API_KEY: the key contains whitespace or a control character",
    ],
  ])("%s: exit 2 with the reason", async (_name, args, env, reason) => {
    const cli = runCli(["dev", "--port", "0", "--memory", ...args], env);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr.split("\n")[0]).toContain(`lumiqtrace: ${reason}`);
    expect(cli.output().stderr).not.toMatch(STACK_FRAME);
    expect(cli.output().stdout).toBe("");
  });

  it("answers a wrong or missing key with 401, stores nothing and keeps serving", async () => {
    const { cli, url, key } = await startDev();
    expect((await postBatch(url, "lqt_dev_wrong", makeBatch([makeEvent()]))).status).toBe(401);
    expect((await postBatch(url, `${key}x`, makeBatch([makeEvent()]))).status).toBe(401);
    expect((await postBatch(url, null, makeBatch([makeEvent()]))).status).toBe(401);
    expect((await (await fetch(`${url}/v1/stats`)).json()).events).toBe(0);
    await stillServes(url, key);
    cli.child.kill("SIGTERM");
    expect(await cli.exited).toBe(0);
  });
});

describe("the CLI bounds what a client can make it hold", () => {
  it("answers an oversize body with 413 and keeps serving", async () => {
    const { url, key } = await startDev(["--max-body-bytes", "65536"]);
    const big = makeBatch([makeEvent({ attributes: { blob: "x".repeat(100_000) } })]);
    const res = await postBatch(url, key, big);
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/larger than 65536 bytes/);
    await stillServes(url, key);
  });

  it("answers a gzip bomb (64 KiB that inflate to 64 MiB) with 413 and keeps serving", async () => {
    const { url, key } = await startDev();
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, " "), { level: 9 });
    expect(bomb.length).toBeLessThan(200 * 1024);
    const res = await postBatch(url, key, null, { raw: bomb, headers: { "content-encoding": "gzip" } });
    expect(res.status).toBe(413);
    expect((await res.json()).error).toMatch(/after decompression/);
    await stillServes(url, key);
  });
});

describe("on loopback, the CLI only answers requests addressed to this machine", () => {
  it("refuses a non-loopback Host (DNS rebinding) for the read API, the viewer and the controls", async () => {
    const { url, key } = await startDev();
    const port = new URL(url).port;
    const evil = { host: `evil.example:${port}` };
    for (const path of ["/v1/traces", "/v1/stats", "/", "/viewer.js", "/_control/faults"]) {
      const res = await get(`${url}${path}`, evil);
      expect(res.status, path).toBe(403);
      expect(JSON.parse(res.body).error).toMatch(/loopback host/);
    }
    expect((await get(`${url}/_control/faults`, evil, "DELETE")).status).toBe(403);
    expect((await get(`${url}/v1/traces`, { host: `localhost:${port}` })).status).toBe(200);
    await stillServes(url, key);
  });
});

describe("the CLI prints what clients send as inert text", () => {
  it("shows escape sequences, control characters and bidi overrides in span names escaped", async () => {
    const { cli, url, key } = await startDev();
    const { root, llm } = makeTrace();
    delete root.attributes["http.route"];
    root.name = "\u001b]0;pwned\u0007\u001b[2J\u001b[1;1Hfake line\rPOST";
    llm.attributes["gen_ai.response.model"] = "gpt\u202e\u009b2J";
    llm.status = "error";
    llm.error = { type: "Error", message: "boom\n\u001b[31mred" };
    expect((await postBatch(url, key, makeBatch([llm, root]))).status).toBe(200);
    const [line] = await cli.waitFor(/^vercel {2}\\x1b.*$/m);
    expect(line).toBe(
      "vercel  \\x1b]0;pwned\\x07\\x1b[2J\\x1b[1;1Hfake line POST  412ms  ok" +
        "  · openai gpt\\u202e\\x9b2J ttft 120ms 52→18 tok error Error: boom \\x1b[31mred",
    );
    // nothing the terminal would act on: no control character but the line breaks, no bidi override
    for (const printed of cli.output().stdout.split("\n")) {
      expect(printed).not.toMatch(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/u);
    }
  });
});

describe("bound beyond loopback, the CLI needs the key for everything", () => {
  it("warns in the banner, and answers the read API, the viewer and the controls only with the key", async () => {
    const { cli, url, key } = await startDev(["--host", "0.0.0.0"]);
    const { stdout } = cli.output();
    expect(stdout).toMatch(/listening on 0\.0\.0\.0:\d+ \(every network interface\)/);
    expect(stdout).toMatch(/WARNING: {2}other machines can reach it/);
    const viewerUrl = (await cli.waitFor(/viewer: {3}(\S+)/))[1]!;
    expect(viewerUrl).toBe(`${url}/?key=${encodeURIComponent(key)}`);

    for (const path of ["/v1/traces", "/v1/stats", "/", "/viewer.js", "/_control/faults"]) {
      expect((await fetch(`${url}${path}`)).status, path).toBe(401);
    }
    const setFaults = await fetch(`${url}/_control/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ status: 503 }),
    });
    expect(setFaults.status).toBe(401);
    await stillServes(url, key); // the fault was not set

    const bearer = { authorization: `Bearer ${key}` };
    expect((await fetch(`${url}/v1/traces`, { headers: bearer })).status).toBe(200);
    expect((await fetch(`${url}/_control/faults`, { headers: bearer })).status).toBe(200);

    // the banner's viewer URL signs the browser in with a cookie and takes the key out of the address
    const signIn = await fetch(viewerUrl, { redirect: "manual" });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get("set-cookie")).toMatch(/; HttpOnly; SameSite=Strict; Path=\/$/);
    const cookie = signIn.headers.get("set-cookie")!.split(";")[0]!;
    const page = await fetch(`${url}/`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/viewer.js"');
    expect((await fetch(`${url}/v1/traces`, { headers: { cookie } })).status).toBe(200);
    expect((await fetch(`${url}/?key=wrong`, { redirect: "manual" })).status).toBe(401);
  });
});

describe("the CLI answers what it does not know with a JSON error", () => {
  it("gives 404 for an unknown path whatever the method, and 405 with Allow for a known one", async () => {
    const { url, key } = await startDev();
    const nope = await fetch(`${url}/nope`, { method: "POST", body: "{}" });
    expect(nope.status).toBe(404);
    expect(await nope.json()).toEqual({ error: "no route POST /nope" });
    expect((await fetch(`${url}/v1/spans`, { method: "PUT", body: "{}" })).status).toBe(404);
    const batch = await fetch(`${url}/v1/batch`);
    expect(batch.status).toBe(405);
    expect(batch.headers.get("allow")).toBe("POST");
    expect(await batch.json()).toEqual({ error: "use POST" });
    expect((await fetch(`${url}/v1/traces`, { method: "DELETE" })).status).toBe(405);
    await stillServes(url, key);
  });
});

describe("the CLI says what is wrong with how it was started, without a stack trace", () => {
  it("prints its version", async () => {
    const cli = runCli(["--version"]);
    expect(await cli.exited).toBe(0);
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, "..", "package.json"), "utf8"));
    expect(cli.output().stdout).toBe(`${version}\n`);
  });

  it("exits 2 for a --db that is not a SQLite database", async () => {
    const notes = join(scratchDir(), "notes.txt");
    writeFileSync(notes, "my notes, not a database\n".repeat(200));
    const cli = runCli(["dev", "--port", "0", "--db", notes]);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toBe(
      `lumiqtrace: --db: cannot use ${notes} as the database: file is not a database\n`,
    );
    expect(readFileSync(notes, "utf8")).toBe("my notes, not a database\n".repeat(200));
  });

  it("exits 2 for a --db under a file", async () => {
    const file = join(scratchDir(), "file");
    writeFileSync(file, "");
    const cli = runCli(["dev", "--port", "0", "--db", join(file, "traces.sqlite")]);
    expect(await cli.exited).toBe(2);
    expect(cli.output().stderr).toMatch(
      /^lumiqtrace: --db: cannot use .*file\/traces\.sqlite as the database: /,
    );
    expect(cli.output().stderr).not.toMatch(STACK_FRAME);
  });

  it("exits 2 for a --host that is not an address of this machine, or not an address at all", async () => {
    const absent = runCli(["dev", "--port", "0", "--memory", "--host", "192.0.2.1"]);
    expect(await absent.exited).toBe(2);
    expect(absent.output().stderr).toBe(
      "lumiqtrace: --host 192.0.2.1: this machine has no such address (127.0.0.1 is the default)\n",
    );
    const garbage = runCli(["dev", "--port", "0", "--memory", "--host", "not a host"]);
    expect(await garbage.exited).toBe(2);
    expect(garbage.output().stderr).toMatch(
      /^lumiqtrace: --host: expected an IP address or a host name, got "not a host"\n\nUsage:/,
    );
    expect(garbage.output().stderr).not.toMatch(STACK_FRAME);
  });
});
