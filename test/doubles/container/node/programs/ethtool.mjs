// `ethtool -k DEV` / `ethtool -K DEV tso on|off` for the NICs the VM has (/sys/class/net): the
// offload the node prep turns off (apple/container #2245). Other ethtool uses are not modelled.
import { fail, ok } from "../result.mjs";
import { existsNode } from "../rootfs.mjs";
import { readState, updateState } from "../fake-state.mjs";

const STATE = "ethtool.json";

export function ethtool(ctx, args) {
  const [flag, dev, ...rest] = args;
  if (!dev || (flag !== "-k" && flag !== "-K")) return fail(1, "ethtool: fake: only -k DEV and -K DEV tso on|off are modelled");
  if (!existsNode(ctx.rootfs, `/sys/class/net/${dev}`)) {
    return fail(71, `netlink error: no device matches name (offset 24)\nnetlink error: No such device`);
  }
  if (flag === "-k") {
    const tso = readState(ctx.rootfs, STATE, {})[dev]?.tso ?? "on";
    return ok(`Features for ${dev}:\ntcp-segmentation-offload: ${tso}\n\ttx-tcp-segmentation: ${tso}\n`);
  }
  if (rest.length !== 2 || rest[0] !== "tso" || !["on", "off"].includes(rest[1])) return fail(1, "ethtool: fake: expected -K DEV tso on|off");
  updateState(ctx.rootfs, STATE, {}, (s) => ({ ...s, [dev]: { ...s[dev], tso: rest[1] } }));
  return ok();
}
