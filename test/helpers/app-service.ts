import { join } from 'node:path'
import { afterEach } from 'vitest'
import { AppService, type AppServiceOptions } from '../../src-main/services/app-service'
import { useTempDirs } from './temp-dir'

/**
 * A browser-shell app service on scratch folders, closed (engine processes and uploads with it) after each
 * test. An engine process a test stopped with SIGSTOP is let go first, so closing it cannot hang.
 */
export function useAppService(tempDir = useTempDirs()): (options?: AppServiceOptions) => AppService {
  let service: AppService | undefined
  afterEach(async () => {
    for (const pid of Object.values(service?.enginePids ?? {})) {
      try {
        if (pid) process.kill(pid, 'SIGCONT')
      } catch {
        // already gone
      }
    }
    await service?.close()
    service = undefined
  })
  return (options = {}) => {
    service = new AppService(
      { shell: 'browser' },
      { recentFile: join(tempDir(), 'recent.json'), sampleCacheRoot: tempDir(), ...options }
    )
    return service
  }
}
