import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { Rotations } from '../application/rotations';
import { Actor } from './actor.decorator';
import { StartRotationBody } from './dtos';
import { ZodPipe, openApiSchema } from './zod-body.pipe';
import { resolvedBy } from '@easgate/identity';
import { Access } from '@easgate/service-runtime';

@ApiTags('rotations')
@ApiBearerAuth()
@Controller('v1/tenant-connections/:connectionId/rotations')
export class RotationsController {
  constructor(@Inject(Rotations) private readonly rotations: Rotations) {}

  @Post()
  @Access('operator', resolvedBy('connection', 'connectionId'))
  @ApiOperation({
    summary:
      'Staged rotation: pending → Graph addKey (optional) → token check with the new key → active; rolled back on failure',
  })
  @ApiBody({ schema: openApiSchema(StartRotationBody) })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'ROTATION_IN_PROGRESS or NO_ACTIVE_CERTIFICATE' })
  start(
    @Param('connectionId') connectionId: string,
    @Body(new ZodPipe(StartRotationBody)) body: z.infer<typeof StartRotationBody>,
    @Actor() actor: string,
  ) {
    return this.rotations.start(connectionId, body, actor);
  }

  @Get()
  @Access('auditor', resolvedBy('connection', 'connectionId'))
  @ApiOperation({ summary: 'Rotations of a connection' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  list(@Param('connectionId') connectionId: string) {
    return this.rotations.list(connectionId);
  }

  @Get(':rotationId')
  @Access('auditor', resolvedBy('connection', 'connectionId'))
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND or ROTATION_NOT_FOUND' })
  get(@Param('connectionId') connectionId: string, @Param('rotationId') rotationId: string) {
    return this.rotations.get(connectionId, rotationId);
  }

  @Post(':rotationId/complete')
  @Access('operator', resolvedBy('connection', 'connectionId'))
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify the new certificate with a real token request, then activate it (or roll back)',
  })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND or ROTATION_NOT_FOUND' })
  @ApiResponse({ status: 409, description: 'INVALID_ROTATION_STATE' })
  complete(
    @Param('connectionId') connectionId: string,
    @Param('rotationId') rotationId: string,
    @Actor() actor: string,
  ) {
    return this.rotations.complete(connectionId, rotationId, actor);
  }
}
