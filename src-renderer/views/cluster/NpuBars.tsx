import type { ClusterNpu } from '../../../src-main/api/contract'
import { formatBytes } from '../../app/format'
import { ProgressBar } from '../run/ProgressBar'

/** One bar per NPU: the share of its memory in use, and what is free. */
export function NpuBars({ npus, testId = 'npu-bars' }: { npus: ClusterNpu[]; testId?: string }) {
  return (
    <div className="npu-bars" data-testid={testId}>
      {npus.map((npu) => {
        const used = npu.usedBytes ?? 0
        return (
          <div
            key={npu.deviceId}
            className="npu-bar"
            title={`NPU ${npu.deviceId}${npu.name ? ` (${npu.name})` : ''}: ${formatBytes(npu.totalBytes)} ${npu.memoryKind}, ${formatBytes(npu.totalBytes - used)} free`}
          >
            <span className="npu-name">NPU {npu.deviceId}</span>
            <ProgressBar
              fraction={npu.totalBytes > 0 ? used / npu.totalBytes : 0}
              label={`NPU ${npu.deviceId} memory in use`}
              tone="muted"
            />
            <span className="muted">{formatBytes(npu.totalBytes - used)} free</span>
          </div>
        )
      })}
    </div>
  )
}
