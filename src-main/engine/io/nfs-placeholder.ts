/**
 * An NFS client keeps a file that was deleted while still open under a hidden name, `.nfs` and hex digits, until
 * the last process closes it; then it vanishes. Such an entry is nobody's data and cannot be removed by us, so
 * a folder that holds one (after a run replaced an output some reader still had open) is not "not empty".
 */
const NFS_PLACEHOLDER = /^\.nfs[0-9a-f]{8,}$/i

export function isNfsPlaceholder(name: string): boolean {
  return NFS_PLACEHOLDER.test(name)
}
