import type { RefObject } from 'react'
import type { ClusterDescription } from '../../../src-main/api/contract'
import { stageColor } from '../../viz/palette'
import { stageInk } from '../../viz/stage-ink'

const LABEL = 150
/** Past this many devices the cells shrink and lose their caption, so a big cluster fits a screen or two. */
const COMPACT_DEVICES = 256

/** The rank table as servers × devices: each device's rank, tinted by the destination's pipeline stage. */
export function ServerGrid({
  cluster,
  svgRef
}: {
  cluster: ClusterDescription
  svgRef: RefObject<SVGSVGElement | null>
}) {
  const columns = Math.max(1, ...cluster.servers.map((s) => s.devices.length))
  const compact = cluster.servers.reduce((n, s) => n + s.devices.length, 0) > COMPACT_DEVICES
  const CELL = compact ? 30 : 46
  const GAP = compact ? 4 : 6
  const width = LABEL + columns * (CELL + GAP)
  const height = cluster.servers.length * (CELL + GAP) + 24
  return (
    <svg
      ref={svgRef}
      className="server-grid"
      width={width}
      height={height}
      role="img"
      aria-label="Servers and devices"
    >
      {Array.from({ length: columns }, (_, c) => (
        <text
          key={c}
          x={LABEL + c * (CELL + GAP) + CELL / 2}
          y={14}
          className="axis-label"
          textAnchor="middle"
        >
          {compact ? c : `NPU ${c}`}
        </text>
      ))}
      {compact && (
        <text x={LABEL - 8} y={14} className="axis-label" textAnchor="end">
          NPU
        </text>
      )}
      {cluster.servers.map((server, row) => {
        const y = 22 + row * (CELL + GAP)
        return (
          <g key={server.id} data-testid="cluster-server" data-server={server.id}>
            <text x={0} y={y + CELL / 2 + 4} className={compact ? 'server-label compact' : 'server-label'}>
              {server.id}
            </text>
            {server.devices.map((device) => {
              const x = LABEL + device.deviceId * (CELL + GAP)
              const fill =
                device.stage !== undefined
                  ? stageColor(device.stage)
                  : device.destination
                    ? 'var(--accent-soft)'
                    : 'var(--bg)'
              const stroke =
                device.stage !== undefined
                  ? stageInk(device.stage)
                  : device.destination
                    ? 'var(--accent)'
                    : 'var(--line)'
              return (
                <g
                  key={device.deviceId}
                  data-testid="cluster-device"
                  data-rank={device.rank}
                  data-destination={device.destination}
                >
                  <rect
                    x={x}
                    y={y}
                    width={CELL}
                    height={CELL}
                    rx={compact ? 4 : 6}
                    fill={fill}
                    stroke={stroke}
                    strokeWidth={device.destination ? 2 : 1}
                  />
                  <text
                    x={x + CELL / 2}
                    y={y + CELL / 2 + (compact ? 4 : 1)}
                    textAnchor="middle"
                    className={compact ? 'rank-number compact' : 'rank-number'}
                  >
                    {device.rank}
                  </text>
                  {!compact && (
                    <text x={x + CELL / 2} y={y + CELL - 7} textAnchor="middle" className="rank-caption">
                      {device.stage !== undefined
                        ? `stage ${device.stage}`
                        : device.destination
                          ? 'rank'
                          : 'idle'}
                    </text>
                  )}
                  <title>{`rank ${device.rank} on ${server.id}, NPU ${device.deviceId}${device.destination ? '' : ' (no destination rank)'}`}</title>
                </g>
              )
            })}
          </g>
        )
      })}
    </svg>
  )
}
