import type { ClusterModel } from './cluster-model'
import { serversInRankOrder } from './cluster-model'

export interface LaunchCommand {
  server: string
  nodeRank: number
  msrun: string
}

export interface LaunchHelp {
  commands: LaunchCommand[]
  /** MindFormers YAML lines, the same on every server. */
  mindformers: string[]
}

/**
 * The `msrun` line each server runs for the pushed layout, and the MindFormers settings that load it as it lies:
 * the checkpoint is already in the destination layout, so nothing converts it again at load time.
 */
export function launchHelp(
  model: ClusterModel,
  destinationRanks: number[],
  options: { masterAddr: string; masterPort: number; remoteFolder: string; strategyPath?: string }
): LaunchHelp {
  const wanted = new Set(destinationRanks)
  const servers = serversInRankOrder(model).filter((s) => s.devices.some((d) => wanted.has(d.rank)))
  const commands = servers.map((server, nodeRank) => {
    const local = server.devices.filter((d) => wanted.has(d.rank)).length
    return {
      server: server.id,
      nodeRank,
      msrun: [
        'msrun',
        `--worker_num=${wanted.size}`,
        `--local_worker_num=${local}`,
        `--master_addr=${options.masterAddr}`,
        `--master_port=${options.masterPort}`,
        `--node_rank=${nodeRank}`,
        '--log_dir=msrun_log',
        '--join=True',
        'run_mindformer.py --config <your yaml>'
      ].join(' ')
    }
  })
  const mindformers = [`load_checkpoint: ${JSON.stringify(options.remoteFolder)}`, 'auto_trans_ckpt: False']
  if (options.strategyPath !== undefined) {
    mindformers.push(
      `# only if auto_trans_ckpt is turned back on: the layout these shards are in`,
      `src_strategy_path_or_dir: ${JSON.stringify(options.strategyPath)}`
    )
  }
  return { commands, mindformers }
}
