// Types for TypeScript callers (tests) of the fake node.
export interface FakeNode {
  id: string;
  rootfs: string;
  stateDir: string;
  ip?: string | null;
  publishedPorts?: { hostAddress?: string; hostPort: number; containerPort: number; proto?: string }[];
  labels?: Record<string, string>;
  clusterStateDir: string;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function execInNode(node: FakeNode, argv: string[], stdin?: Buffer | string | null): Promise<ExecResult>;
