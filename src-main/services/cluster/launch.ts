import type { ClusterModel } from '../../engine/cluster/cluster-model'
import { DEFAULT_MASTER_PORT, serverAccess, type ClusterProfile } from '../../engine/cluster/cluster-profile'
import { launchHelp, type LaunchHelp } from '../../engine/cluster/launch-commands'
import type { ConvertedFolder } from './manifest-hashes'
import type { PushPlan } from './push-plan'

/**
 * The msrun lines and MindFormers settings for a pushed layout, as the CLI prints them and the Cluster view
 * shows them. The master is the server holding the lowest destination rank, addressed as the rank table gives
 * it, else as the profile reaches it, else by its id; the folder is where the first server's copy lies.
 */
export function launchForPush(
  model: ClusterModel,
  profile: ClusterProfile | undefined,
  converted: ConvertedFolder,
  plan: PushPlan
): LaunchHelp {
  const ranks = converted.outputs.map((o) => o.rank)
  const lowest = ranks.reduce((a, b) => Math.min(a, b), Number.MAX_SAFE_INTEGER)
  const first = model.servers.find((s) => s.devices.some((d) => d.rank === lowest))
  const masterAddr =
    first?.address ??
    (profile && first ? serverAccess(profile, first.id).host : undefined) ??
    first?.id ??
    '<master address>'
  const folder = plan.servers[0]?.folder ?? `<remote root>/${plan.name}`
  const strategy = converted.strategyFiles[0]
  return launchHelp(model, ranks, {
    masterAddr,
    masterPort: profile?.masterPort ?? DEFAULT_MASTER_PORT,
    remoteFolder: folder,
    ...(strategy ? { strategyPath: `${folder}/${strategy.relativePath}` } : {})
  })
}
