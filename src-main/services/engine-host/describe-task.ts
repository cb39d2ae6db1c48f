import type { HostedRequest } from './host-protocol'

/** What a request was doing, as the end of "The engine process stopped while …". */
export function describeTask(name: HostedRequest, params: unknown): string {
  const p = params as {
    path?: string
    source?: { folder?: string }
    layout?: string
    server?: string
    request?: { destination?: { folder?: string } }
  }
  switch (name) {
    case 'path.open':
      return `reading ${p.path}`
    case 'path.list':
      return `listing ${p.path ?? 'your home folder'}`
    case 'strategy.describe':
      return `reading the strategy ${p.path}`
    case 'folder.describe':
      return `reading the checkpoint folder ${p.path}`
    case 'rankTable.describe':
      return `reading the rank table ${p.path}`
    case 'plan.create':
      return `planning the conversion of ${p.source?.folder}`
    case 'plan.param':
      return 'showing a parameter of a plan'
    case 'job.start':
    case 'job.cancel':
      return 'running a conversion'
    case 'pair.match':
      return 'matching strategies with checkpoint folders'
    case 'folder.verify':
    case 'verify.cancel':
      return `verifying ${p.path ?? 'an output folder'}`
    case 'cluster.describe':
      return `reading the cluster layout ${p.layout}`
    case 'cluster.probe':
      return `probing the NPUs of the servers in ${p.layout}`
    case 'cluster.push':
    case 'cluster.cancel':
      return 'pushing a checkpoint to the cluster'
    case 'cluster.trustHost':
      return `pinning the host key of ${p.server}`
    case 'clusterRun.launch':
      return `preparing the cluster run into ${p.request?.destination?.folder}`
    case 'clusterRun.progress':
    case 'clusterRun.cancel':
      return 'following a cluster run'
  }
}
