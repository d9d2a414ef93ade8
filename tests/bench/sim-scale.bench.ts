// `make bench` runs *.bench.ts: the simulator at scale (see sim-scale.ts).
import './sim-scale.ts';
