import {
  type CmdletSchemaError,
  bindCmdletParameters,
  getCmdletDefinition,
  toAdminApiErrorDetail,
} from '@easgate/cmdlet-schemas';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { aadstsErrorBody, type AadstsFailure } from '../domain/aadsts';
import type { CmdletFailure } from '../domain/cmdlet-executor';
import type { FaultSpec } from '../domain/faults';
import { isCmdletAllowed } from '../domain/rbac';
import type { Sandbox } from '../domain/sandbox';
import { SandboxError, SandboxErrorCode } from '../domain/sandbox-error';
import { ExchangeManageAsAppRole, ExchangeResource, GraphResource } from '../domain/token-service';
import {
  BodyTooLarge,
  InvalidJson,
  header,
  parseForm,
  parseJson,
  readBody,
  sendJson,
  sendRaw,
  sleep,
} from './http-io';

const AdminApiPath = /^\/adminapi\/beta\/([^/]+)\/InvokeCommand$/i;
const TokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/i;
const OpenIdPath = /^\/([^/]+)\/(?:v2\.0\/)?\.well-known\/openid-configuration$/i;
const KeysPath = /^\/([^/]+)\/discovery\/(?:v2\.0\/)?keys$/i;
const GraphAppPath =
  /^\/v1\.0\/applications(?:\/([0-9a-fA-F-]{36})|\(appId='([0-9a-fA-F-]{36})'\))(?:\/(addKey|removeKey))?$/;
const ODataWarnings = {
  'adminapi.warnings@odata.type': '#Collection(String)',
  '@adminapi.warnings': [] as string[],
};

interface PageToken {
  /** cmdlet name and raw parameters, so that a GET on the nextLink needs no body */
  n: string;
  p: unknown;
  a: number;
  r: number;
  m: number | undefined;
  s: string | undefined;
}

