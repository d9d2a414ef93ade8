// Entry point of the web UI: theme first (no flash of the wrong one), then the shell.
import './lib/zod-csp.ts';
import './theme.css';
import { applyTheme } from './lib/theme.ts';
import './components/st-app.ts';

applyTheme();
