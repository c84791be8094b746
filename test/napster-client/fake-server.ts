import { createServer, type Server, type Socket } from 'node:net';
import { decodeAll } from '../../src/codec/decoder.js';
import { encodeFrame } from '../../protocols/napster/codec.js';
import { NapFrameDecoder } from '../../protocols/napster/frame-decoder.js';
import { ipToNapster, splitFields } from '../../protocols/napster/messages.js';

/** A frame as the scripted broker keeps it: type and latin-1 payload text. */
export interface NapFrame {
  type: number;
  text: string;
}

/** §3.1 address field of a dotted quad, for frames a test writes. */
export function ipToField(ip: string): string {
  return String(ipToNapster(ip));
}

/** One logged-in user of the scripted broker. */
export interface FakeUser {
  nick: string;
  port: number;
  socket: Socket;
  shares: Map<string, { size: number; md5: string }>;
  frames: NapFrame[];
}

/**
 * A small scripted OpenNap broker for client tests (napster.md §3-§6): nick
 * check, login, shares, search, and the 203/500/607/608 -> 204/501 relays,
 * plus hooks a test uses to misbehave. Real TCP on 127.0.0.1; it is the
 * stand-in for a hostile or minimal server, not a second implementation.
 */
export class FakeNapServer {
  readonly users = new Map<string, FakeUser>();
  readonly registered = new Map<string, string>();
  /** Every frame received, per nick (before login: under ''). */
  readonly received: Array<{ nick: string; frame: NapFrame }> = [];
  /** Return true to say the test handled the frame itself. */
  hook: ((user: FakeUser | undefined, frame: NapFrame, socket: Socket) => boolean) | undefined;
  #server: Server | undefined;
  readonly #sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<number> {
    this.#server = createServer((s) => this.#accept(s));
    await new Promise<void>((r) => this.#server!.listen(0, '127.0.0.1', r));
    this.port = (this.#server.address() as { port: number }).port;
    return this.port;
  }

  async stop(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise((r) => this.#server?.close(r));
  }

  send(socket: Socket, type: number, text: string): void {
    socket.write(encodeFrame(type, text));
  }

  /** Closes every connection (the server "goes away"). */
  dropAll(): void {
    for (const s of this.#sockets) s.destroy();
  }

  #accept(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    const dec = new NapFrameDecoder(65535);
    let user: FakeUser | undefined;
    socket.on('data', (chunk) => {
      for (const raw of decodeAll(dec, chunk)) {
        const f: NapFrame = { type: raw.type, text: raw.payload.toString('latin1') };
        this.received.push({ nick: user?.nick ?? '', frame: f });
        if (this.hook?.(user, f, socket)) continue;
        if (!user) user = this.#login(socket, f);
        else this.#command(user, f);
      }
    });
    socket.on('close', () => {
      if (user && this.users.get(user.nick.toLowerCase()) === user) this.users.delete(user.nick.toLowerCase());
    });
  }

  #login(socket: Socket, f: NapFrame): FakeUser | undefined {
    const fields = splitFields(f.text) ?? [];
    if (f.type === 7) {
      this.send(socket, this.registered.has(f.text.toLowerCase()) ? 9 : 8, '');
      return undefined;
    }
    if (f.type !== 2 && f.type !== 6) {
      this.send(socket, 0, 'invalid command');
      socket.end();
      return undefined;
    }
    const [nick, pass, port] = fields;
    const key = nick!.toLowerCase();
    const known = this.registered.get(key);
    if (f.type === 6 && known !== undefined) return this.#refuse(socket, 'Nick registered to another user');
    if (known !== undefined && known !== pass) return this.#refuse(socket, 'Invalid Password');
    this.registered.set(key, pass!);
    const user: FakeUser = { nick: nick!, port: Number(port), socket, shares: new Map(), frames: [] };
    this.users.set(key, user);
    this.send(socket, 3, 'anon@fake');
    this.send(socket, 621, 'VERSION fake 0');
    this.send(socket, 214, `${this.users.size} 0 0`);
    return user;
  }

  #refuse(socket: Socket, reason: string): undefined {
    this.send(socket, 0, reason);
    socket.end();
    return undefined;
  }

  #command(u: FakeUser, f: NapFrame): void {
    u.frames.push(f);
    const fields = splitFields(f.text) ?? [];
    const ip = ipToField('127.0.0.1');
    switch (f.type) {
      case 100:
        u.shares.set(fields[0]!, { md5: fields[1]!, size: Number(fields[2]) });
        return;
      case 102:
        u.shares.delete(f.text);
        return;
      case 214:
        return this.send(u.socket, 214, `${this.users.size} 0 0`);
      case 200: {
        const words = /CONTAINS "([^"]*)"/.exec(f.text)?.[1]?.toLowerCase().split(' ') ?? [];
        let out = Buffer.alloc(0);
        for (const other of this.users.values()) {
          if (other === u || (other.port === 0 && u.port === 0)) continue;
          for (const [path, s] of other.shares) {
            if (!words.every((w) => path.toLowerCase().includes(w))) continue;
            out = Buffer.concat([out, encodeFrame(201, `"${path}" ${s.md5} ${s.size} 0 0 0 ${other.nick} ${ip} 7`)]);
          }
        }
        u.socket.write(Buffer.concat([out, encodeFrame(202, '')]));
        return;
      }
      case 203:
      case 500: {
        const [nick, path] = fields;
        const holder = this.users.get(nick!.toLowerCase());
        if (!holder || !holder.shares.has(path!)) return this.send(u.socket, 206, `${nick!} "${path!}"`);
        if (f.type === 203 && holder.port === 0) return this.send(u.socket, 204, `${holder.nick} ${ip} 0 "${path!}" 0 7`);
        if (f.type === 500 && holder.port !== 0) return this.send(u.socket, 404, `${holder.nick} is not firewalled`);
        if (f.type === 500 && u.port === 0) return this.send(u.socket, 204, `${holder.nick} ${ip} 0 "${path!}" firewallerror 7`);
        (holder as FakeUser & { pending?: Map<string, number> }).pending ??= new Map();
        (holder as FakeUser & { pending: Map<string, number> }).pending.set(`${u.nick}\0${path!}`, f.type);
        return this.send(holder.socket, 607, `${u.nick} "${path!}"`);
      }
      case 608: {
        const [nick, path] = fields;
        const down = this.users.get(nick!.toLowerCase());
        const kind = (u as FakeUser & { pending?: Map<string, number> }).pending?.get(`${down?.nick ?? ''}\0${path!}`);
        if (!down || kind === undefined) return this.send(u.socket, 404, 'User is not currently online.');
        const md5 = u.shares.get(path!)?.md5 ?? '0';
        if (kind === 203) this.send(down.socket, 204, `${u.nick} ${ip} ${u.port} "${path!}" ${md5} 7`);
        else this.send(u.socket, 501, `${down.nick} ${ip} ${down.port} "${path!}" ${md5} 7`);
        return;
      }
      case 619: {
        const [nick, path, limit] = fields;
        const down = this.users.get(nick!.toLowerCase());
        if (down) this.send(down.socket, 620, `${u.nick} "${path!}" ${u.shares.get(path!)?.size ?? 0} ${limit!}`);
        return;
      }
      case 205: {
        const sp = f.text.indexOf(' ');
        const to = this.users.get(f.text.slice(0, sp).toLowerCase());
        if (to) this.send(to.socket, 205, `${u.nick} ${f.text.slice(sp + 1)}`);
        else this.send(u.socket, 404, 'User is not currently online.');
        return;
      }
      default:
        return;
    }
  }
}
