/** Placeholder shell until the views land: says what the app is and where the engine is usable today. */
export function App() {
  return (
    <main style={{ fontFamily: 'system-ui, sans-serif', padding: '48px', maxWidth: 720 }}>
      <h1>Shardscope</h1>
      <p>
        See, plan, run and verify MindSpore distributed-checkpoint conversions. The visual planner is on its
        way; the engine is available today through the command line:
      </p>
      <pre>npm run -s cli -- inspect &lt;strategy file | checkpoint | checkpoint folder | rank table&gt;</pre>
    </main>
  )
}
