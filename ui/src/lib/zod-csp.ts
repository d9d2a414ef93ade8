// zod compiles object parsers with new Function() when it can; the strict CSP forbids that
// (and reports the attempt as a violation). Turn the JIT off before any schema is built —
// zod decides per schema at construction — so this module is imported first by main.ts.
// Only zod's small core config module ends up in the shell bundle.
import { config } from 'zod/v4/core';

config({ jitless: true });
