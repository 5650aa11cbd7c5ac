// The zip is read back by Python's zipfile (an independent reader; python3 is on every machine of this
// project: .ci/setup.d/lambda.sh), as Lambda's unpacker would read it: names, Unix modes, bytes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { zip } from "./zip.js";

const READ = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
print(json.dumps([[i.filename, i.external_attr >> 16, z.read(i).decode("latin-1")] for i in z.infolist()]))
`;

describe("zip", () => {
  it("writes entries another reader gets back whole, with their Unix modes", () => {
    const big = "extension code ".repeat(10_000);
    const file = join(mkdtempSync(join(tmpdir(), "lqt-zip-")), "layer.zip");
    writeFileSync(
      file,
      zip([
        { path: "extensions/", mode: 0o755 },
        { path: "extensions/lumiqtrace", mode: 0o755, data: Buffer.from("#!/bin/bash\nexec node x\n") },
        { path: "lumiqtrace-extension/extension.mjs", mode: 0o644, data: Buffer.from(big) },
      ]),
    );
    const read = JSON.parse(execFileSync("python3", ["-c", READ, file], { encoding: "utf8" }));
    expect(read).toEqual([
      ["extensions/", 0o040755, ""],
      ["extensions/lumiqtrace", 0o100755, "#!/bin/bash\nexec node x\n"],
      ["lumiqtrace-extension/extension.mjs", 0o100644, big],
    ]);
  });

  it("gives the same bytes for the same files (fixed timestamps)", () => {
    const entries = [{ path: "a", mode: 0o644, data: Buffer.from("x") }];
    expect(zip(entries).equals(zip(entries))).toBe(true);
  });
});
