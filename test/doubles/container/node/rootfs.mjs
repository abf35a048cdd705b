// Maps paths as the node sees them onto the node's rootfs folder on the host. Every file access of
// the fake node goes through here so nothing outside the rootfs can ever be read or written.
import fs from "node:fs";
import path from "node:path";

export class RootfsEscapeError extends Error {}

/** Normalises a path as the node sees it (relative paths are taken from `cwd`, default `/`). */
export function nodePath(p, cwd = "/") {
  return path.posix.resolve(cwd, String(p));
}

/** Host path of node path `p` inside `rootfs`; throws RootfsEscapeError if it would leave the rootfs. */
export function hostPath(rootfs, p, cwd = "/") {
  const inNode = nodePath(p, cwd);
  const root = path.resolve(rootfs);
  const mapped = path.join(root, ...inNode.split("/").filter(Boolean));
  assertInside(root, mapped);
  return mapped;
}

// A symlink inside the rootfs could point at the host; resolve the deepest existing ancestor and
// check it is still under the rootfs.
function assertInside(root, mapped) {
  let realRoot;
  try {
    realRoot = fs.realpathSync(root);
  } catch {
    realRoot = root;
  }
  let probe = mapped;
  for (;;) {
    try {
      const real = fs.realpathSync(probe);
      if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
        throw new RootfsEscapeError(`fake node: path ${mapped} resolves outside the node rootfs`);
      }
      return;
    } catch (err) {
      if (err instanceof RootfsEscapeError) throw err;
      const parent = path.dirname(probe);
      if (parent === probe) return;
      probe = parent;
    }
  }
}

/** fs.Stats of node path `p`, or null when it does not exist. */
export function statNode(rootfs, p) {
  try {
    return fs.statSync(hostPath(rootfs, p));
  } catch (err) {
    if (err instanceof RootfsEscapeError) throw err;
    return null;
  }
}

export function readNodeFile(rootfs, p) {
  return fs.readFileSync(hostPath(rootfs, p));
}

export function readNodeText(rootfs, p) {
  return fs.readFileSync(hostPath(rootfs, p), "utf8");
}

export function writeNodeFile(rootfs, p, data, mode) {
  const target = hostPath(rootfs, p);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, data, mode === undefined ? undefined : { mode });
  return target;
}

export function existsNode(rootfs, p) {
  return statNode(rootfs, p) !== null;
}

export function removeNode(rootfs, p) {
  fs.rmSync(hostPath(rootfs, p), { recursive: true, force: true });
}
