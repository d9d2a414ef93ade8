// Resident memory of the real steward-api process (VmRSS) holding the simulator's `scale`
// scenario — 200 PVE clusters × 5 nodes × 50 guests = 50,000 guests, in its own process —
// against the same daemon with no remote as the baseline of the same run: after the first
// refresh, after a second one at once (the worst case: two refreshes' garbage, the same
// minute's metrics records read back), and then through two of the poller's own refreshes
// at the default 60 s interval, as the daemon runs in production.
import { writeFileSync } from 'node:fs';
import { request } from '../harness/https.ts';
import { startDaemonAtScale } from './daemon-at-scale.ts';

const GOAL_MB = 250;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

const d = await startDaemonAtScale();
try {
  await settle(2000);
  const idle = d.rssMb();
  const idleSplit = d.rssSplitMb();
  const status = await d.addRemotes();
  const guests = status.qemu.total + status.lxc.total;
  const first = d.rssMb();
  // A second full refresh: the previous snapshot becomes garbage while the new one is built.
  await d.refreshAll();
  const second = d.rssMb();
  const secondSplit = d.rssSplitMb();
  await settle(10_000);
  const later = d.rssMb();
  const peak = d.peakRssMb();
  // Production cadence: the peak is reset (VmHWM, /proc/<pid>/clear_refs) and RSS sampled
  // through the poller's next two refreshes.
  writeFileSync(`/proc/${d.stack.api.child.pid}/clear_refs`, '5');
  const samples: number[] = [];
  const until = Date.now() + 125_000;
  while (Date.now() < until) {
    samples.push(d.rssMb());
    await settle(250);
  }
  const cadencePeak = d.peakRssMb();
  // Every remote must have been refreshed by the poller in that time, or the figure means nothing.
  const states = (await request(`${d.stack.url}/api2/json/resources/status`, { headers: d.headers })).json<{ data: { remotes: { list: { 'last-attempt'?: number }[] } } }>().data.remotes.list;
  const stale = states.filter((s) => (s['last-attempt'] ?? 0) * 1000 < until - 125_000 + 30_000).length;
  if (stale) throw new Error(`${stale} remotes were not refreshed while RSS was sampled`);
  const median = [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
  const line = (label: string, mb: number) => `${label}: ${mb.toFixed(0)} MB (${(mb / idle).toFixed(2)}× idle, +${(mb - idle).toFixed(0)} MB)`;
  const split = (x: { anon: number; file: number }) => `anonymous ${x.anon.toFixed(0)} MB + file-backed ${x.file.toFixed(0)} MB`;
  console.log(`steward-api RSS, idle with no remote (baseline): ${idle.toFixed(0)} MB (${split(idleSplit)})`);
  console.log(line(`after the first refresh of ${d.remotes.length} remotes / ${guests.toLocaleString('en-US')} guests`, first));
  console.log(`${line('after a second full refresh', second)} (${split(secondSplit)})`);
  console.log(line('10 s later', later));
  console.log(`${line('peak (VmHWM)', peak)} — goal ≤ ${GOAL_MB} MB after a refresh: ${Math.max(first, second, later) <= GOAL_MB ? 'met' : 'MISSED'}`);
  console.log(`polled every 60 s for 125 s (two refreshes): ${line('median', median)}; ${line('peak (VmHWM)', cadencePeak)} — goal ≤ ${GOAL_MB} MB: ${cadencePeak <= GOAL_MB ? 'met' : 'MISSED'}`);
} finally {
  await d.stop();
}
