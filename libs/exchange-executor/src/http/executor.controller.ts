import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ExecutorError, ExecutorErrorCode } from '../domain/executor-error';
import { ConfigSync } from '../application/config-sync';
import { ScopeGuard } from '../application/scope-guard';
import type { ExecutorConfig } from '../config';
import { Discovery } from '../application/discovery';
import { TenantStatus } from '../application/tenant-status';
import { runConnectionTest } from '../infra/exchange-client';
import { CommandLogRepository } from '../infra/persistence/command-log.repository';
import { TENANT_CLIENTS } from '../tokens';
import type { TenantClients } from '../infra/tenant-clients';
import { byParam, resolvedBy } from '@easgate/identity';
import { Access } from '@easgate/service-runtime';

const TENANT = /^[A-Za-z0-9.-]{3,255}$/;

function tenantParam(tenant: string): string {
  if (!TENANT.test(tenant))
    throw new ExecutorError(ExecutorErrorCode.InvalidTenant, 'tenant must be a tenant id (GUID) or a domain');
  return tenant;
}

const timestamp = { type: 'string', format: 'date-time' } as const;
const tenantStatusSchema = {
  type: 'object',
  required: ['tenant', 'knownAs', 'throttling', 'circuit', 'discovery', 'backlog', 'observedAt'],
  properties: {
    tenant: { type: 'string' },
    knownAs: { type: 'array', items: { type: 'string' } },
    lastSuccessfulCall: {
      type: 'object',
      required: ['at', 'source', 'what'],
      properties: {
        at: timestamp,
        source: { type: 'string', enum: ['request', 'command'] },
        what: { type: 'string', description: 'the cmdlet, or the kind of the applied command' },
      },
    },
    lastSuccessfulRequest: {
      type: 'object',
      required: ['at', 'cmdlet'],
      properties: { at: timestamp, cmdlet: { type: 'string' } },
    },
    lastAppliedCommand: {
      type: 'object',
      required: ['commandId', 'completedAt', 'action'],
      properties: { commandId: { type: 'string' }, completedAt: timestamp, action: { type: 'string' } },
    },
    throttling: {
      type: 'object',
      required: ['active', 'throttledRequests', 'windowSeconds'],
      properties: {
        active: { type: 'boolean' },
        throttledRequests: { type: 'integer' },
        windowSeconds: { type: 'integer' },
        retryAfterSeconds: { type: 'number' },
      },
    },
    circuit: {
      type: 'object',
      required: ['state'],
      properties: {
        state: { type: 'string', enum: ['closed', 'open', 'half-open'] },
        since: timestamp,
        reason: { type: 'string' },
      },
    },
    discovery: {
      type: 'object',
      required: ['state', 'inventory'],
      properties: {
        state: { type: 'string', enum: ['none', 'running', 'completed', 'failed'] },
        scan: {
          type: 'object',
          required: ['scanId', 'tenant', 'state', 'devices', 'mailboxes', 'pages', 'startedAt'],
          properties: {
            scanId: { type: 'string' },
            tenant: { type: 'string' },
            state: { type: 'string', enum: ['running', 'completed', 'failed'] },
            devices: { type: 'integer' },
            mailboxes: { type: 'integer' },
            pages: { type: 'integer' },
            startedAt: timestamp,
            finishedAt: timestamp,
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' } },
            },
          },
        },
        inventory: {
          type: 'object',
          required: ['mailboxes'],
          properties: { mailboxes: { type: 'integer' }, lastObservedAt: timestamp },
        },
      },
    },
    backlog: {
      type: 'object',
      required: ['depth', 'oldestAgeSeconds'],
      properties: {
        depth: { type: 'integer' },
        oldestReceivedAt: timestamp,
        oldestAgeSeconds: { type: 'integer' },
      },
    },
    observedAt: timestamp,
  },
};

@ApiTags('exchange')
@ApiBearerAuth()
@Controller('v1')
export class ExecutorController {
  constructor(
    @Inject(Discovery) private readonly discovery: Discovery,
    @Inject(CommandLogRepository) private readonly log: CommandLogRepository,
    @Inject(TENANT_CLIENTS) private readonly clients: TenantClients,
    @Inject(ConfigSync) private readonly configSync: ConfigSync,
    @Inject(TenantStatus) private readonly status: TenantStatus,
    @Inject('EXECUTOR_RUNTIME') runtime: { config: ExecutorConfig },
  ) {
    this.scopes = new ScopeGuard(runtime.config.EXECUTOR_SCOPES);
  }

