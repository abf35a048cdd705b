// One node program run on behalf of a kina script (see kina-scripts.mjs): argv = PROG ARGS…,
// the node in $FAKE_NODE. Logged to exec.log with "via":"kina-script".
import fs from "node:fs";
import path from "node:path";
import { PROGRAMS } from "./programs/index.mjs";
import { Stdin } from "./result.mjs";

const node = JSON.parse(process.env.FAKE_NODE ?? "null");
const [prog, ...args] = process.argv.slice(2);
const program = node && prog ? PROGRAMS[prog] : undefined;
let result;
if (!program) {
  result = { exitCode: 127, stdout: "", stderr: `${prog}: not found\n` };
} else {
  const stdin = process.stdin.isTTY ? undefined : fs.readFileSync(0);
  result = await program({ node, rootfs: node.rootfs, stdin: new Stdin(stdin), cwd: "/", argv0: prog }, args);
}
if (node) {
  const record = { node: node.id, argv: [prog, ...args], exitCode: result.exitCode, via: "kina-script" };
  fs.appendFileSync(path.join(node.clusterStateDir, "exec.log"), JSON.stringify(record) + "\n");
}
process.stdout.write(result.stdout ?? "");
process.stderr.write(result.stderr ?? "");
process.exitCode = result.exitCode;
