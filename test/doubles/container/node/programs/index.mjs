// The programs a fake node has on its PATH, by name.
import { cat, chmod, echo, falseProgram, mkdir, rm, test, trueProgram, uname, zcat } from "./coreutils.mjs";
import { crictl } from "./crictl.mjs";
import { ctr } from "./ctr.mjs";
import { ethtool } from "./ethtool.mjs";
import { ip } from "./ip.mjs";
import { IPTABLES_PROGRAMS, iptables, updateAlternatives } from "./iptables.mjs";
import { journalctl } from "./journal.mjs";
import { kubeadm } from "./kubeadm.mjs";
import { sysctl } from "./sysctl.mjs";
import { systemctl } from "./systemctl.mjs";

export const PROGRAMS = {
  cat,
  chmod,
  zcat,
  mkdir,
  rm,
  test,
  "[": test,
  echo,
  true: trueProgram,
  false: falseProgram,
  uname,
  sysctl,
  systemctl,
  journalctl,
  ctr,
  crictl,
  ethtool,
  ip,
  kubeadm,
  "update-alternatives": updateAlternatives,
  ...Object.fromEntries(Object.keys(IPTABLES_PROGRAMS).map((name) => [name, iptables])),
};

/** Directories a bare program name may be given with (`/usr/bin/kubeadm`). */
export const BIN_DIRS = ["/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin", "/usr/local/sbin"];
