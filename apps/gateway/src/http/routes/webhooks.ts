import { Router, type Request } from 'express';
import { WEBHOOK_FIELDS } from '../../webhooks/present.js';
import { readJsonBody } from '../body.js';
import { param, tenantOf, type GatewayDeps } from '../context.js';
import type { ErrorDetail } from '../errors.js';
import { pagedList, parseFields, parseFilters, parsePage, pickFields, throwIfErrors } from '../pagination.js';

/** The webhooks service: create, list, get, update, delete, re-enable. */
export function webhookRoutes(deps: GatewayDeps): Router {
  const r = Router();
  const svc = deps.webhooks;
  const fieldsOf = (req: Request) => {
    const errors: ErrorDetail[] = [];
    const fields = parseFields(req.query, WEBHOOK_FIELDS, errors);
    throwIfErrors(errors);
    return fields;
  };

  r.post('/v1/webhooks', async (req, res) => {
    const fields = fieldsOf(req);
    const body = await readJsonBody(req, deps.settings.apiBodyMaxBytes);
    const row = await svc.create(tenantOf(req).id, body);
    res
      .status(201)
      .location(`/v1/webhooks/${row.id}`)
      .json(pickFields(svc.present(row), fields));
  });

  r.get('/v1/webhooks', async (req, res) => {
    const errors: ErrorDetail[] = [];
    const page = parsePage(req.query, errors);
    const filters = parseFilters(req.query, ['object'], errors);
    const fields = parseFields(req.query, WEBHOOK_FIELDS, errors);
    throwIfErrors(errors);
    const rows = await svc.list(tenantOf(req).id, { ...page, ...(filters.object ? { objects: filters.object } : {}) });
    const items = rows.map((row) => pickFields(svc.present(row), fields));
    res.json(pagedList(items, page, `${deps.settings.publicUrl.replace(/\/+$/, '')}/v1/webhooks`, req.query as Record<string, unknown>));
  });

  r.get('/v1/webhooks/:id', async (req, res) => {
    const fields = fieldsOf(req);
    res.json(pickFields(svc.present(await svc.get(tenantOf(req).id, param(req, 'id'))), fields));
  });

  r.put('/v1/webhooks/:id', async (req, res) => {
    const fields = fieldsOf(req);
    const tenant = tenantOf(req);
    const id = param(req, 'id');
    await svc.get(tenant.id, id);
    const body = await readJsonBody(req, deps.settings.apiBodyMaxBytes);
    res.json(pickFields(svc.present(await svc.update(tenant.id, id, body)), fields));
  });

  r.put('/v1/webhooks/:id/enable', async (req, res) => {
    const fields = fieldsOf(req);
    res.json(pickFields(svc.present(await svc.enable(tenantOf(req).id, param(req, 'id'))), fields));
  });

  r.delete('/v1/webhooks/:id', async (req, res) => {
    await svc.remove(tenantOf(req).id, param(req, 'id'));
    res.status(204).end();
  });

  return r;
}
