// One steward-admin command: a name path ("config check"), a help line, and a run function.
export interface Command {
  /** Words that select it, e.g. ['config', 'check']. */
  name: string[];
  usage: string;
  help: string;
  /** Returns the exit code. */
  run(args: string[]): Promise<number> | number;
}
