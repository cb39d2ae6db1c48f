import { useMemo, useRef } from 'react'
import { formatBytes } from '../../app/format'
import { useAppStore } from '../../store/app-store'
import { useShownSelection, ViewFrame } from '../../viz/ViewFrame'
import { baseName } from '../../app/format'
import { OpenFirst } from '../../viz/OpenFirst'
import { RankBarChart } from '../../viz/RankBarChart'
import { useElementWidth } from '../../viz/use-element-width'
import { folderRows, folderSentence, type FolderRow } from './folder-model'
import { FolderProblems } from './FolderProblems'
import { FolderRankTable } from './FolderRankTable'
import './folder.css'

/** The active checkpoint folder: its rank files, their sizes, and what is wrong with them. */
export function FolderView() {
  const folder = useAppStore((s) => s.folder)
  const pairedWith = useAppStore((s) => s.folderStrategy)
  // The strategy's stage layout is known here only when the paired strategy is also the one shown.
  const strategy = useAppStore((s) =>
    s.folderStrategy !== undefined && s.strategy?.path === s.folderStrategy ? s.strategy : undefined
  )
  const chosenRank = useAppStore((s) => s.selectedRank)
  const selectedRank = useShownSelection(chosenRank)
  const selectRank = useAppStore((s) => s.selectRank)
  const svgRef = useRef<SVGSVGElement>(null)
  const [measure, width] = useElementWidth()
  const rows = useMemo(() => (folder ? folderRows(folder, strategy) : []), [folder, strategy])

  if (!folder) {
    return (
      <ViewFrame title="Checkpoint folder" testId="view-folder">
        <OpenFirst>
          No checkpoint folder is open yet. Open a folder of rank_N/ subfolders, or the sample workspace.
        </OpenFirst>
      </ViewFrame>
    )
  }

  const toggleRank = (rank: number) => selectRank(rank === chosenRank ? undefined : rank)
  return (
    <ViewFrame
      title="Checkpoint folder"
      subtitle={<span className="mono">{folder.path}</span>}
      drawing={{
        svgRef,
        title: `Checkpoint folder · ${baseName(folder.path)}`,
        subtitle: `${folder.path} · file size per rank`,
        fileName: `checkpoint-folder-${baseName(folder.path)}-file-sizes`,
        legend: [
          { color: 'var(--accent)', label: 'rank file size' },
          ...(rows.some((r) => r.missing) ? [{ color: 'var(--bad)', label: 'missing rank' }] : [])
        ]
      }}
      testId="view-folder"
    >
      <div className="folder-summary" data-testid="folder-summary">
        {folderSentence(folder, rows)}
      </div>
      <FolderProblems problems={folder.problems} pairedWith={pairedWith} />
      <div className="panel">
        <h2>File size per rank</h2>
        <div className="chart-scroll" ref={measure}>
          {width > 0 && (
            <RankBarChart
              bars={rows.map(toBar)}
              unit="bytes"
              valueLabel="File size"
              width={width}
              height={170}
              barTestId="folder-size-bar"
              selectedRank={selectedRank}
              onSelect={toggleRank}
              svgRef={svgRef}
              ariaLabel="File size per rank"
            />
          )}
        </div>
      </div>
      <div className="panel">
        <h2>Ranks</h2>
        <FolderRankTable rows={rows} selectedRank={selectedRank} onSelectRank={toggleRank} />
      </div>
    </ViewFrame>
  )
}

function toBar(row: FolderRow) {
  const title = row.missing
    ? `Rank ${row.rank}: missing from the folder`
    : `Rank ${row.rank}${row.stage !== undefined ? ` · stage ${row.stage}` : ''} · ${row.file} · ${formatBytes(row.size ?? 0)} · ${row.params} tensors`
  return {
    rank: row.rank,
    ...(row.stage !== undefined ? { stage: row.stage } : {}),
    value: row.size,
    missing: row.missing,
    title
  }
}
