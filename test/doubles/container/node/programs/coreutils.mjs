// The handful of coreutils/gzip programs kina runs in a node, with GNU-style messages.
import fs from "node:fs";
import zlib from "node:zlib";
import path from "node:path";
import { ok, fail } from "../result.mjs";
import { hostPath, nodePath, statNode } from "../rootfs.mjs";
import { readKernelConfig, KERNEL_CONFIG_PATH } from "../kernel.mjs";

export const SOCKET_MARKER = "fake unix socket";

/** The seed tree cannot hold real sockets, so a socket is a file starting with SOCKET_MARKER. */
export function isSocket(rootfs, p) {
  const st = statNode(rootfs, p);
  if (!st || !st.isFile()) return false;
  const fd = fs.openSync(hostPath(rootfs, p), "r");
  try {
    const buf = Buffer.alloc(SOCKET_MARKER.length);
    fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.toString() === SOCKET_MARKER;
  } finally {
    fs.closeSync(fd);
  }
}

function splitFlags(args, prog, allowed) {
  const flags = new Set();
  const operands = [];
  let endOfOptions = false;
  for (const arg of args) {
    if (!endOfOptions && arg === "--") {
      endOfOptions = true;
    } else if (!endOfOptions && arg.startsWith("-") && arg !== "-") {
      for (const ch of arg.slice(1)) {
        if (!allowed.includes(ch)) {
          return { error: fail(1, `${prog}: invalid option -- '${ch}'\nTry '${prog} --help' for more information.`) };
        }
        flags.add(ch);
      }
    } else {
      operands.push(arg);
    }
  }
  return { flags, operands };
}

export function cat(ctx, args) {
  const parsed = splitFlags(args, "cat", "");
  if (parsed.error) return parsed.error;
  const files = parsed.operands.length ? parsed.operands : ["-"];
  let out = "";
  let err = "";
  for (const file of files) {
    if (file === "-") {
      out += ctx.stdin.readAll().toString();
      continue;
    }
    const st = statNode(ctx.rootfs, nodePath(file, ctx.cwd));
    if (!st) err += `cat: ${file}: No such file or directory\n`;
    else if (st.isDirectory()) err += `cat: ${file}: Is a directory\n`;
    else if (isSocket(ctx.rootfs, nodePath(file, ctx.cwd))) err += `cat: ${file}: No such device or address\n`;
    else out += fs.readFileSync(hostPath(ctx.rootfs, file, ctx.cwd), "utf8");
  }
  return err ? { exitCode: 1, stdout: out, stderr: err } : ok(out);
}

export function zcat(ctx, args) {
  const parsed = splitFlags(args, "gzip", "f");
  if (parsed.error) return parsed.error;
  const files = parsed.operands.length ? parsed.operands : ["-"];
  let out = "";
  let err = "";
  for (const file of files) {
    const data = file === "-" ? ctx.stdin.readAll() : readOrNull(ctx, file);
    if (data === null) {
      err += `gzip: ${file}: No such file or directory\n`;
    } else if (data[0] === 0x1f && data[1] === 0x8b) {
      out += zlib.gunzipSync(data).toString();
    } else if (file !== "-" && nodePath(file, ctx.cwd) === KERNEL_CONFIG_PATH) {
      // The seed keeps /proc/config.gz as plain text (contract), standing in for the kernel's
      // on-the-fly gzip of its config.
      out += data.toString();
    } else {
      err += `gzip: ${file === "-" ? "stdin" : file}: not in gzip format\n`;
    }
  }
  return err ? { exitCode: 1, stdout: out, stderr: err } : ok(out);
}

function readOrNull(ctx, file) {
  const st = statNode(ctx.rootfs, nodePath(file, ctx.cwd));
  if (!st || !st.isFile()) return null;
  return fs.readFileSync(hostPath(ctx.rootfs, file, ctx.cwd));
}

