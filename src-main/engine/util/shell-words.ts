/** One argument as a POSIX shell reads it back unchanged: bare when it is plainly safe, else single-quoted. */
export function shellWord(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`
}

export function shellLine(args: readonly string[]): string {
  return args.map(shellWord).join(' ')
}
