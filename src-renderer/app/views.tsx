import type { ReactNode } from 'react'
import { ClusterView } from '../views/cluster/ClusterView'
import { DeviceMatrixView } from '../views/device-matrix/DeviceMatrixView'
import { FolderView } from '../views/folder/FolderView'
import { HelpView } from '../views/help/HelpView'
import { OpenView } from '../views/open/OpenView'
import { PipelineView } from '../views/pipeline/PipelineView'
import { PlannerView } from '../views/planner/PlannerView'
import { RunView } from '../views/run/RunView'
import { StrategyExplorer } from '../views/strategy/StrategyExplorer'
import { TensorLayoutView } from '../views/tensor-layout/TensorLayoutView'

export interface ViewEntry {
  id: string
  label: string
  /** One line for the help page and the command palette. */
  description: string
  render: () => ReactNode
}

/**
 * Every view, in sidebar order. This list is the one place a view is registered: the sidebar, Alt+<n>, the
 * command palette, the Electron View menu and the help page are all drawn from it.
 */
export const VIEWS: ViewEntry[] = [
  {
    id: 'open',
    label: 'Open',
    description:
      'The workspace: what is open, which checkpoint folder each strategy describes (pairs), recent items, and drop or browse to open more.',
    render: () => <OpenView />
  },
  {
    id: 'strategy',
    label: 'Strategy explorer',
    description:
      'Every parameter layout of the active strategy; shapes, dtypes and bytes only from the checkpoint folder paired with it.',
    render: () => <StrategyExplorer />
  },
  {
    id: 'device-matrix',
    label: 'Device matrix',
    description:
      'The device grid of one parameter, pipeline stages as blocks, the ranks that hold each slice.',
    render: () => <DeviceMatrixView />
  },
  {
    id: 'tensor-layout',
    label: 'Tensor layout',
    description:
      'One parameter’s full tensor cut into the blocks each rank holds, optimizer shards included.',
    render: () => <TensorLayoutView />
  },
  {
    id: 'pipeline',
    label: 'Pipeline stages',
    description: 'Stages and their ranks, parameters and bytes per rank, parameters several stages share.',
    render: () => <PipelineView />
  },
  {
    id: 'folder',
    label: 'Checkpoint folder',
    description:
      'The active checkpoint folder’s ranks, files and sizes, and its problems against its paired strategy.',
    render: () => <FolderView />
  },
  {
    id: 'planner',
    label: 'Transform planner',
    description:
      'A conversion with every CLI option, checked and previewed before anything is written, and the exact shardscope command.',
    render: () => <PlannerView />
  },
  {
    id: 'run',
    label: 'Run',
    description:
      'Progress of a conversion, what is kept after a cancel, checksums, and re-verifying an output folder.',
    render: () => <RunView />
  },
  {
    id: 'cluster',
    label: 'Cluster',
    description:
      'A rank table as servers × devices: where each destination rank lands, the NPUs there, and pushing the converted files to each node, verified.',
    render: () => <ClusterView />
  },
  {
    id: 'help',
    label: 'Help',
    description:
      'The views, the words (device matrix, tensor map, optimizer shard, pipeline stage) and the shortcuts.',
    render: () => <HelpView />
  }
]

/** Alt+1…9 in list order. */
export function viewShortcut(index: number): string | undefined {
  return index < 9 ? String(index + 1) : undefined
}
