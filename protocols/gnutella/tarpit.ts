/**
 * Sockets of banned addresses held open without an answer (address-bans.ts),
 * as gtk-gnutella's ban_force does: the peer waits for a reply that never comes
 * instead of retrying at once. Nothing is read (a paused socket: the kernel's
 * buffers fill and the peer's writes stall), nothing is sent, no FIN.
 *
 * Bounded: held sockets still count against the Gnutella port's inbound limit
 * and its links per address (the core's limits), so at most MAX_HELD are held,
 * MAX_HELD_PER_IP from one address (below the per-address limit, so the
 * 15th attempt that is answered can still come in); past either the oldest is
 * closed. gtk-gnutella holds up to 100 (max_banned_fd), outside its node slots.
 */
import type { Socket } from 'node:net';

/** Held sockets at most (they come out of the spare inbound room above our slots). */
export const MAX_HELD = 8;
/** Held sockets from one address at most (the core allows 8 links per address). */
export const MAX_HELD_PER_IP = 4;

export class Tarpit {
  /** Held sockets, oldest first. */
  readonly #held = new Set<Socket>();
  readonly #ipOf = new Map<Socket, string>();

  /** Holds `socket` (from `ip`) until the peer gives up, room is needed, or the servent stops. */
  hold(socket: Socket, ip: string): void {
    socket.pause();
    socket.setTimeout(0);
    socket.on('error', () => socket.destroy());
    socket.once('close', () => this.#forget(socket));
    const fromIp = [...this.#held].filter((s) => this.#ipOf.get(s) === ip);
    if (fromIp.length >= MAX_HELD_PER_IP) this.#release(fromIp[0]!);
    if (this.#held.size >= MAX_HELD) this.#release(this.#held.values().next().value!);
    this.#held.add(socket);
    this.#ipOf.set(socket, ip);
  }

  get size(): number {
    return this.#held.size;
  }

  /** Closes every held socket. */
  close(): void {
    for (const s of [...this.#held]) this.#release(s);
  }

  #release(s: Socket): void {
    this.#forget(s);
    s.destroy();
  }

  #forget(s: Socket): void {
    this.#held.delete(s);
    this.#ipOf.delete(s);
  }
}
