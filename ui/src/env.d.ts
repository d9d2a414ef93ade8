// esbuild bundles imported CSS into the linked stylesheet; the import has no value.
declare module '*.css';
