// zod compiles object parsers with new Function() when it can; the strict CSP forbids that
// (and the attempt is reported as a violation). zod decides per schema when the schema is
// built, reading its global config, which it keeps on globalThis.__zod_globalConfig. Setting
// `jitless` there before any zod module loads keeps zod itself out of the shell bundle (it is
// only in the lazily loaded admin pages). The browser suite fails on any CSP violation, so a
// zod release that moved this would be caught.
const g = globalThis as { __zod_globalConfig?: Record<string, unknown> };
g.__zod_globalConfig = { ...g.__zod_globalConfig, jitless: true };
