/**
 * The peers named with `--connect`: a `host:port` is pinned and dialled at
 * once; a peer name (README "Peer names"), once the node is linked to anyone,
 * is resolved over the mesh and its chat endpoint pinned and dialled; until
 * it resolves, it is tried again every maintenance tick.
 */
import { parseHostPort } from '../../../src/net/address.js';
import type { NameService } from './name-service.js';
import { chatEndpoint } from './name-commands.js';
import { parseName } from './record.js';

/** What connecting to named peers needs from the chat service. */
export interface NameConnectHost {
  /** The name service (none: names are off, every entry is taken as an address). */
  readonly names: NameService | undefined;
  /** Whether the service is stopping (nothing more is tried). */
  stopping(): boolean;
  /** Whether the node has a link to ask through. */
  linked(): boolean;
  /** Calls `fn` after a maintenance tick. */
  later(fn: () => void): void;
  /** Keeps a link to `addr` (the maintainer re-dials it with backoff) and dials it now. */
  pinAndDial(addr: string, label: string): void;
  /** Says why this try failed (the log: it is tried again). */
  note(text: string): void;
}

/** Pins and dials every `--connect` entry: addresses now, peer names once resolved. */
export function connectPinned(entries: readonly string[], host: NameConnectHost): void {
  for (const entry of entries) {
    if (!parseHostPort(entry) && host.names && parseName(entry)) connectByName(entry, host.names, host);
    else host.pinAndDial(entry, entry);
  }
}

/** Resolves `name` and pins its endpoint, or tries again a tick later. */
function connectByName(name: string, names: NameService, host: NameConnectHost): void {
  if (host.stopping()) return;
  const retry = (): void => host.later(() => connectByName(name, names, host));
  if (!host.linked()) return retry();
  names.resolve(name).then(
    (res) => {
      if (host.stopping()) return;
      const addr = chatEndpoint(res);
      host.pinAndDial(addr, `${name} (${addr})`);
    },
    (err: unknown) => {
      if (host.stopping()) return;
      host.note(`--connect ${name}: ${err instanceof Error ? err.message : String(err)}; will try again`);
      retry();
    },
  );
}
