// Saved views: a named filter (a search expression plus included/excluded remotes) that
// admins can grant roles on (`/views/{id}`), so a customer sees just their view.
import { z } from 'zod';
import { comment, digest, safeId } from './formats.ts';

const remoteList = z.array(safeId).max(1000);

export const ViewSchema = z.object({
  id: z.string(),
  search: z.string(),
  'include-remotes': z.array(z.string()),
  'exclude-remotes': z.array(z.string()),
  comment: z.string().optional(),
  digest: z.string(),
});
export type View = z.infer<typeof ViewSchema>;

export const ViewCreateSchema = z.strictObject({
  id: safeId,
  search: z.string().max(1024).default(''),
  'include-remotes': remoteList.optional(),
  'exclude-remotes': remoteList.optional(),
  comment: comment.optional(),
});

export const ViewUpdateSchema = z.strictObject({
  search: z.string().max(1024).optional(),
  'include-remotes': remoteList.optional(),
  'exclude-remotes': remoteList.optional(),
  comment: comment.optional(),
  delete: z.array(z.enum(['comment', 'include-remotes', 'exclude-remotes'])).max(3).optional(),
  digest: digest.optional(),
});
