import cliProgress from "cli-progress";

/** Where the demo reports progress while the dag runs. */
export interface Progress {
  /** Starts the display for `total` dag runs. */
  start(total: number): void;
  /**
   * One dag run finished.
   *
   * @param line - a one-line summary of the run.
   * @param payload - the run's day and the flights loaded so far, for the bar.
   */
  runFinished(line: string, payload: { day: string; loaded: number }): void;
  /** A notable event (a crash, a resume, a skipped run), printed as its own line. */
  note(text: string): void;
  /** Ends the display. */
  stop(): void;
}

/**
 * A progress bar (cli-progress) when the stream is a terminal, else one plain line per dag run.
 *
 * @param stream - where to write (standard output).
 * @param options - `tty` overrides the terminal detection.
 * @returns the progress display.
 */
export function createProgress(stream: NodeJS.WriteStream, options: { tty?: boolean } = {}): Progress {
  const tty = options.tty ?? stream.isTTY === true;
  return tty ? barProgress(stream) : lineProgress(stream);
}

function lineProgress(stream: NodeJS.WriteStream): Progress {
  let done = 0;
  let total = 0;
  return {
    start(n) {
      total = n;
    },
    runFinished(line) {
      done += 1;
      const width = String(total).length;
      stream.write(`[${String(done).padStart(width)}/${total}] ${line}\n`);
    },
    note(text) {
      stream.write(`        ${text}\n`);
    },
    stop() {},
  };
}

function barProgress(stream: NodeJS.WriteStream): Progress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format:
        " flights_daily {bar} {value}/{total} runs | {day} | {loaded} flights loaded | {duration_formatted}",
      hideCursor: true,
      clearOnComplete: false,
      autopadding: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let bar: cliProgress.SingleBar | undefined;
  let stopped = false;
  return {
    start(n) {
      bar = multi.create(n, 0, { day: "…", loaded: 0 });
    },
    runFinished(line, payload) {
      multi.log(`${line}\n`);
      bar?.increment(1, payload);
    },
    note(text) {
      multi.log(`        ${text}\n`);
    },
    stop() {
      if (stopped) return;
      stopped = true;
      multi.stop();
    },
  };
}
