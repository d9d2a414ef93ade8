// Socket activation: systemd passes listening sockets as fds 3.. with LISTEN_FDS/LISTEN_PID.
export const SD_LISTEN_FDS_START = 3;

/** The file descriptors passed by systemd for this process, or [] when not socket-activated. */
export function listenFds(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number[] {
  const count = Number(env.LISTEN_FDS ?? 0);
  if (!Number.isInteger(count) || count <= 0) return [];
  if (env.LISTEN_PID && Number(env.LISTEN_PID) !== pid) return [];
  return Array.from({ length: count }, (_, i) => SD_LISTEN_FDS_START + i);
}
