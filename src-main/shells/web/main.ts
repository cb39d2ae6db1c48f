import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { AppService } from '../../services/app-service'
import { startWebServer } from './server'

/** `npm run serve [-- --port <p>]`: the app in a local browser, e.g. on a cluster login node through a tunnel. */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string' } }, strict: true })
  const port = values.port === undefined ? 0 : Number(values.port)
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`serve: --port must be a port number (0-65535), got "${values.port}".\n`)
    process.exitCode = 2
    return
  }
  const rendererDir = join(__dirname, '../../../out/renderer')
  if (!existsSync(join(rendererDir, 'index.html'))) {
    process.stderr.write(
      'serve: the app is not built yet; run "npm run build" first (npm start does it for you).\n'
    )
    process.exitCode = 2
    return
  }
  const service = new AppService({ shell: 'browser' })
  const running = await startWebServer({ rendererDir, port, service })
  process.stdout.write(
    'Shardscope is running in browser mode. Open this link in your browser (from another machine, through an\n' +
      'SSH tunnel to the same port). The part after # is the session credential: the page keeps it and never\n' +
      'sends it to another site, and nobody who lacks the link can use this session, so keep it to yourself.\n' +
      `${running.url}\n`
  )
  const stop = () => void Promise.all([running.close(), service.close()]).then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((err: unknown) => {
  const code = (err as NodeJS.ErrnoException).code
  process.stderr.write(
    code === 'EADDRINUSE'
      ? 'serve: that port is already in use; pick another with --port.\n'
      : `serve: ${(err as Error).message}\n`
  )
  process.exitCode = 2
})
