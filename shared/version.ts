// Steward's own version; a test keeps it equal to package.json (and debian/changelog).
export const VERSION = '0.1.0';
export const RELEASE = '0.1';
