/**
 * Background tasks an engine process runs (pushes), by id, so that when the process dies each one still gets
 * its end. An end heard before the start's reply is remembered for a while, so the task is not counted live.
 */
export class LiveTasks {
  private readonly live = new Set<string>()
  private readonly ended: string[] = []

  started(id: string): void {
    if (!this.ended.includes(id)) this.live.add(id)
  }

  finished(id: string): void {
    this.live.delete(id)
    this.ended.push(id)
    if (this.ended.length > 64) this.ended.shift()
  }

  /** The tasks still running, forgotten as they are returned (their process stopped). */
  takeAll(): string[] {
    const ids = [...this.live]
    this.live.clear()
    return ids
  }
}
