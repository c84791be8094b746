/**
 * Channels (specs/napster.md §4.1 400-410, 617/618, 824, 830): created by
 * their first member, who becomes operator; gone when the last one leaves.
 * Members are kept newest first, the order OpenNap lists them in (408/825).
 */
import { MAX_TOPIC_BYTES } from '../constants.js';
import type { Session } from './session.js';

export interface Channel {
  readonly name: string;
  topic: string;
  /** Newest first. */
  members: Session[];
  ops: Set<Session>;
}

/** A cap on channels: they grow with remote input. */
export const MAX_CHANNELS_TOTAL = 10_000;

export function defaultTopic(name: string): string {
  return `Welcome to the ${name} channel.`;
}

export function clipTopic(topic: string): string {
  return topic.length > MAX_TOPIC_BYTES ? topic.slice(0, MAX_TOPIC_BYTES) : topic;
}

export class ChannelRegistry {
  readonly #byKey = new Map<string, Channel>();

  get size(): number {
    return this.#byKey.size;
  }

  get(name: string): Channel | undefined {
    return this.#byKey.get(name.toLowerCase());
  }

  all(): IterableIterator<Channel> {
    return this.#byKey.values();
  }

  /** Creates a channel with `creator` as its only member and operator. */
  create(name: string, creator: Session): Channel {
    const ch: Channel = { name, topic: defaultTopic(name), members: [creator], ops: new Set([creator]) };
    this.#byKey.set(name.toLowerCase(), ch);
    return ch;
  }

  /** Removes a member; drops the channel when empty. */
  leave(ch: Channel, s: Session): void {
    ch.members = ch.members.filter((m) => m !== s);
    ch.ops.delete(s);
    if (ch.members.length === 0) this.#byKey.delete(ch.name.toLowerCase());
  }
}
