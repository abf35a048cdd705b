// `container exec <node> argv…` inside a fake kina node. The node is a folder (its rootfs) plus the
// behaviour of the few programs kina runs there; see programs/ for each of them.
import fs from "node:fs";
import path from "node:path";
import { Stdin } from "./result.mjs";
import { RootfsEscapeError } from "./rootfs.mjs";
import { recordNodeInfo } from "./cluster.mjs";
import { runShell } from "./shell.mjs";
import { BIN_DIRS, PROGRAMS } from "./programs/index.mjs";
import { kinaScript, runKinaScript } from "./kina-scripts.mjs";

const SHELLS = ["sh", "bash", "dash"];

function appendExecLog(node, argv, exitCode, via, redirects) {
  const record = { node: node.id, argv, exitCode };
  if (via) record.via = via;
  // `cat > /etc/x` logs argv ["cat"] plus "redirects": [">", "/etc/x"].
  if (redirects?.length) record.redirects = redirects.flatMap((r) => [r.append ? ">>" : ">", r.target]);
  fs.appendFileSync(path.join(node.clusterStateDir, "exec.log"), JSON.stringify(record) + "\n");
}

function programName(argv0) {
  if (!argv0.includes("/")) return argv0;
  const dir = path.posix.dirname(path.posix.normalize(argv0));
  return BIN_DIRS.includes(dir) ? path.posix.basename(argv0) : null;
}

function notFound(argv0) {
  return { exitCode: 127, stdout: "", stderr: `exec: "${argv0}": executable file not found in $PATH\n`, notFound: true };
}

async function dispatch(ctx, argv) {
  const [argv0 = "", ...args] = argv;
  const name = programName(argv0);
  if (name && SHELLS.includes(name)) {
    const script = kinaScript(ctx.rootfs, args);
    if (script) return runKinaScript(ctx, script, args);
    return runShell({ ...ctx, argv0: name }, args, {
      runProgram: (words) => dispatch(ctx, words),
      logInner: (words, exitCode, redirects) => appendExecLog(ctx.node, words, exitCode, "sh", redirects),
    });
  }
  const program = name ? PROGRAMS[name] : undefined;
  if (!program || !Object.hasOwn(PROGRAMS, name)) return notFound(argv0);
  return program({ ...ctx, argv0: name }, args);
}

/**
 * Runs `argv` in `node` ({ id, rootfs, stateDir, ip, publishedPorts, labels, clusterStateDir }),
 * with `stdin` (Buffer | string | undefined), and appends the call to `<clusterStateDir>/exec.log`
 * (commands run by an `sh -c` script come first, each with "via":"sh" and, when their stdout was
 * redirected, "redirects": [">", PATH]).
 * Resolves to { exitCode, stdout, stderr } with string streams.
 */
export async function execInNode(node, argv, stdin) {
  for (const key of ["id", "rootfs", "stateDir", "clusterStateDir"]) {
    if (typeof node?.[key] !== "string" || !node[key]) throw new TypeError(`execInNode: node.${key} is required`);
  }
  if (!Array.isArray(argv) || argv.some((a) => typeof a !== "string")) throw new TypeError("execInNode: argv must be an array of strings");
  recordNodeInfo(node);
  const ctx = { node, rootfs: node.rootfs, stdin: new Stdin(stdin), cwd: "/" };
  let result;
  try {
    result = await dispatch(ctx, argv);
  } catch (err) {
    if (err instanceof RootfsEscapeError) result = { exitCode: 1, stdout: "", stderr: `${err.message}\n` };
    else result = { exitCode: 125, stdout: "", stderr: `fake node: internal error: ${err?.stack ?? err}\n` };
  }
  appendExecLog(node, argv, result.exitCode);
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
}
