/** The name kina gives the cluster, user and context entries of cluster `cluster`. */
export function kinaEntryName(cluster: string): string {
  return `kina-${cluster}`;
}
