import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TenantConnections } from '../application/tenant-connections';
import { Actor } from './actor.decorator';
import { TenantConnectionBody, TenantConnectionPatch } from './dtos';
import { ZodPipe, openApiSchema } from './zod-body.pipe';
import { Access, assertMayActFor, Caller } from '@easgate/service-runtime';
import { checkedInHandler, type Identity, mayActFor, resolvedBy } from '@easgate/identity';

@ApiTags('tenant connections')
@ApiBearerAuth()
@Controller('v1/tenant-connections')
export class TenantConnectionsController {
  constructor(@Inject(TenantConnections) private readonly connections: TenantConnections) {}

  @Post()
  @Access('admin', checkedInHandler('the body names the tenant'))
  @ApiOperation({ summary: 'Register a tenant connection (tenant, app, organization, cloud)' })
  @ApiBody({ schema: openApiSchema(TenantConnectionBody) })
  @ApiResponse({ status: 201, description: 'the connection' })
  @ApiResponse({ status: 409, description: 'TENANT_CONNECTION_EXISTS' })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the fields at fault' })
  create(
    @Body(new ZodPipe(TenantConnectionBody)) body: TenantConnectionBody,
    @Actor() actor: string,
    @Caller() caller: Identity,
  ) {
    assertMayActFor(caller, body.tenantId);
    return this.connections.create(body, actor);
  }

  @Get()
  @Access('auditor', checkedInHandler('lists only the granted tenants'), { services: ['exchange-executor'] })
  @ApiOperation({ summary: 'List tenant connections (optionally of one tenant)' })
  async list(@Caller() caller: Identity, @Query('tenantId') tenantId?: string) {
    const all = await this.connections.list(tenantId?.toLowerCase());
    return all.filter((c) => mayActFor(caller, c.tenantId));
  }

  @Get(':connectionId')
  @Access('auditor', resolvedBy('connection', 'connectionId'))
  @ApiOperation({ summary: 'A tenant connection with its active certificate (id, thumbprintSha1, notAfter)' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  get(@Param('connectionId') connectionId: string) {
    return this.connections.get(connectionId);
  }

  @Patch(':connectionId')
  @Access('admin', resolvedBy('connection', 'connectionId'))
  @ApiOperation({ summary: 'Change a tenant connection (not its tenant)' })
  @ApiBody({ schema: openApiSchema(TenantConnectionPatch) })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the fields at fault' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  update(
    @Param('connectionId') connectionId: string,
    @Body(new ZodPipe(TenantConnectionPatch)) body: TenantConnectionPatch,
    @Actor() actor: string,
  ) {
    return this.connections.update(connectionId, body, actor);
  }

  @Delete(':connectionId')
  @Access('admin', resolvedBy('connection', 'connectionId'))
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tenant connection that holds no certificate' })
  @ApiResponse({ status: 409, description: 'TENANT_CONNECTION_IN_USE' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  async delete(@Param('connectionId') connectionId: string, @Actor() actor: string): Promise<void> {
    await this.connections.delete(connectionId, actor);
  }
}
