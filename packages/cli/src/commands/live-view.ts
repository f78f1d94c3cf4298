import { TASK_STATUSES, type Council, type Dispatcher, type DispatcherListener, type Sink, type SinkSummary } from '@kurultai/core';
import { describeReason } from '../describe-decision.js';
import { paint } from '../paint.js';
import { terminalSafe } from './terminal-safe.js';

/** How the live view reaches the terminal and what it shows. */
export interface LiveViewOptions {
  readonly write: (text: string) => void;
  readonly columns: () => number;
  readonly color: boolean;
  readonly sink: Sink;
  readonly dispatcher: Dispatcher;
  /** The plugins' latest warnings and errors, shown under their own heading. */
  readonly messages?: { readonly lines: readonly string[] };
  readonly refreshMs?: number;
}

const THROUGHPUT_WINDOW_MS = 10_000;
const RECENT = 5;

/**
 * `kurultai run` on a terminal: tasks by status (from the ledger), each agent's load against its cap, throughput over
 * the last ten seconds, the latest decisions and problems, the plugins' latest warnings and errors, redrawn in place. Task text is untrusted: it is shown with
 * control characters neutralised, so a title cannot drive the terminal.
 */
export class LiveView implements DispatcherListener {
  readonly #options: LiveViewOptions;
  #ledger: SinkSummary | undefined;
  #completions: number[] = [];
  #decisions: string[] = [];
  #problems: string[] = [];
  #drawnLines = 0;
  #timer: NodeJS.Timeout | undefined;
  #note = '';

  constructor(options: LiveViewOptions) {
    this.#options = options;
  }

  start(): void {
    void this.#refresh();
    this.#timer = setInterval(() => void this.#refresh(), this.#options.refreshMs ?? 500);
  }

  /** Stops redrawing, and draws a last time with the ledger's final counts and a closing note (e.g. "stopped"). */
  async stop(note?: string): Promise<void> {
    clearInterval(this.#timer);
    if (note !== undefined) this.#note = note;
    await this.#refresh();
  }

  async #refresh(): Promise<void> {
    this.#ledger = await this.#options.sink.summary({ recentFailures: 0 }).catch(() => this.#ledger);
    this.draw();
  }

  /** Shown under the view until replaced, e.g. "draining: waiting for 2 running tasks". */
  note(text: string): void {
    this.#note = text;
    this.draw();
  }

  onTaskStatus: DispatcherListener['onTaskStatus'] = (event) => {
    if (event.to === 'completed') this.#completions.push(Date.now());
    if (event.to === 'assigned') {
      const { agent, type, score, margin, confidence, reason } = event.decision;
      const why = reason === 'orchestrator' ? describeReason(event.decision) : `score ${score}, margin ${margin}, confidence ${confidence.toFixed(2)}`;
      this.#remember(this.#decisions, `${this.#cut(event.title, 48)} → ${agent} (${type}, ${why})`);
    }
    if (event.to === 'failed') this.#remember(this.#problems, `${event.taskId} failed: ${event.error}`);
  };

  onFallback: DispatcherListener['onFallback'] = (event) => {
    if (event.outcome === 'kept') this.#remember(this.#problems, `${event.taskId}: orchestrator ${event.ask} ${event.cause} (${event.error}); the rules' ${event.rulesAgent} stands`);
  };

  onCorrection: DispatcherListener['onCorrection'] = (event) => {
    const outcome = event.moved ? `→ ${event.to}` : `stays on ${event.from} (${event.to} noted)`;
    this.#remember(this.#decisions, `${event.taskId} ${outcome}: correction by ${event.by}`);
  };

  onWarning: DispatcherListener['onWarning'] = (event) => {
    this.#remember(this.#problems, `${event.taskId}: ${event.message}`);
  };

  onRulesReload: DispatcherListener['onRulesReload'] = (event) => {
    this.#remember(this.#problems, event.outcome === 'applied' ? `rules reloaded (${event.agents} agents)` : `rules edit rejected: ${event.problems.length} problem(s), rules in force kept`);
  };

  onError: DispatcherListener['onError'] = (event) => {
    this.#remember(this.#problems, `${event.stage}: ${event.error}`);
  };

  draw(): void {
    const lines = this.#render();
    const clear = this.#drawnLines > 0 ? `\u001b[${this.#drawnLines}F\u001b[J` : '';
    this.#options.write(`${clear}${lines.join('\n')}\n`);
    this.#drawnLines = lines.length;
  }

  #render(): string[] {
    const bold = (text: string) => paint(this.#options.color, 'bold', text);
    const byStatus = this.#ledger?.byStatus ?? {};
    const statuses = TASK_STATUSES.map((status) => `${status} ${byStatus[status] ?? 0}`).join('  ');
    const now = Date.now();
    this.#completions = this.#completions.filter((at) => now - at <= THROUGHPUT_WINDOW_MS);
    const throughput = (this.#completions.length / (THROUGHPUT_WINDOW_MS / 1000)).toFixed(1);
    const lines = [bold('Kurultai'), `tasks     ${statuses}`, `throughput ${throughput} tasks/s (last 10 s)`, bold('agents'), ...this.#agentLines(this.#options.dispatcher.council)];
    lines.push(bold('latest decisions'), ...(this.#decisions.length === 0 ? ['  (none yet)'] : this.#decisions.map((line) => `  ${line}`)));
    if (this.#problems.length > 0) lines.push(bold('latest problems'), ...this.#problems.map((line) => `  ${line}`));
    const messages = this.#options.messages?.lines ?? [];
    if (messages.length > 0) lines.push(bold('latest messages'), ...messages.map((line) => `  ${this.#cut(line, this.#width() - 2)}`));
    if (this.#note !== '') lines.push(this.#note);
    return lines;
  }

  #agentLines(council: Council): string[] {
    const { byAgent } = this.#options.dispatcher.load();
    return council.agents.map((agent) => {
      const cap = agent.maxConcurrent === undefined ? '' : `/${agent.maxConcurrent}`;
      return `  ${this.#cut(agent.name, 20).padEnd(20)} running ${byAgent[agent.id] ?? 0}${cap}`;
    });
  }

  #remember(list: string[], line: string): void {
    list.unshift(this.#cut(line, this.#width() - 4));
    list.length = Math.min(list.length, RECENT);
  }

  /** Some terminals (a pseudo-terminal without a size) report 0 columns. */
  #width(): number {
    return this.#options.columns() || 80;
  }

  #cut(text: string, width: number): string {
    return terminalSafe(text, Math.max(10, width));
  }
}
