// The node kernel's features, read from the /proc/config.gz text in the node rootfs so tests can
// swap kernels by editing that file.
import { readNodeText } from "./rootfs.mjs";

export const KERNEL_CONFIG_PATH = "/proc/config.gz";

export function readKernelConfig(rootfs) {
  let text = "";
  try {
    text = readNodeText(rootfs, KERNEL_CONFIG_PATH);
  } catch {
    // No config: every option reads as off.
  }
  const options = new Map();
  for (const line of text.split("\n")) {
    const m = /^(CONFIG_[A-Za-z0-9_]+)=(.*)$/.exec(line);
    if (m) options.set(m[1], m[2]);
  }
  const version = /Linux\/\S+ (\d+)\.(\d+)\.(\d+)/.exec(text);
  return {
    has(name) {
      const v = options.get(name.startsWith("CONFIG_") ? name : `CONFIG_${name}`);
      return v === "y" || v === "m";
    },
    release: version ? `${version[1]}.${version[2]}.${version[3]}` : "0.0.0",
    atLeast(major, minor) {
      if (!version) return false;
      const [ma, mi] = [Number(version[1]), Number(version[2])];
      return ma > major || (ma === major && mi >= minor);
    },
  };
}
