import { Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ExecutorError, ExecutorErrorCode } from '../domain/executor-error';
import { ConfigSync } from '../application/config-sync';
import { ScopeGuard } from '../application/scope-guard';
import type { ExecutorConfig } from '../config';
import { Discovery } from '../application/discovery';
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

@ApiTags('exchange')
@ApiBearerAuth()
@Controller('v1')
export class ExecutorController {
  constructor(
    @Inject(Discovery) private readonly discovery: Discovery,
    @Inject(CommandLogRepository) private readonly log: CommandLogRepository,
    @Inject(TENANT_CLIENTS) private readonly clients: TenantClients,
    @Inject(ConfigSync) private readonly configSync: ConfigSync,
    @Inject('EXECUTOR_RUNTIME') runtime: { config: ExecutorConfig },
  ) {
    this.scopes = new ScopeGuard(runtime.config.EXECUTOR_SCOPES);
  }

  /** The tenants' mailbox scopes, for the connection test's scope step. */
  private readonly scopes: ScopeGuard;

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