export function mkdir(ctx, args) {
  const modeIndex = args.indexOf("-m");
  let rest = args;
  if (modeIndex !== -1) rest = args.filter((_, i) => i !== modeIndex && i !== modeIndex + 1);
  const parsed = splitFlags(rest, "mkdir", "pv");
  if (parsed.error) return parsed.error;
  if (!parsed.operands.length) return fail(1, "mkdir: missing operand\nTry 'mkdir --help' for more information.");
  let err = "";
  let out = "";
  for (const dir of parsed.operands) {
    const target = hostPath(ctx.rootfs, dir, ctx.cwd);
    const st = statNode(ctx.rootfs, nodePath(dir, ctx.cwd));
    if (parsed.flags.has("p")) {
      if (st && !st.isDirectory()) {
        err += `mkdir: cannot create directory '${dir}': Not a directory\n`;
        continue;
      }
      fs.mkdirSync(target, { recursive: true });
    } else if (st) {
      err += `mkdir: cannot create directory '${dir}': File exists\n`;
      continue;
    } else if (!statNode(ctx.rootfs, path.posix.dirname(nodePath(dir, ctx.cwd)))) {
      err += `mkdir: cannot create directory '${dir}': No such file or directory\n`;
      continue;
    } else {
      fs.mkdirSync(target);
    }
    if (parsed.flags.has("v")) out += `mkdir: created directory '${dir}'\n`;
  }
  return err ? { exitCode: 1, stdout: out, stderr: err } : ok(out);
}

export function rm(ctx, args) {
  const parsed = splitFlags(args, "rm", "frRv");
  if (parsed.error) return parsed.error;
  const force = parsed.flags.has("f");
  const recursive = parsed.flags.has("r") || parsed.flags.has("R");
  if (!parsed.operands.length) {
    return force ? ok() : fail(1, "rm: missing operand\nTry 'rm --help' for more information.");
  }
  let err = "";
  for (const file of parsed.operands) {
    const inNode = nodePath(file, ctx.cwd);
    if (inNode === "/") {
      err += "rm: it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe\n";
      continue;
    }
    const st = statNode(ctx.rootfs, inNode);
    if (!st) {
      if (!force) err += `rm: cannot remove '${file}': No such file or directory\n`;
      continue;
    }
    if (st.isDirectory() && !recursive) {
      err += `rm: cannot remove '${file}': Is a directory\n`;
      continue;
    }
    fs.rmSync(hostPath(ctx.rootfs, inNode), { recursive: true, force: true });
  }
  return err ? fail(1, err) : ok();
}

const UNARY_FILE_OPS = ["-e", "-f", "-d", "-S", "-s", "-x", "-r", "-w", "-L", "-h", "-p"];

function fileTest(ctx, op, file) {
  const inNode = nodePath(file, ctx.cwd);
  if (op === "-L" || op === "-h") {
    try {
      return fs.lstatSync(hostPath(ctx.rootfs, inNode)).isSymbolicLink();
    } catch {
      return false;
    }
  }
  const st = statNode(ctx.rootfs, inNode);
  if (!st) return false;
  const socket = isSocket(ctx.rootfs, inNode);
  switch (op) {
    case "-e":
    case "-r":
    case "-w":
      return true;
    case "-f":
      return st.isFile() && !socket;
    case "-d":
      return st.isDirectory();
    case "-S":
      return socket;
    case "-s":
      return st.size > 0 && !socket;
    case "-x":
      return (st.mode & 0o111) !== 0;
    case "-p":
      return false;
    default:
      return false;
  }
}

