// Entry point of the web UI: defines the application shell.
import './st-app.ts';