/** Routes HTTPS requests to the token endpoint, Graph, the Exchange admin API and the sandbox admin API. */
export class SandboxHttpServer {
  constructor(private readonly sandbox: Sandbox) {}

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.route(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof BodyTooLarge)
        sendJson(res, 413, { error: { code: 'RequestEntityTooLarge', message: err.message } });
      else
        sendJson(res, 500, {
          error: { code: 'InternalServerError', message: err instanceof Error ? err.message : 'error' },
        });
    });
  };

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://sandbox.invalid');
    const path = url.pathname;
    const origin = `https://${header(req, 'host') ?? 'localhost'}`;
    if (path.startsWith('/_sandbox/') || path === '/_sandbox') return this.admin(req, res, url);

    let m: RegExpExecArray | null;
    if ((m = AdminApiPath.exec(path)))
      return this.invokeCommand(req, res, url, origin, decodeURIComponent(m[1]));
    if ((m = TokenPath.exec(path))) return this.token(req, res, origin, decodeURIComponent(m[1]));
    if (req.method === 'GET' && (m = OpenIdPath.exec(path)))
      return this.openIdConfiguration(res, origin, decodeURIComponent(m[1]));
    if (req.method === 'GET' && (m = KeysPath.exec(path)))
      return sendJson(res, 200, this.sandbox.tokens.jwks());
    if (req.method === 'GET' && path.toLowerCase() === '/common/discovery/instance')
      return this.instanceDiscovery(res, origin, url);
    if ((m = GraphAppPath.exec(path))) return this.graph(req, res, m[1] ?? m[2], m[2] !== undefined, m[3]);
    sendJson(res, 404, {
      error: { code: 'NotFound', message: `No sandbox route for ${req.method} ${path}` },
    });
  }

  // ---- identity platform ------------------------------------------------------------------------

  private async token(
    req: IncomingMessage,
    res: ServerResponse,
    origin: string,
    tenantSegment: string,
  ): Promise<void> {
    const sb = this.sandbox;
    const body = await readBody(req);
    await this.latency();
    const form = req.method === 'POST' ? parseForm(body) : {};
    const correlationId = form['client-request-id'] ?? header(req, 'client-request-id') ?? randomUUID();
    const traceId = randomUUID();
    const headers = {
      'Cache-Control': 'no-store, no-cache',
      Pragma: 'no-cache',
      'x-ms-request-id': traceId,
      'client-request-id': correlationId,
    };
    sb.counters.tokenRequests++;
    const audit = (status: number, outcome: string, appId?: string) =>
      sb.audit.record({
        at: new Date(sb.now()).toISOString(),
        kind: 'token',
        tenantId: sb.directory.resolveTenant(tenantSegment)?.tenantId,
        appId: appId ?? form.client_id?.toLowerCase(),
        action: 'token',
        status,
        outcome,
      });
    const failWith = (failure: AadstsFailure, extra: Record<string, string> = {}) => {
      sb.counters.tokenFailures[`AADSTS${failure.code}`] =
        (sb.counters.tokenFailures[`AADSTS${failure.code}`] ?? 0) + 1;
      audit(failure.status, `AADSTS${failure.code}`);
      sendJson(res, failure.status, aadstsErrorBody(failure, sb.now(), traceId, correlationId), {
        ...headers,
        ...extra,
      });
    };

    const fault = sb.faults.take('token');
    if (fault && (await this.applyTransportFault(fault.kind, fault.holdMs, res))) return;
    if (fault) {
      sb.counters.faultsInjected++;
      const retryAfter = { 'Retry-After': String(fault.retryAfterSeconds) };
      if (fault.kind === 'http-429') {
        return failWith(
          {
            status: 429,
            error: 'temporarily_unavailable',
            code: 90055,
            message: 'There are too many incoming requests. Please try again later.',
          },
          retryAfter,
        );
      }
      return failWith(
        {
          status: fault.kind === 'http-503' ? 503 : 504,
          error: 'temporarily_unavailable',
          code: 90033,
          message: 'A transient error has occurred. Please try again.',
        },
        retryAfter,
      );
    }
    if (req.method !== 'POST') {
      return failWith({
        status: 400,
        error: 'invalid_request',
        code: 900561,
        message: 'The endpoint only accepts POST requests. Received a GET request.',
      });
    }
    const outcome = sb.tokens.issue({ tenantSegment, form, origin });
    if (!outcome.ok) return failWith(outcome.failure);
    sb.counters.tokensIssued++;
    audit(200, 'ok', outcome.appId);
    sendJson(res, 200, outcome.body, headers);
  }

  private openIdConfiguration(res: ServerResponse, origin: string, tenantSegment: string): void {
    const tenant = this.sandbox.directory.resolveTenant(tenantSegment);
    if (!tenant) {
      const failure = {
        status: 400,
        error: 'invalid_tenant',
        code: 90002,
        message: `Tenant '${tenantSegment}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      };
      return sendJson(res, 400, aadstsErrorBody(failure, this.sandbox.now(), randomUUID(), randomUUID()));
    }
    const base = `${origin}/${tenant.tenantId}`;
    sendJson(res, 200, {
      token_endpoint: `${base}/oauth2/v2.0/token`,
      token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
      jwks_uri: `${base}/discovery/v2.0/keys`,
      response_modes_supported: ['query', 'fragment', 'form_post'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
      scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      issuer: `${base}/v2.0`,
      request_uri_parameter_supported: false,
      userinfo_endpoint: `${origin}/oidc/userinfo`,
      authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
      device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
      http_logout_supported: true,
      frontchannel_logout_supported: true,
      end_session_endpoint: `${base}/oauth2/v2.0/logout`,
      claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid'],
      tenant_region_scope: 'EU',
      cloud_instance_name: 'microsoftonline.com',
      cloud_graph_host_name: 'graph.windows.net',
      msgraph_host: 'graph.microsoft.com',
    });
  }

  private instanceDiscovery(res: ServerResponse, origin: string, url: URL): void {
    const host = new URL(origin).host;
    sendJson(res, 200, {
      tenant_discovery_endpoint: `${origin}/${url.searchParams.get('tenant') ?? 'common'}/v2.0/.well-known/openid-configuration`,
      'api-version': '1.1',
      metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
    });
  }

  // ---- Microsoft Graph addKey / removeKey -------------------------------------------------------

  private async graph(
    req: IncomingMessage,
    res: ServerResponse,
    id: string,
    byAppId: boolean,
    action: string | undefined,
  ): Promise<void> {
    const sb = this.sandbox;
    const body = await readBody(req);
    await this.latency();
    sb.counters.graphCalls++;
    const app = byAppId ? sb.directory.findApp(id) : sb.directory.findAppByObjectId(id);
    const graphError = (status: number, code: string, message: string) => {
      sb.audit.record({
        at: new Date(sb.now()).toISOString(),
        kind: 'graph',
        tenantId: sb.directory.tenant.tenantId,
        appId: app?.appId,
        action: action ?? 'get',
        status,
        outcome: code,
      });
      sendJson(res, status, {
        error: {
          code,
          message,
          innerError: {
            date: new Date(sb.now()).toISOString().slice(0, 19),
            'request-id': randomUUID(),
            'client-request-id': header(req, 'client-request-id') ?? randomUUID(),
          },
        },
      });
    };
    const fault = sb.faults.take('graph');
    if (fault && (await this.applyTransportFault(fault.kind, fault.holdMs, res))) return;
    if (fault) {
      sb.counters.faultsInjected++;
      res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return graphError(
        faultStatus(fault.kind),
        fault.kind === 'http-429' ? 'TooManyRequests' : 'ServiceUnavailable',
        'Injected fault.',
      );
    }
    // Graph needs a Graph token of the app itself (an app may roll its own keys without permissions).
    const bearer = /^Bearer (.+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    if (!bearer) return graphError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
    const check = sb.tokens.verifyAccessToken(bearer, GraphResource, sb.directory.tenant.tenantId);
    if (!check.ok)
      return graphError(
        401,
        'InvalidAuthenticationToken',
        `Access token validation failure (${check.reason}).`,
      );
    if (!app)
      return graphError(
        404,
        'Request_ResourceNotFound',
        `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
      );
    if (check.claims.appid !== app.appId)
      return graphError(
        403,
        'Authorization_RequestDenied',
        'Insufficient privileges to complete the operation.',
      );

    if (action === undefined) {
      if (req.method !== 'GET') return graphError(405, 'Request_BadRequest', 'Method not allowed.');
      const summary = sb.appSummary(app);
      return sendJson(res, 200, {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#applications/$entity',
        id: app.objectId,
        appId: app.appId,
        displayName: app.displayName,
        keyCredentials: summary.keyCredentials,
      });
    }
    const json = parseJson(body);
    const outcome =
      action === 'addKey'
        ? sb.graphKeys.addKey(app.objectId, json)
        : sb.graphKeys.removeKey(app.objectId, json);
    if (!outcome.ok) return graphError(outcome.status, outcome.code, outcome.message);
    sb.audit.record({
      at: new Date(sb.now()).toISOString(),
      kind: 'graph',
      tenantId: sb.directory.tenant.tenantId,
      appId: app.appId,
      action,
      status: action === 'addKey' ? 200 : 204,
      outcome: 'ok',
    });
    if (action === 'addKey') {
      return sendJson(res, 200, {
        '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.keyCredential',
        ...(outcome.value as object),
      });
    }
    res.writeHead(204).end();
  }

  // ---- Exchange Online admin API ----------------------------------------------------------------

  private async invokeCommand(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    origin: string,
    tenantSegment: string,
  ): Promise<void> {
    const sb = this.sandbox;
    const rawBody = await readBody(req);
    await this.latency();
    const requestId = randomUUID();
    const baseHeaders = {
      'request-id': requestId,
      'X-CalculatedBETarget': 'SANDBOX01MB0001.prod.outlook.com',
    };
    const tenant = sb.directory.resolveTenant(tenantSegment);
    // Filled in as the request is understood; the audit records whatever is known when it ends.
    const call: { appId: string | undefined; cmdletName: string; parameters: unknown } = {
      appId: undefined,
      cmdletName: header(req, 'x-cmdletname') ?? 'unknown',
      parameters: undefined,
    };
    const audit = (status: number, outcome: string, extra: { page?: number; resultCount?: number } = {}) =>
      sb.audit.record({
        at: new Date(sb.now()).toISOString(),
        kind: 'cmdlet',
        tenantId: tenant?.tenantId,
        appId: call.appId,
        action: call.cmdletName,
        ...(isRecord(call.parameters) ? { parameters: call.parameters } : {}),
        status,
        outcome,
        ...extra,
      });
    const odataError = (
      status: number,
      error: Record<string, unknown>,
      extraHeaders: Record<string, string> = {},
    ) => {
      sb.counters.cmdletFailures++;
      audit(status, String(error.code));
      sendJson(res, status, { error, ...ODataWarnings }, { ...baseHeaders, ...extraHeaders });
    };

    if (!tenant)
      return odataError(404, {
        code: 'NotFound',
        message: `The tenant '${tenantSegment}' couldn't be found.`,
      });
    const bearer = /^Bearer (.+)$/i.exec(header(req, 'authorization') ?? '')?.[1];
    const check = bearer ? sb.tokens.verifyAccessToken(bearer, ExchangeResource, tenant.tenantId) : undefined;
    if (!check || !check.ok) {
      return odataError(
        401,
        {
          code: 'Unauthorized',
          message: check
            ? `The access token is invalid (${check.reason}).`
            : 'The request has no bearer token.',
        },
        {
          'WWW-Authenticate': `Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1", error="invalid_token"`,
        },
      );
    }
    const appId = check.claims.appid;
    call.appId = appId;
    if (!(check.claims.roles ?? []).includes(ExchangeManageAsAppRole)) {
      sb.counters.cmdletFailures++;
      audit(403, 'Forbidden');
      if (sb.knobs.missingRoleResponse === 'nul-body')
        return sendRaw(res, 403, Buffer.alloc(16), baseHeaders);
      return sendJson(
        res,
        403,
        {
          error: {
            code: 'Forbidden',
            message: `The role assigned to application ${appId} isn't supported in this scenario. Please check online documentation for assigning correct Directory Roles to Azure AD Application for EXO App-Only Authentication.`,
          },
          ...ODataWarnings,
        },
        baseHeaders,
      );
    }
    if (sb.knobs.requireAnchorMailbox && !header(req, 'x-anchormailbox')) {
      return odataError(400, { code: 'BadRequest', message: 'The X-AnchorMailbox header is required.' });
    }

    // The cmdlet input: the body, or (GET on a nextLink) the page token.
    const skipToken = url.searchParams.get('$skiptoken') ?? url.searchParams.get('$skipToken');
    const token = skipToken ? decodePageToken(skipToken) : undefined;
    if (skipToken && !token)
      return odataError(400, { code: 'BadRequest', message: 'The $skiptoken is not valid.' });
    const json = parseJson(rawBody);
    if (json === InvalidJson)
      return odataError(400, { code: 'BadRequest', message: 'The request body is not valid JSON.' });
    const input = isRecord(json) && isRecord(json.CmdletInput) ? json.CmdletInput : undefined;
    const name = typeof input?.CmdletName === 'string' ? input.CmdletName : token?.n;
    const parameters = input ? input.Parameters : token?.p;
    call.parameters = parameters;
    if (typeof name !== 'string') {
      return odataError(400, {
        code: 'BadRequest',
        message: 'Invalid Operation',
        details: [
          {
            code: 'Client',
            target: '',
            message:
              '||The request body must be {"CmdletInput":{"CmdletName":"<cmdlet>","Parameters":{...}}}.',
          },
        ],
      });
    }
    const definition = getCmdletDefinition(name);
    const cmdletName = definition?.name ?? name;
    call.cmdletName = cmdletName;

    const fault = sb.faults.take('adminapi', cmdletName);
    if (fault && (await this.applyTransportFault(fault.kind, fault.holdMs, res))) {
      sb.counters.faultsInjected++;
      audit(0, `fault:${fault.kind}`);
      return;
    }
    if (fault) {
      sb.counters.faultsInjected++;
      const status = faultStatus(fault.kind);
      return odataError(
        status,
        {
          code: status === 429 ? 'TooManyRequests' : status === 503 ? 'ServiceUnavailable' : 'GatewayTimeout',
          message: 'Injected fault.',
        },
        { 'Retry-After': String(fault.retryAfterSeconds) },
      );
    }
    const sp = sb.directory.servicePrincipalOf(appId);
    if (
      definition &&
      !isCmdletAllowed(definition, check.claims.wids ?? [], sp?.roleGroupCmdlets ?? new Set())
    ) {
      return odataError(401, {
        code: 'Unauthorized',
        message: `User is not allowed to call ${definition.name}`,
        innererror: {
          message: `User is not allowed to call ${definition.name}`,
          type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
        },
      });
    }
    const throttle = sb.throttle.acquire(tenant.tenantId, appId);
    if (!throttle.ok) {
      sb.counters.throttled++;
      const seconds = throttle.retryAfterSeconds;
      return odataError(
        429,
        {
          code: 'TooManyRequests',
          message: `The request was throttled (${throttle.scope} budget exceeded). Retry after ${seconds} seconds.`,
        },
        { 'Retry-After': String(seconds) },
      );
    }
    try {
      const bound = bindCmdletParameters(name, parameters, { mode: 'server' });
      if (!bound.ok) return odataError(400, bindingError(bound.errors[0]));
      const maxPageSize = parsePrefer(header(req, 'prefer')) ?? token?.m;
      const select = url.searchParams.get('$select') ?? token?.s ?? undefined;
      const outcome = sb.executor.execute(
        bound.value,
        { afterSeq: token?.a ?? 0, returned: token?.r ?? 0, pageSize: maxPageSize },
        { nowMs: sb.now(), appId, organizationDisplayName: tenant.displayName },
      );
      sb.counters.cmdletCalls[cmdletName] = (sb.counters.cmdletCalls[cmdletName] ?? 0) + 1;
      if (!outcome.ok) return odataError(outcome.failure.status, executionError(outcome.failure));
      sb.counters.pages++;
      const prefix = `${origin}/adminapi/beta/${encodeURIComponent(tenantSegment)}`;
      const envelope: Record<string, unknown> = {
        '@odata.context': `${prefix}/$metadata#Collection(Exchange.GenericHashTable)`,
        'adminapi.warnings@odata.type': '#Collection(String)',
        '@adminapi.warnings': outcome.warnings,
        value: select ? outcome.values.map((v) => project(v, select)) : outcome.values,
      };
      if (outcome.next) {
        const next: PageToken = {
          n: bound.value.name,
          p: parameters,
          a: outcome.next.afterSeq,
          r: outcome.next.returned,
          m: maxPageSize,
          s: select,
        };
        envelope['@odata.nextLink'] =
          `${prefix}/InvokeCommand?$skiptoken=${encodePageToken(next)}${select ? `&$select=${encodeURIComponent(select)}` : ''}`;
      }
      audit(200, 'ok', { page: token ? 2 : 1, resultCount: outcome.values.length });
      sendJson(res, 200, envelope, {
        ...baseHeaders,
        ...(maxPageSize ? { 'Preference-Applied': `odata.maxpagesize=${maxPageSize}` } : {}),
      });
    } finally {
      throttle.release();
    }
  }

  // ---- shared helpers ---------------------------------------------------------------------------

  private async latency(): Promise<void> {
    if (this.sandbox.knobs.latencyMs > 0) await sleep(this.sandbox.knobs.latencyMs);
  }

  /** `timeout` hangs then drops the socket; `reset` drops it at once. True when the response is done. */
  private async applyTransportFault(
    kind: FaultSpec['kind'],
    holdMs: number,
    res: ServerResponse,
  ): Promise<boolean> {
    if (kind === 'reset') {
      res.socket?.destroy();
      return true;
    }
    if (kind === 'timeout') {
      await sleep(holdMs);
      res.socket?.destroy();
      return true;
    }
    return false;
  }

  // ---- sandbox admin API ------------------------------------------------------------------------

  private async admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const sb = this.sandbox;
    const body = parseJson(await readBody(req));
    const input = isRecord(body) ? body : {};
    const segments = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const route = `${req.method ?? 'GET'} /${segments.map((s, i) => (i % 2 === 1 && segments[0] !== 'knobs' ? ':id' : s)).join('/')}`;
    const id = segments[1] ?? '';
    try {
      switch (route) {
        case 'GET /info':
          return sendJson(res, 200, sb.info());
        case 'GET /apps':
          return sendJson(res, 200, { value: sb.directory.listApps().map((a) => sb.appSummary(a)) });
        case 'POST /apps':
          return sendJson(
            res,
            201,
            sb.registerApp({
              appId: optionalString(input.appId),
              displayName: optionalString(input.displayName),
              certificates: Array.isArray(input.certificates) ? input.certificates.map(String) : [],
              servicePrincipal: input.servicePrincipal !== false,
              consentGranted: input.consentGranted === true,
              roles: Array.isArray(input.roles) ? input.roles.map(String) : [],
            }),
          );
        case 'GET /apps/:id':
          return sendJson(res, 200, sb.appSummary(sb.directory.requireApp(id)));
        case 'POST /apps/:id/certificates':
          return sendJson(res, 201, sb.addCertificate(id, str(input.certificate)));
        case 'PUT /apps/:id/consent':
          return sendJson(res, 200, sb.setConsent(id, input.granted === true));
        case 'DELETE /apps/:id/service-principal':
          return sendJson(res, 200, sb.removeServicePrincipal(id));
        case 'POST /apps/:id/service-principal':
          return sendJson(
            res,
            201,
            sb.addServicePrincipal(id, {
              consentGranted: input.consentGranted !== false,
              roles: Array.isArray(input.roles) ? input.roles.map(String) : ['Exchange Administrator'],
            }),
          );
        case 'PUT /apps/:id/roles':
          return sendJson(
            res,
            200,
            sb.setRoles(id, Array.isArray(input.roles) ? input.roles.map(String) : []),
          );
        case 'PUT /apps/:id/role-group-cmdlets':
          return sendJson(
            res,
            200,
            sb.setRoleGroupCmdlets(id, Array.isArray(input.cmdlets) ? input.cmdlets.map(String) : []),
          );
        case 'POST /mailboxes': {
          const m = sb.addMailbox({
            alias: str(input.alias),
            displayName: optionalString(input.displayName),
          });
          return sendJson(res, 201, {
            identity: m.name,
            userPrincipalName: m.userPrincipalName,
            guid: m.guid,
          });
        }
        case 'GET /devices':
          return sendJson(res, 200, {
            value: sb.listDevices(url.searchParams.get('mailbox') ?? undefined),
          });
        case 'POST /devices':
          return sendJson(
            res,
            200,
            sb.connectDevice({
              mailbox: str(input.mailbox),
              deviceId: str(input.deviceId),
              deviceType: str(input.deviceType) || 'iPhone',
              deviceModel: optionalString(input.deviceModel),
              deviceOS: optionalString(input.deviceOS),
              userAgent: optionalString(input.userAgent),
              friendlyName: optionalString(input.friendlyName),
              clientType:
                input.clientType === 'Outlook' ? 'Outlook' : input.clientType === 'EAS' ? 'EAS' : undefined,
              provisionable: input.provisionable !== false,
            }),
          );
        case 'POST /devices/:id/complete-discovery':
          return sendJson(res, 200, sb.completeDiscovery(id));
        case 'POST /devices/:id/sync':
          return sendJson(res, 200, sb.syncDevice(id, { ackWipe: input.ackWipe === true }));
        case 'GET /faults':
          return sendJson(res, 200, { value: sb.faults.list() });
        case 'POST /faults':
          return sendJson(res, 201, { id: sb.faults.inject(toFaultSpec(input)) });
        case 'DELETE /faults':
          sb.faults.clear();
          return sendJson(res, 200, { value: [] });
        case 'GET /knobs':
          return sendJson(res, 200, sb.knobs);
        case 'PUT /knobs':
        case 'PATCH /knobs':
          return sendJson(res, 200, sb.setKnobs(input));
        case 'POST /clock':
          return sendJson(res, 200, {
            offsetSeconds: sb.advanceClock(Number(input.advanceSeconds ?? 0)) / 1000,
          });
        case 'GET /audit':
          return sendJson(res, 200, {
            value: sb.audit.query({
              since: url.searchParams.has('since') ? Number(url.searchParams.get('since')) : undefined,
              kind: (url.searchParams.get('kind') as 'token' | 'cmdlet' | 'graph' | null) ?? undefined,
              appId: url.searchParams.get('appId') ?? undefined,
              action: url.searchParams.get('action') ?? undefined,
            }),
          });
        case 'DELETE /audit':
          sb.audit.clear();
          return sendJson(res, 200, { value: [] });
        case 'GET /counters':
          return sendJson(res, 200, sb.counters);
        default:
          return sendJson(res, 404, {
            error: { code: 'NotFound', message: `No sandbox admin route ${route}` },
          });
      }
    } catch (err) {
      if (err instanceof SandboxError) {
        const status =
          err.code === SandboxErrorCode.InvalidRequest || err.code === SandboxErrorCode.InvalidCertificate
            ? 400
            : 404;
        return sendJson(res, status, { error: { code: err.code, message: err.message } });
      }
      throw err;
    }
  }
}