  /** The tenants' mailbox scopes, for the connection test's scope step. */
  private readonly scopes: ScopeGuard;

  @Get('tenants/:tenant/status')
  @Access('auditor', byParam('tenant'))
  @ApiOperation({
    summary:
      'The tenant’s Exchange status: last successful Exchange call, discovery state and counts, throttling, circuit breaker and command backlog',
    description:
      'Throttling, circuit, the last request and the newest scan are what this executor process saw; the last applied command, the backlog and the inventory come from the database. The tenant is matched by its id and its domain.',
  })
  @ApiResponse({ status: 200, description: 'The status', schema: tenantStatusSchema })
  @ApiResponse({ status: 400, description: 'INVALID_TENANT: not a tenant id (GUID) or a domain' })
  tenantStatus(@Param('tenant') tenant: string) {
    return this.status.of(tenantParam(tenant));
  }

  @Post('tenants/:tenant/config-sync')
  @Access('operator', byParam('tenant'))
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Read ActiveSync organization settings, device access rules and mailbox policies; publish drift since the last sync',
  })
  @ApiResponse({ status: 400, description: 'INVALID_TENANT: not a tenant id (GUID) or a domain' })
  @ApiResponse({
    status: 404,
    description: 'EXO_NO_TENANT_CONNECTION: no connection in the vault for this tenant',
  })
  syncConfiguration(@Param('tenant') tenant: string) {
    return this.configSync.sync(tenantParam(tenant));
  }

  @Post('tenants/:tenant/connection-test')
  @Access('operator', byParam('tenant'))
  @HttpCode(200)
  @ApiOperation({
    summary:
      'The Exchange half of Validate Certificate: token, a read-only cmdlet, a probe of each cmdlet easgate needs, the mailbox scope; each step (@easgate/validation-pipeline) with its state, code, meaning and fix',
  })
  @ApiResponse({ status: 400, description: 'INVALID_TENANT: not a tenant id (GUID) or a domain' })
  @ApiResponse({
    status: 404,
    description: 'EXO_NO_TENANT_CONNECTION: no connection in the vault for this tenant',
  })
  async connectionTest(@Param('tenant') tenant: string) {
    const client = await this.clients.clientFor(tenantParam(tenant));
    const organization = client.endpoints.anchorMailbox.split('@').pop() ?? '';
    const scope = this.scopes.scopeOf(tenant, [client.endpoints.tenant, organization]);
    return runConnectionTest(client, scope ? { scope } : {});
  }

  @Post('tenants/:tenant/discovery')
  @Access('operator', byParam('tenant'))
  @HttpCode(202)
  @ApiOperation({
    summary: 'Start a full inventory (mailboxes and mobile devices, paged); returns the scan to poll',
  })
  @ApiResponse({ status: 400, description: 'INVALID_TENANT: not a tenant id (GUID) or a domain' })
  @ApiResponse({
    status: 404,
    description: 'EXO_NO_TENANT_CONNECTION: no connection in the vault for this tenant',
  })
  startDiscovery(@Param('tenant') tenant: string) {
    return this.discovery.start(tenantParam(tenant));
  }

  @Get('discovery/scans/:scanId')
  @Access('auditor', resolvedBy('discovery-scan', 'scanId'))
  @ApiOperation({ summary: 'Progress of a scan: devices, mailboxes and pages read' })
  @ApiResponse({ status: 404, description: 'SCAN_NOT_FOUND' })
  scan(@Param('scanId') scanId: string) {
    const status = this.discovery.status(scanId);
    if (!status) throw new ExecutorError(ExecutorErrorCode.ScanNotFound, `no scan ${scanId}`);
    return status;
  }

  @Get('commands/:commandId')
  @Access('auditor', resolvedBy('command', 'commandId'))
  @ApiOperation({ summary: 'A command’s status and result' })
  @ApiResponse({ status: 404, description: 'COMMAND_NOT_FOUND' })
  async command(@Param('commandId') commandId: string) {
    const found = await this.log.findByCommandId(commandId);
    if (!found) throw new ExecutorError(ExecutorErrorCode.CommandNotFound, `no command ${commandId}`);
    return found;
  }
}
