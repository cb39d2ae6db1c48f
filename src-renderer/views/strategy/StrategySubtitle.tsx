import type { StrategyDescription } from '../../../src-main/api/contract'

export function StrategySubtitle({ strategy }: { strategy: StrategyDescription }) {
  const stages = `${strategy.stageCount} stage${strategy.stageCount === 1 ? '' : 's'}`
  const devices = strategy.stageDevices > 0 ? ` × ${strategy.stageDevices} devices` : ''
  return (
    <span className="strategy-subtitle">
      <span className="mono strategy-path" title={strategy.path}>
        {strategy.path}
      </span>
      <span>
        {strategy.format} · {strategy.merged ? 'merged' : 'not merged'} · {stages}
        {devices}
      </span>
    </span>
  )
}
