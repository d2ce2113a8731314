import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { TenantConnections } from '../application/tenant-connections';
import { Actor } from './actor.decorator';
import { TenantConnectionBody, TenantConnectionPatch } from './dtos';
import { ZodPipe, openApiSchema } from './zod-body.pipe';

@ApiTags('tenant connections')
@ApiBearerAuth()
@Controller('v1/tenant-connections')
export class TenantConnectionsController {
  constructor(@Inject(TenantConnections) private readonly connections: TenantConnections) {}

  @Post()
  @ApiOperation({ summary: 'Register a tenant connection (tenant, app, organization, cloud)' })
  @ApiBody({ schema: openApiSchema(TenantConnectionBody) })
  @ApiResponse({ status: 201, description: 'the connection' })
  @ApiResponse({ status: 409, description: 'TENANT_CONNECTION_EXISTS' })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST: the fields at fault' })
  create(@Body(new ZodPipe(TenantConnectionBody)) body: TenantConnectionBody, @Actor() actor: string) {
    return this.connections.create(body, actor);
  }

  @Get()
  @ApiOperation({ summary: 'List tenant connections (optionally of one tenant)' })
  list(@Query('tenantId') tenantId?: string) {
    return this.connections.list(tenantId?.toLowerCase());
  }

  @Get(':connectionId')
  @ApiOperation({ summary: 'A tenant connection with its active certificate (id, thumbprintSha1, notAfter)' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  get(@Param('connectionId') connectionId: string) {
    return this.connections.get(connectionId);
  }

  @Patch(':connectionId')
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
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a tenant connection that holds no certificate' })
  @ApiResponse({ status: 409, description: 'TENANT_CONNECTION_IN_USE' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  async delete(@Param('connectionId') connectionId: string, @Actor() actor: string): Promise<void> {
    await this.connections.delete(connectionId, actor);
  }
}
