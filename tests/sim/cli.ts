// The simulator as a process:
//   node --import tsx tests/sim/cli.ts --scenario demo [--state-file F] [--task-speed N] [--seed N]
//   node --import tsx tests/sim/cli.ts --config my-scenario.json
//   node --import tsx tests/sim/cli.ts --scenario scale --remotes 200 --nodes 5 --guests 50
// Prints {controlUrl, remotes} as JSON on stdout and serves until SIGINT/SIGTERM.
import { parseArgs } from 'node:util';
import { loadScenarioFile } from './scenario.ts';
import { startSim } from './index.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'demo' },
    config: { type: 'string' },
    'state-file': { type: 'string' },
    host: { type: 'string', default: '127.0.0.1' },
    seed: { type: 'string', default: '1' },
    'task-speed': { type: 'string', default: '1' },
    'latency-ms': { type: 'string', default: '0' },
    'auth-delay-ms': { type: 'string', default: '3000' },
    remotes: { type: 'string', default: '200' },
    nodes: { type: 'string', default: '5' },
    guests: { type: 'string', default: '50' },
  },
});

const scenario = values.config ? loadScenarioFile(values.config) : values.scenario === 'scale' ? 'scale' : 'demo';
const sim = await startSim({
  scenario,
  scale: { remotes: Number(values.remotes), nodesPerCluster: Number(values.nodes), guestsPerNode: Number(values.guests) },
  host: values.host!,
  seed: Number(values.seed),
  taskSpeed: Number(values['task-speed']),
  latencyMs: Number(values['latency-ms']),
  authFailureDelayMs: Number(values['auth-delay-ms']),
  ...(values['state-file'] ? { stateFile: values['state-file'] } : {}),
});
process.stdout.write(JSON.stringify({ controlUrl: sim.controlUrl, remotes: sim.remotes }, null, 1) + '\n');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  void sim.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
