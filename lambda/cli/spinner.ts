const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const INTERVAL_MS = 80;
/** Carriage return, then erase the line. */
const CLEAR_LINE = '\r\u001b[2K';

/** A one-line activity indicator for the terminal. */
export interface Spinner {
  /** Shows `text` until the next update or stop. */
  update(text: string): void;
  /** Erases the line; the spinner can be updated (restarted) later. */
  stop(): void;
}

/**
 * A spinner on `stream` when `enabled` (a terminal, and not machine output); otherwise it does nothing, so
 * pipes, logs and `--json` consumers never see control characters.
 */
export function createSpinner(stream: { write(text: string): unknown }, enabled: boolean): Spinner {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  let timer: NodeJS.Timeout | undefined;
  let frame = 0;
  let text = '';
  const draw = () => {
    stream.write(`${CLEAR_LINE}${FRAMES[frame % FRAMES.length] ?? ''} ${text}`);
    frame += 1;
  };
  return {
    update(next) {
      text = next;
      draw();
      if (timer === undefined) {
        timer = setInterval(draw, INTERVAL_MS);
        // Never keep the process alive for the sake of an animation.
        timer.unref();
      }
    },
    stop() {
      if (timer === undefined) return;
      clearInterval(timer);
      timer = undefined;
      stream.write(CLEAR_LINE);
    },
  };
}
