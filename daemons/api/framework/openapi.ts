// The OpenAPI 3.1 document, generated from the route declarations (never written by hand).
import { z } from 'zod';
import { ERROR_CATALOGUE } from '../../../shared/errors.ts';
import { VERSION } from '../../../shared/version.ts';
import type { Route } from './route.ts';

type JsonSchema = Record<string, unknown>;

export function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete s.$schema;
  return s;
}

function permissionText(route: Route): string {
  const p = route.permission;
  if ('public' in p) return 'Public: no authentication.';
  if ('authenticated' in p) return `Any authenticated user or token. ${p.description}`;
  return `Requires role ${p.privilege === 'audit' ? 'Audit' : p.privilege === 'manage' ? 'Manage' : 'Admin'} (or higher) on \`${p.path}\`${p.self ? `, or being the user named by \`${p.self}\` (logged in with a ticket)` : ''}${p.viewResource ? ', or on a saved view (`/views/{id}`) whose filter includes the guest' : ''}.`;
}

const errorSchema = {
  type: 'object',
  required: ['data', 'message', 'code'],
  properties: {
    data: { type: 'null' },
    message: { type: 'string' },
    code: { type: 'string', enum: Object.keys(ERROR_CATALOGUE) },
    errors: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

export function openApiDocument(routes: readonly Route[]): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const parameters: unknown[] = [];
    for (const [where, schema] of [['path', r.params], ['query', r.query]] as const) {
      if (!schema) continue;
      const js = jsonSchema(schema, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
      for (const [name, prop] of Object.entries(js.properties ?? {})) {
        parameters.push({ name, in: where, required: where === 'path' || (js.required ?? []).includes(name), schema: prop });
      }
    }
    const op: Record<string, unknown> = {
      operationId: `${r.method.toLowerCase()}${r.path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_, ch: string) => ch.toUpperCase())}`,
      summary: r.summary,
      description: [r.description, permissionText(r), r.audit ? `Audited as \`${r.audit}\`.` : ''].filter(Boolean).join('\n\n'),
      tags: r.tags,
      'x-permission': r.permission,
      'x-audit': r.audit,
      parameters,
      responses: {
        [String(r.status ?? 200)]: {
          description: 'Success',
          content: { 'application/json': { schema: { type: 'object', required: ['data'], properties: { data: jsonSchema(r.output, 'output') } } } },
        },
        default: { description: 'Error (see the error catalogue)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
      ...('public' in r.permission ? { security: [] } : {}),
    };
    if (r.body) {
      const schema = jsonSchema(r.body, 'input');
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema }, 'application/x-www-form-urlencoded': { schema } },
      };
    }
    const key = '/api2/json' + r.path;
    (paths[key] ??= {})[r.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Steward API',
      version: VERSION,
      description:
        'Datacenter manager for Proxmox VE and Proxmox Backup Server. Success: `{"data": …}`. ' +
        'Failure: `{"data": null, "message", "code", "errors"}` with a code from the catalogue:\n\n' +
        Object.entries(ERROR_CATALOGUE).map(([code, e]) => `- \`${code}\` (${e.status}): ${e.doc}`).join('\n'),
    },
    servers: [{ url: '/' }],
    components: {
      schemas: { Error: errorSchema },
      securitySchemes: {
        ticket: { type: 'apiKey', in: 'cookie', name: 'StewardAuthCookie' },
        token: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'StewardAPIToken=user@realm!name:secret' },
      },
    },
    security: [{ ticket: [] }, { token: [] }],
    paths,
  };
}