function faultStatus(kind: FaultSpec['kind']): number {
  return kind === 'http-429' ? 429 : kind === 'http-503' ? 503 : 504;
}

function toFaultSpec(input: Record<string, unknown>): FaultSpec {
  const kinds = ['http-429', 'http-503', 'http-504', 'timeout', 'reset'];
  const targets = ['token', 'adminapi', 'graph', 'any'];
  if (typeof input.kind !== 'string' || !kinds.includes(input.kind)) {
    throw new SandboxError(SandboxErrorCode.InvalidRequest, `fault kind must be one of ${kinds.join(', ')}`);
  }
  const target = typeof input.target === 'string' ? input.target : 'adminapi';
  if (!targets.includes(target))
    throw new SandboxError(
      SandboxErrorCode.InvalidRequest,
      `fault target must be one of ${targets.join(', ')}`,
    );
  return {
    kind: input.kind as FaultSpec['kind'],
    target: target as FaultSpec['target'],
    ...(typeof input.cmdlet === 'string' ? { cmdlet: input.cmdlet } : {}),
    ...(typeof input.count === 'number' ? { count: input.count } : {}),
    ...(typeof input.retryAfterSeconds === 'number' ? { retryAfterSeconds: input.retryAfterSeconds } : {}),
    ...(typeof input.holdMs === 'number' ? { holdMs: input.holdMs } : {}),
  };
}

