import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { Rotations } from '../application/rotations';
import { Actor } from './actor.decorator';
import { CompleteRotationBody, StartRotationBody } from './dtos';
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
      'Staged rotation: pending → Graph addKey (optional) → token check with the new key → active; rolled back on failure. Without Graph it stops at started until an administrator confirms the upload (complete with uploadConfirmed)',
  })
  @ApiBody({ schema: openApiSchema(StartRotationBody) })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND' })
  @ApiResponse({
    status: 409,
    description:
      'ROTATION_IN_PROGRESS, NO_ACTIVE_CERTIFICATE, or UPLOAD_NOT_CONFIRMED (complete: true without Graph and without uploadConfirmed)',
  })
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
    summary:
      'Verify the new certificate with a real token request, then activate it (or roll back); without Graph, only with uploadConfirmed: the administrator says the new .cer is in the Entra app (audited)',
  })
  @ApiBody({ required: false, schema: openApiSchema(CompleteRotationBody) })
  @ApiResponse({ status: 400, description: 'INVALID_REQUEST' })
  @ApiResponse({ status: 404, description: 'TENANT_CONNECTION_NOT_FOUND or ROTATION_NOT_FOUND' })
  @ApiResponse({
    status: 409,
    description:
      'INVALID_ROTATION_STATE, or UPLOAD_NOT_CONFIRMED: a rotation without Graph completed without uploadConfirmed (nothing is tried)',
  })
  complete(
    @Param('connectionId') connectionId: string,
    @Param('rotationId') rotationId: string,
    @Body(new ZodPipe(CompleteRotationBody)) body: z.infer<typeof CompleteRotationBody>,
    @Actor() actor: string,
  ) {
    return this.rotations.complete(connectionId, rotationId, actor, body);
  }
}
