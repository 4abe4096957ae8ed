import type { IpcChannel } from './protocol.js';

/** A cluster recorder while it waits for a flush answer. */
export interface ChannelMember {
  onMessage(message: unknown): void;
  onDisconnect(): void;
}

/**
 * The cluster recorders of one channel end that listen (a flush waits), behind one 'message' and
 * one 'disconnect' listener on the channel, there only while some recorder listens. A listener per
 * recorder would put as many on `process` as recorders flush at once: from the 11th, Node warns of
 * a possible EventEmitter leak on the application's stderr (a worker flushing every recorder on
 * SIGTERM).
 */
export class ChannelListeners {
  private readonly members = new Set<ChannelMember>();

  constructor(private readonly channel: IpcChannel) {}

  add(member: ChannelMember): void {
    if (this.members.has(member)) return;
    if (this.members.size === 0) {
      this.channel.on('message', this.onMessage);
      this.channel.on('disconnect', this.onDisconnect);
    }
    this.members.add(member);
  }

  delete(member: ChannelMember): void {
    if (!this.members.delete(member) || this.members.size > 0) return;
    this.channel.off('message', this.onMessage);
    this.channel.off('disconnect', this.onDisconnect);
  }

  // Over a copy: a member settles its flush here and may stop listening meanwhile.
  private readonly onMessage = (message: unknown): void => {
    for (const member of [...this.members]) member.onMessage(message);
  };

  private readonly onDisconnect = (): void => {
    for (const member of [...this.members]) member.onDisconnect();
  };
}

// Process-wide, keyed by channel end (ARCHITECTURE.md, "Process-wide state"): the recorders of
// one channel must share its listeners, and `connectToPrimary(name)` is called apart for each.
const byChannel = new WeakMap<IpcChannel, ChannelListeners>();

/** The shared listeners of `channel`. */
export function channelListeners(channel: IpcChannel): ChannelListeners {
  let listeners = byChannel.get(channel);
  if (listeners === undefined) {
    listeners = new ChannelListeners(channel);
    byChannel.set(channel, listeners);
  }
  return listeners;
}