function evalTest(ctx, args, prog) {
  if (args.length === 0) return 1;
  if (args[0] === "!") {
    const inner = evalTest(ctx, args.slice(1), prog);
    return inner === 2 ? 2 : inner === 0 ? 1 : 0;
  }
  if (args.length === 1) return args[0] === "" ? 1 : 0;
  if (args.length === 2) {
    const [op, operand] = args;
    if (UNARY_FILE_OPS.includes(op)) return fileTest(ctx, op, operand) ? 0 : 1;
    if (op === "-z") return operand === "" ? 0 : 1;
    if (op === "-n") return operand !== "" ? 0 : 1;
    throw new TestSyntaxError(`${prog}: '${op}': unary operator expected`);
  }
  if (args.length === 3) {
    const [a, op, b] = args;
    switch (op) {
      case "=":
      case "==":
        return a === b ? 0 : 1;
      case "!=":
        return a !== b ? 0 : 1;
      case "-eq":
      case "-ne":
      case "-lt":
      case "-le":
      case "-gt":
      case "-ge": {
        for (const v of [a, b]) {
          if (!/^-?\d+$/.test(v.trim())) throw new TestSyntaxError(`${prog}: invalid integer '${v}'`);
        }
        const [x, y] = [Number(a), Number(b)];
        const result = { "-eq": x === y, "-ne": x !== y, "-lt": x < y, "-le": x <= y, "-gt": x > y, "-ge": x >= y }[op];
        return result ? 0 : 1;
      }
      default:
        throw new TestSyntaxError(`${prog}: '${op}': binary operator expected`);
    }
  }
  throw new TestSyntaxError(`${prog}: extra argument '${args[3]}'`);
}

class TestSyntaxError extends Error {}

export function test(ctx, args) {
  let operands = args;
  const prog = ctx.argv0 === "[" ? "[" : "test";
  if (prog === "[") {
    if (args[args.length - 1] !== "]") return fail(2, "[: missing ']'");
    operands = args.slice(0, -1);
  }
  try {
    return { exitCode: evalTest(ctx, operands, prog), stdout: "", stderr: "" };
  } catch (err) {
    if (err instanceof TestSyntaxError) return fail(2, err.message);
    throw err;
  }
}

export function echo(_ctx, args) {
  let newline = true;
  let words = args;
  if (words[0] === "-n") {
    newline = false;
    words = words.slice(1);
  }
  // dash's echo interprets backslash escapes; \c stops output.
  let text = words.join(" ");
  const stop = text.indexOf("\\c");
  if (stop !== -1) {
    text = text.slice(0, stop);
    newline = false;
  }
  text = text.replace(/\\([\\abfnrtv]|0[0-7]{0,3})/g, (_m, e) => {
    const map = { "\\": "\\", a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };
    return e[0] === "0" ? String.fromCharCode(parseInt(e.slice(1) || "0", 8)) : map[e];
  });
  return ok(text + (newline ? "\n" : ""));
}

export function trueProgram() {
  return ok();
}

export function falseProgram() {
  return { exitCode: 1, stdout: "", stderr: "" };
}

export function uname(ctx, args) {
  const kernel = readKernelConfig(ctx.rootfs);
  const fields = {
    s: "Linux",
    n: ctx.node.id,
    r: kernel.release,
    v: "#1 SMP",
    m: "aarch64",
    o: "GNU/Linux",
  };
  const parsed = splitFlags(args, "uname", "asnrvmo");
  if (parsed.error) return parsed.error;
  if (parsed.operands.length) return fail(1, `uname: extra operand '${parsed.operands[0]}'\nTry 'uname --help' for more information.`);
  const order = parsed.flags.has("a") ? ["s", "n", "r", "v", "m", "o"] : ["s", "n", "r", "v", "m", "o"].filter((f) => parsed.flags.has(f));
  return ok((order.length ? order : ["s"]).map((f) => fields[f]).join(" ") + "\n");
}

/** chmod OCTAL FILE… (kina sets modes of files it writes; symbolic modes are not needed). */
export function chmod(ctx, args) {
  const [mode, ...files] = args;
  if (!mode || !/^[0-7]{3,4}$/.test(mode)) return fail(1, `chmod: invalid mode: '${mode ?? ""}'`);
  if (!files.length) return fail(1, `chmod: missing operand after '${mode}'`);
  let err = "";
  for (const file of files) {
    if (!statNode(ctx.rootfs, nodePath(file, ctx.cwd))) {
      err += `chmod: cannot access '${file}': No such file or directory\n`;
      continue;
    }
    fs.chmodSync(hostPath(ctx.rootfs, file, ctx.cwd), Number.parseInt(mode, 8));
  }
  return err ? { exitCode: 1, stdout: "", stderr: err } : { exitCode: 0, stdout: "", stderr: "" };
}
