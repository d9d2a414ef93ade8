// The one logger for both daemons. Lines go to stderr with a journald priority prefix
// (<3> error … <7> debug) so journald files them at the right level, as `msg key=value`.
// Fields whose name looks secret are redacted; child loggers carry fixed fields (request id).

export type Level = 'error' | 'warn' | 'notice' | 'info' | 'debug';
const PRIORITY: Record<Level, number> = { error: 3, warn: 4, notice: 5, info: 6, debug: 7 };
const SECRET_KEY = /pass(word)?|secret|token|ticket|cookie|authorization|csrf|key$|private/i;

export type Fields = Record<string, unknown>;
export type Sink = (line: string) => void;

let sink: Sink = (line) => process.stderr.write(line + '\n');
let threshold: number = PRIORITY.info;

/** Tests capture lines; the daemons keep stderr. */
export function setLogSink(next: Sink): Sink {
  const prev = sink;
  sink = next;
  return prev;
}

export function setLogLevel(level: Level): void {
  threshold = PRIORITY[level];
}

function formatValue(key: string, value: unknown): string {
  if (SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') return '<redacted>';
  let s: string;
  if (value instanceof Error) s = value.message;
  else if (typeof value === 'string') s = value;
  else s = JSON.stringify(value) ?? 'undefined';
  return /[\s"=]/.test(s) || s === '' ? JSON.stringify(s) : s;
}

export function formatLine(level: Level, msg: string, fields: Fields): string {
  let line = `<${PRIORITY[level]}>${msg.replace(/[\r\n]+/g, ' ')}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    line += ` ${k}=${formatValue(k, v)}`;
  }
  return line;
}

export class Logger {
  constructor(private readonly fields: Fields = {}) {}

  child(fields: Fields): Logger {
    return new Logger({ ...this.fields, ...fields });
  }

  log(level: Level, msg: string, fields: Fields = {}): void {
    if (PRIORITY[level] > threshold) return;
    sink(formatLine(level, msg, { ...this.fields, ...fields }));
  }

  error(msg: string, fields?: Fields): void { this.log('error', msg, fields); }
  warn(msg: string, fields?: Fields): void { this.log('warn', msg, fields); }
  notice(msg: string, fields?: Fields): void { this.log('notice', msg, fields); }
  info(msg: string, fields?: Fields): void { this.log('info', msg, fields); }
  debug(msg: string, fields?: Fields): void { this.log('debug', msg, fields); }
}

export const log = new Logger();
