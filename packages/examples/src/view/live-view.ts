import type { LoadTotals } from '../load/load-generator.js';
import { fitToWidth } from './format.js';
import { renderFrame, renderLine, type ViewInfo } from './render.js';
import type { ViewSampler } from './view-model.js';

/** Options of {@link LiveView}. */
export interface LiveViewOptions {
  sampler: ViewSampler;
  info: ViewInfo;
  /** The load generator's totals, when one runs in this process. */
  load?: () => LoadTotals | undefined;
  /** Per-connection scopes opened so far. */
  connectionsOpened?: () => number;
  /** The cluster's workers, in one line (cluster mode only). */
  workers?: () => string;
  /** Problems reported so far (the view shows how many and the latest). */
  problems?: () => readonly string[];
  output?: NodeJS.WriteStream;
  /** Redraw in place with colours (default: when `output` is a terminal). */
  interactive?: boolean;
  /** Milliseconds between frames (default 1000); plain mode prints a line every 5 frames. */
  intervalMs?: number;
}

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';
const HOME = '\x1b[H';
const CLEAR_SCREEN = '\x1b[2J';
const CLEAR_LINE_END = '\x1b[K';
const CLEAR_BELOW = '\x1b[J';

/**
 * The terminal view of `npm start`: redraws the figures in place about once a second, or prints a
 * plain line every few seconds when the output is not a terminal (CI logs, `| tee`).
 */
export class LiveView {
  readonly #options: LiveViewOptions;
  readonly #output: NodeJS.WriteStream;
  readonly #interactive: boolean;
  readonly #started = performance.now();
  #timer: NodeJS.Timeout | undefined;
  #frames = 0;
  #drawn = false;
  #footer = 'Ctrl-C drains the recorders, exports once more and exits.';

  constructor(options: LiveViewOptions) {
    this.#options = options;
    this.#output = options.output ?? process.stdout;
    this.#interactive = options.interactive ?? this.#output.isTTY === true;
    // After a resize the old frame may have wrapped: clear the screen before the next one.
    this.#output.on?.('resize', () => {
      this.#drawn = false;
    });
  }

  /** Starts refreshing. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#tick(), this.#options.intervalMs ?? 1000);
    this.#timer.unref();
    this.#tick();
  }

  /** Replaces the frame's last line (e.g. while shutting down) and redraws at once. */
  status(footer: string): void {
    this.#footer = footer;
    if (this.#interactive && this.#timer !== undefined) this.#draw(footer);
  }

  /** Stops refreshing and leaves one last frame (or line) with `footer` on screen. */
  stop(footer = 'stopped'): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#interactive) {
      this.#draw(footer);
      this.#output.write(SHOW_CURSOR);
    } else {
      this.#output.write(`${renderLine(this.#options.sampler.sample(), this.#options.load?.())}\n`);
    }
  }

  #tick(): void {
    if (this.#interactive) {
      this.#draw(this.#footer);
    } else {
      const model = this.#options.sampler.sample();
      if (++this.#frames % 5 === 0) {
        this.#output.write(
          `${renderLine(model, this.#options.load?.(), this.#options.workers?.())}\n`,
        );
      }
    }
  }

  #draw(footer: string): void {
    const lines = renderFrame(this.#options.sampler.sample(), this.#options.info, {
      uptimeSeconds: (performance.now() - this.#started) / 1000,
      load: this.#options.load?.(),
      ...(this.#options.connectionsOpened
        ? { connectionsOpened: this.#options.connectionsOpened() }
        : {}),
      ...(this.#options.problems ? { problems: this.#options.problems() } : {}),
      ...(this.#options.workers ? { workers: this.#options.workers() } : {}),
      color: true,
      footer,
    });
    const prefix = this.#drawn ? HOME : `${HIDE_CURSOR}${CLEAR_SCREEN}${HOME}`;
    this.#drawn = true;
    // Lines longer than the terminal would wrap and push the frame down at every redraw.
    const columns = this.#output.columns;
    const fit =
      columns > 0 ? (line: string) => fitToWidth(line, columns - 1) : (line: string) => line;
    this.#output.write(
      `${prefix}${lines.map((line) => fit(line) + CLEAR_LINE_END).join('\n')}\n${CLEAR_BELOW}`,
    );
  }
}
