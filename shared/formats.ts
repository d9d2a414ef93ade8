// Format schemas for identifiers shared by the API, the UI and both daemons.
// Every string is bounded; patterns follow Proxmox's where the thing is the same.
import { z } from 'zod';

/** A short free-text field (comments, descriptions). */
export const comment = z.string().max(4096);

/** Safe identifier for objects Steward names (remotes, groups, views): like PVE's `pve-configid`. */
export const safeId = z
  .string()
  .min(2)
  .max(32)
  .regex(/^[a-z][a-z0-9_-]*[a-z0-9]$/i, 'must start with a letter and contain only letters, digits, "-" and "_"');

export const realm = z.string().min(1).max(32).regex(/^[A-Za-z][A-Za-z0-9._-]*$/);

/** `name@realm`, as Proxmox spells user ids. */
export const userid = z
  .string()
  .min(3)
  .max(64)
  .regex(/^[^\s:/@!]+@[A-Za-z][A-Za-z0-9._-]*$/, 'must look like name@realm');

export const tokenName = z.string().min(1).max(32).regex(/^[A-Za-z][A-Za-z0-9._-]*$/);

/** `name@realm!token` */
export const tokenid = z
  .string()
  .min(5)
  .max(97)
  .regex(/^[^\s:/@!]+@[A-Za-z][A-Za-z0-9._-]*![A-Za-z][A-Za-z0-9._-]*$/, 'must look like name@realm!token');

/** Opaque version of a stored object, echoed back on update for optimistic concurrency. */
export const digest = z.string().min(1).max(64).regex(/^[0-9a-f]+$/);

/** Proxmox-style booleans: accepts true/false, 1/0 and their string forms (form bodies, queries). */
export const pveBool = z
  .union([z.boolean(), z.literal(0), z.literal(1), z.enum(['0', '1', 'true', 'false'])])
  .transform((v) => v === true || v === 1 || v === '1' || v === 'true');

/** Integers that may arrive as strings (query strings, form bodies). */
export function intParam(min: number, max: number) {
  return z.coerce.number().int().min(min).max(max);
}

export const hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9.:_\-[\]]+$/, 'must be a host name or an IP address');

export const port = z.coerce.number().int().min(1).max(65535);

/** SHA-256 fingerprint in Proxmox's form: 32 upper/lower hex pairs separated by colons. */
export const fingerprint = z
  .string()
  .max(95)
  .regex(/^([0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$/, 'must be a SHA-256 fingerprint (AA:BB:…, 32 pairs)');
