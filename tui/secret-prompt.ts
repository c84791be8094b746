/**
 * A hidden one-line prompt (a Napster password, issue 13): the characters go
 * into this object, never into the input line, its history or the screen,
 * and leave it once, to `api.run(plugin, command, [secret])` on Enter (or
 * `[]` when the user declines with Esc or Ctrl-C).
 */

/** What a plugin asked for (`prompt.secret`). */
export interface SecretRequest {
  plugin: string;
  command: string;
  prompt: string;
}

/** Longest secret kept; more is ignored (a password, not a paste bomb). */
export const MAX_SECRET_CHARS = 256;

/** One pending prompt and what has been typed into it. */
export class SecretPrompt {
  readonly request: SecretRequest;
  #chars: string[] = [];

  constructor(request: SecretRequest) {
    this.request = request;
  }

  /** The question shown on the input line: the prompt only, never the characters nor their count. */
  get question(): string {
    return `${this.request.prompt} (hidden; Enter to send, Esc to decline): `;
  }

  type(text: string): void {
    for (const ch of text) {
      if (ch === '\r' || ch === '\n' || ch < ' ') continue;
      if (this.#chars.length < MAX_SECRET_CHARS) this.#chars.push(ch);
    }
  }

  backspace(): void {
    this.#chars.pop();
  }

  /** The typed secret, and forgets it. */
  take(): string {
    const s = this.#chars.join('');
    this.#chars = [];
    return s;
  }
}