function bindingError(e: CmdletSchemaError): Record<string, unknown> {
  return {
    code: 'BadRequest',
    message: 'Invalid Operation',
    details: [{ code: 'Client', target: '', message: toAdminApiErrorDetail(e) }],
    innererror: {
      message: e.message,
      type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
      stacktrace: '',
      internalexception: { message: e.message, type: e.exceptionType, stacktrace: '' },
    },
  };
}

function executionError(f: CmdletFailure): Record<string, unknown> {
  return {
    code: f.code,
    message: f.message,
    details: [{ code: 'Context', target: '', message: f.detail }],
    innererror: {
      message: f.text,
      type: 'Microsoft.Exchange.Admin.OData.Core.ODataServiceException',
      stacktrace: '',
      internalexception: { message: f.text, type: f.exceptionType, stacktrace: '' },
    },
  };
}

function parsePrefer(prefer: string | undefined): number | undefined {
  const m = /odata\.maxpagesize\s*=\s*(\d+)/i.exec(prefer ?? '');
  const n = m ? Number(m[1]) : NaN;
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

function encodePageToken(t: PageToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodePageToken(text: string): PageToken | undefined {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as PageToken;
    return typeof t.n === 'string' && typeof t.a === 'number' && typeof t.r === 'number' ? t : undefined;
  } catch {
    return undefined;
  }
}

function project(value: Record<string, unknown>, select: string): Record<string, unknown> {
  const wanted = select
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  return Object.fromEntries(Object.entries(value).filter(([k]) => wanted.includes(k.toLowerCase())));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function optionalString(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}
