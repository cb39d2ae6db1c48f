import { useMemo } from 'react'
import { buildCommands } from '../../app/commands'
import { VIEWS } from '../../app/views'
import { useAppStore } from '../../store/app-store'
import { ViewFrame } from '../../viz/ViewFrame'
import { MiniGrid } from './MiniGrid'
import './help.css'

/** What each view is for, the words the app uses with a small example each, and the keyboard shortcuts. */
export function HelpView() {
  const info = useAppStore((s) => s.info)
  const recent = useAppStore((s) => s.recent)
  const shortcuts = useMemo(
    () => buildCommands({ ...useAppStore.getState(), recent: [] }).filter((c) => c.shortcut),
    // Only the shell changes which shortcuts exist.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [info, recent]
  )
  return (
    <ViewFrame title="Help" subtitle={`Shardscope ${info?.version ?? ''}`} testId="view-help">
      <section className="panel help-section" aria-labelledby="help-views">
        <h2 id="help-views">The views</h2>
        <dl className="help-views">
          {VIEWS.map((view) => (
            <div key={view.id}>
              <dt>{view.label}</dt>
              <dd>{view.description}</dd>
            </div>
          ))}
        </dl>
      </section>

      <section className="panel help-section" aria-labelledby="help-words">
        <h2 id="help-words">The words</h2>
        <div className="help-words">
          <article>
            <h3>Device matrix</h3>
            <p>
              The devices of one pipeline stage arranged as a grid, e.g. <code>[2, 4]</code>: 8 devices as 2 ×
              4 (often data parallel × model parallel). Ranks are numbered row by row, so rank 5 sits at row
              1, column 1.
            </p>
            <MiniGrid
              rows={2}
              cols={4}
              label={(r, c) => String(r * 4 + c)}
              highlight={(r, c) => r === 1 && c === 1}
            />
          </article>
          <article>
            <h3>Tensor map</h3>
            <p>
              For each dimension of a parameter, the device-matrix axis that splits it, counted from the right
              (0 is the last axis); <code>-1</code> leaves it whole. A <code>[64, 32]</code> weight on device
              matrix <code>[2, 4]</code> with tensor map <code>[0, -1]</code> is cut into 4 row blocks of{' '}
              <code>[16, 32]</code>; the other axis holds 2 copies of each.
            </p>
            <MiniGrid
              rows={4}
              cols={1}
              label={(r) => `rows ${r * 16}–${r * 16 + 15}`}
              highlight={(r) => r === 1}
              wide
            />
          </article>
          <article>
            <h3>Optimizer shard</h3>
            <p>
              With optimizer parallelism, the ranks that would hold the same slice split it once more along
              dimension 0, each keeping its part of the weights and optimizer states. Shard size 2 turns a{' '}
              <code>[16, 32]</code> slice into two <code>[8, 32]</code> pieces on two ranks.
            </p>
            <MiniGrid
              rows={2}
              cols={1}
              label={(r) => `rank ${r === 0 ? 'a' : 'b'}: [8, 32]`}
              highlight={(r) => r === 0}
              wide
            />
          </article>
          <article>
            <h3>Pipeline stage</h3>
            <p>
              Pipeline parallelism gives consecutive layers to stages, each on its own devices. With 2 stages
              of 4 devices, ranks 0–3 run stage 0 and ranks 4–7 stage 1; each stage saves its own strategy
              file (or one merged file holds all). A parameter both ends use, like a tied embedding, is in
              both.
            </p>
            <MiniGrid
              rows={2}
              cols={4}
              label={(r, c) => String(r * 4 + c)}
              highlight={(r) => r === 0}
              stages
            />
          </article>
          <article>
            <h3>Pair</h3>
            <p>
              A strategy and the checkpoint folder it describes. Shapes, dtypes, bytes and problems are shown
              for a strategy only from the folder paired with it; the app suggests pairs whose rank counts and
              parameter names agree, and never pairs by itself.
            </p>
          </article>
          <article>
            <h3>Manifest</h3>
            <p>
              <code>shardscope-manifest.json</code> in a converted folder records each output’s size, its
              XXH3-128 checksum (and SHA-256 when asked for) and what it was made from. Re-running a
              conversion resumes from it; Verify re-hashes against every checksum it holds.
            </p>
          </article>
        </div>
      </section>

      <section className="panel help-section" aria-labelledby="help-shortcuts-title" id="help-shortcuts">
        <h2 id="help-shortcuts-title">Keyboard shortcuts</h2>
        <table className="data shortcuts" aria-labelledby="help-shortcuts-title">
          <thead>
            <tr>
              <th scope="col">Keys</th>
              <th scope="col">Command</th>
            </tr>
          </thead>
          <tbody>
            {shortcuts.map((c) => (
              <tr key={c.id}>
                <td>
                  <kbd>{c.shortcut}</kbd>
                </td>
                <td>{c.label}</td>
              </tr>
            ))}
            <tr>
              <td>
                <kbd>/</kbd>
              </td>
              <td>Search parameters (strategy explorer)</td>
            </tr>
            <tr>
              <td>
                <kbd>↑</kbd> <kbd>↓</kbd> <kbd>Enter</kbd>
              </td>
              <td>Move through rows and open one; in drawings, move between ranks</td>
            </tr>
            <tr>
              <td>
                <kbd>Ctrl+C</kbd>
              </td>
              <td>Copy the selected parameter’s layout</td>
            </tr>
            <tr>
              <td>
                <kbd>Esc</kbd>
              </td>
              <td>Close a dialog or the file browser</td>
            </tr>
          </tbody>
        </table>
      </section>
    </ViewFrame>
  )
}
