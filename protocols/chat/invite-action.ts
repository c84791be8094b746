/**
 * What a People Near Me invitation names, as pure decisions (issue 14 "People Near Me":
 * "accepting does what it names (joins, dials, logs in)"): which of our endpoints an
 * invitation to each kind carries, and which plugin command accepting it runs. The chat
 * plugin never imports another protocol: the command goes through the core
 * (`PluginContext.run`), and the plugin that owns it carries it out.
 */

/** What an invitation is to. */
export type InviteKind = 'mesh' | 'pplus2' | 'gnutella' | 'napster';
export const INVITE_KINDS: readonly InviteKind[] = ['mesh', 'pplus2', 'gnutella', 'napster'];

/**
 * The endpoint tag (names/endpoints.ts) of each kind, in preference order: a mesh is our
 * chat listener, a P+2 share its peer-list port p (the address `--pplus2-peer` takes),
 * a Napster index the server's port (never the client's data port).
 */
const ENDPOINT_TAGS: Record<InviteKind, readonly string[]> = {
  mesh: ['chat'],
  pplus2: ['pplus2-peers', 'pplus2'],
  gnutella: ['gnutella'],
  napster: ['napster'],
};

/** The endpoint (`tag@host:port`) an invitation to `kind` carries, or undefined when we run none. */
export function inviteEndpoint(kind: InviteKind, endpoints: readonly string[]): string | undefined {
  for (const tag of ENDPOINT_TAGS[kind]) {
    const e = endpoints.find((x) => x.startsWith(`${tag}@`));
    if (e !== undefined) return e;
  }
  return undefined;
}

/** The command that accepting an invitation runs, and what to tell the user it did. */
export interface AcceptAction {
  plugin: string;
  command: string;
  args: string[];
  /** Shown after the command's own output. */
  then?: string;
  /** Shown when that plugin does not run here (how to start it). */
  missing: string;
}

/** Decides what accepting an invitation to `kind` at `addr` (`host:port`) does. */
export function acceptAction(kind: InviteKind, addr: string): AcceptAction {
  switch (kind) {
    case 'mesh':
      return { plugin: 'chat', command: 'connect', args: [addr], missing: 'chat is not running' };
    case 'pplus2':
      return {
        plugin: 'pplus2',
        command: 'addpeer',
        args: [addr],
        then: `P+2: ${addr} is asked by /search now; /get N downloads from it`,
        missing: `this node runs no P+2 (start it with --pplus2-port P, or --pplus2-peer ${addr})`,
      };
    case 'gnutella':
      return { plugin: 'gnutella', command: 'gconnect', args: [addr], missing: `this node runs no Gnutella (start it with --gnutella --gnutella-peer ${addr})` };
    case 'napster':
      return { plugin: 'napster', command: 'nlogin', args: [addr], missing: `this node runs no Napster client (start it with --napster ${addr})` };
  }
}
