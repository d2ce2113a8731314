import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
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
  list(@Param('connectionId') connectionId: string) {
    return this.rotations.list(connectionId);
  }

  @Get(':rotationId')
  @Access('auditor', resolvedBy('connection', 'connectionId'))
  get(@Param('connectionId') connectionId: string, @Param('rotationId') rotationId: string) {
    return this.rotations.get(connectionId, rotationId);
  }

  @Post(':rotationId/complete')
  @Access('operator', resolvedBy('connection', 'connectionId'))
  @HttpCode(200)
  @ApiOperation({
    summary: 'Verify the new certificate with a real token request, then activate it (or roll back)',
  })
  complete(
    @Param('connectionId') connectionId: string,
    @Param('rotationId') rotationId: string,
    @Actor() actor: string,
  ) {
    return this.rotations.complete(connectionId, rotationId, actor);
  }
}
